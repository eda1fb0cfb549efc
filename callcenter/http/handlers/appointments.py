"""GET /api/appointments/free[?day=YYYY-MM-DD], POST /api/appointments."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from callcenter.errors import ValidationError
from callcenter.http.json_body import read_json
from callcenter.keys import POOL, SETTINGS
from callcenter.services import agent_bookings


async def free(request: web.Request) -> web.Response:
    raw = request.query.get("day")
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationError("day: a date such as 2026-11-30", field="day") from None
    settings = request.app[SETTINGS]
    return web.json_response(await agent_bookings.free_slots(
        request.app[POOL], day, settings.tz, settings.hours))


async def create(request: web.Request) -> web.Response:
    appointment_id = await agent_bookings.book(request.app[POOL], await read_json(request),
                                               request.app[SETTINGS].tz)
    return web.json_response({"appointment": {"id": appointment_id}}, status=201)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/appointments/free", free)
    app.router.add_post("/api/appointments", create)
