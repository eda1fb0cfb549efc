"""POST /api/calls (click-to-call), GET /api/calls/{id}, GET /api/ws."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.db.wrapup import WrapUpStore
from callcenter.errors import Forbidden, NotFound
from callcenter.http.json_body import path_id, read_json, require_int, require_str
from callcenter.http.request_user import current_user
from callcenter.keys import AGENT_STATES, AMI, CALL_STORE, CALLS, HUB, POOL, SETTINGS
from callcenter.services import wrapup
from callcenter.services.click_to_call import Dialing, place_call
from callcenter.services.notifier import CallView, call_message


async def _call(request: web.Request, call_id: int) -> dict[str, Any]:
    row = await request.app[CALL_STORE].call(call_id)
    if row is None:
        raise NotFound("no such call")
    return CallView(**row).to_dict()


async def create(request: web.Request) -> web.Response:
    body = await read_json(request)
    app = request.app
    s = app[SETTINGS]
    dialing = Dialing(s.phone_region, s.agent_ring_seconds, s.customer_ring_seconds)
    call = await place_call(app[CALL_STORE], app[AMI], app[CALLS], current_user(request),
                            require_int(body, "followup_id"), require_str(body, "phone", 40),
                            dialing)
    return web.json_response(call_message(call.view()), status=202)


async def show(request: web.Request) -> web.Response:
    user = current_user(request)
    call = await _call(request, path_id(request))
    if call["agent_id"] != user.id and not user.supervises:
        raise Forbidden("another agent's call")
    return web.json_response({"call": call})


async def wrap_up(request: web.Request) -> web.Response:
    user = current_user(request)
    app = request.app
    await wrapup.wrap_up(WrapUpStore(app[POOL]), user, path_id(request), await read_json(request))
    # Wrap-up done: the agent's state moves on (wrap_up -> available).
    await app[AGENT_STATES].push(user.id)
    return web.json_response({"call": await _call(request, path_id(request))})


async def websocket(request: web.Request) -> web.WebSocketResponse:
    return await request.app[HUB].handle(request)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/calls", create)
    app.router.add_get("/api/calls/{id}", show)
    app.router.add_post("/api/calls/{id}/wrapup", wrap_up)
    app.router.add_get("/api/ws", websocket)
