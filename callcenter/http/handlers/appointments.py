"""GET /api/appointments/free[?day=YYYY-MM-DD], POST /api/appointments."""

from __future__ import annotations

from aiohttp import web

from callcenter.errors import ValidationError
from callcenter.http.endpoints import Reply, takes_body, takes_query
from callcenter.http.replies import AppointmentReply, FreeSlots
from callcenter.http.schemas import BookingBody, FreeSlotsQuery
from callcenter.keys import POOL, SETTINGS
from callcenter.services import agent_bookings


@takes_query(FreeSlotsQuery, "Days with a free place, or one day's free slots",
             {200: Reply("days, or the day and its slots", FreeSlots)})
async def free(request: web.Request, query: FreeSlotsQuery) -> web.Response:
    settings = request.app[SETTINGS]
    return web.json_response(await agent_bookings.free_slots(
        request.app[POOL], query.day, settings.tz, settings.hours))


@takes_body(BookingBody, "Book a service appointment for a customer",
            {201: Reply("booked", AppointmentReply)},
            errors=(agent_bookings.SlotFull, agent_bookings.AlreadyBooked, ValidationError))
async def create(request: web.Request, body: BookingBody) -> web.Response:
    appointment_id = await agent_bookings.book(
        request.app[POOL], body.customer_id, body.vehicle_id, body.slot_id, body.work_kind,
        body.call_id, request.app[SETTINGS].tz)
    return web.json_response({"appointment": {"id": appointment_id}}, status=201)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/appointments/free", free)
    app.router.add_post("/api/appointments", create)
