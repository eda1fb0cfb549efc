"""POST /api/calls (click-to-call), GET /api/calls/{id}, POST its wrap-up, GET /api/ws."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.db.calls import AgentBusy
from callcenter.db.wrapup import WrapUpStore
from callcenter.errors import Conflict, Forbidden, NotFound, TelephonyUnavailable
from callcenter.http.endpoints import Reply, documented, takes_body, takes_query
from callcenter.http.json_body import path_id
from callcenter.http.replies import WEBSOCKET_MESSAGES, CallMessage, CallReply
from callcenter.http.request_user import current_user
from callcenter.http.schemas import PlaceCallBody, WebSocketQuery, WrapUpBody
from callcenter.keys import AGENT_STATES, AMI, CALL_STORE, CALLS, HUB, POOL, SETTINGS
from callcenter.services import wrapup
from callcenter.services.click_to_call import (
    CallTarget,
    Dialing,
    DoNotDisturb,
    FollowupClosed,
    InvalidNumber,
    NoExtension,
    PhoneInvalid,
    place_call,
)
from callcenter.services.notifier import CallView, call_message


async def _call(request: web.Request, call_id: int) -> dict[str, Any]:
    row = await request.app[CALL_STORE].call(call_id)
    if row is None:
        raise NotFound("no such call")
    return CallView(**row).to_dict()


@takes_body(PlaceCallBody, "Click-to-call for a follow-up, a complaint or a customer's "
            "card: the agent's phone rings, then the customer's",
            {202: Reply("the call, as its first `call` message", CallMessage)},
            errors=(DoNotDisturb, AgentBusy, InvalidNumber, PhoneInvalid, TelephonyUnavailable,
                    FollowupClosed, Conflict, Forbidden, NoExtension, NotFound))
async def create(request: web.Request, body: PlaceCallBody) -> web.Response:
    app = request.app
    s = app[SETTINGS]
    dialing = Dialing(s.phone_region, s.agent_ring_seconds, s.customer_ring_seconds)
    target = CallTarget(followup_id=body.followup_id, complaint_id=body.complaint_id,
                        customer_id=body.customer_id,
                        do_not_disturb_ok=body.do_not_disturb_ok)
    call = await place_call(app[CALL_STORE], app[AMI], app[CALLS], current_user(request),
                            target, body.phone, dialing)
    return web.json_response(call_message(call.view()), status=202)


@documented("One call", {200: Reply("the call", CallReply)}, errors=(NotFound, Forbidden))
async def show(request: web.Request) -> web.Response:
    user = current_user(request)
    call = await _call(request, path_id(request))
    if call["agent_id"] != user.id and not user.supervises:
        raise Forbidden("another agent's call")
    return web.json_response({"call": call})


@takes_body(WrapUpBody, "The wrap-up of an ended call: category, notes, flag, customer",
            {200: Reply("the call", CallReply)},
            errors=(wrapup.CallInProgress, Forbidden, NotFound))
async def wrap_up(request: web.Request, body: WrapUpBody) -> web.Response:
    user = current_user(request)
    app = request.app
    call_id = path_id(request)
    await wrapup.wrap_up(WrapUpStore(app[POOL]), user, call_id, body.category, body.notes,
                         body.flag, body.flag_details, body.customer_id)
    # Wrap-up done: the agent's state moves on (wrap_up -> available).
    await app[AGENT_STATES].push(user.id)
    return web.json_response({"call": await _call(request, call_id)})


_WS_MESSAGES = ", ".join(f"`{m.__name__}`" for m in WEBSOCKET_MESSAGES)


@takes_query(WebSocketQuery, "The live channel (WebSocket): calls, pops, queue state",
             {101: Reply("switching to the WebSocket protocol")},
             description="Upgrade to a WebSocket (same cookie). The server sends JSON "
             f"messages, each with `type` and `seq`: {_WS_MESSAGES} (components/schemas); "
             "on every (re)connection first the current state, marked `snapshot`. The "
             "console sends nothing but pings.",
             other_errors={400: "not a WebSocket upgrade (http_400)"})
async def websocket(request: web.Request, query: WebSocketQuery) -> web.WebSocketResponse:
    # The query is checked here; the hub reads ``since`` itself when it replays.
    return await request.app[HUB].handle(request)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/calls", create)
    app.router.add_get("/api/calls/{id}", show)
    app.router.add_post("/api/calls/{id}/wrapup", wrap_up)
    app.router.add_get("/api/ws", websocket)
