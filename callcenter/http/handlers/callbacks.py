"""GET /api/callbacks (today's abandoned callers to call back, supervisors) and
POST /api/callbacks/{call_id}/call (call one back from the user's own phone).

docs/calls.md, "Abandoned callers": the list's rule, and why a number leaves it.
"""

from __future__ import annotations

from aiohttp import web

from callcenter.db.callbacks import CallbackStore
from callcenter.db.calls import AgentBusy
from callcenter.errors import Forbidden, NotFound, TelephonyUnavailable
from callcenter.http.endpoints import Reply, documented, takes_body
from callcenter.http.json_body import path_id
from callcenter.http.replies import CallbackList, CallMessage
from callcenter.http.request_user import current_user, require_supervisor
from callcenter.http.schemas import NoBody
from callcenter.keys import AMI, CALL_STORE, CALLS, POOL, SETTINGS
from callcenter.services import callbacks
from callcenter.services.click_to_call import Dialing, InvalidNumber, NoExtension
from callcenter.services.notifier import call_message


@documented("Today's abandoned callers not reached since, one per number, the latest "
            "first (supervisors)", {200: Reply("the callers", CallbackList)},
            errors=(Forbidden,))
async def listing(request: web.Request) -> web.Response:
    require_supervisor(request)
    found = await callbacks.abandoned_today(CallbackStore(request.app[POOL]),
                                            request.app[SETTINGS].tz)
    return web.json_response({"callbacks": [c.to_dict() for c in found]})


@takes_body(NoBody, "Call an abandoned caller back: the user's own phone rings, then "
            "the caller's", {202: Reply("the call, as its first `call` message",
                                        CallMessage)},
            errors=(NotFound, NoExtension, AgentBusy, InvalidNumber, TelephonyUnavailable))
async def call(request: web.Request, body: NoBody) -> web.Response:
    app = request.app
    s = app[SETTINGS]
    dialing = Dialing(s.phone_region, s.agent_ring_seconds, s.customer_ring_seconds)
    placed = await callbacks.call_back(CallbackStore(app[POOL]), app[CALL_STORE], app[AMI],
                                       app[CALLS], current_user(request),
                                       path_id(request, "call_id"), dialing)
    return web.json_response(call_message(placed.view()), status=202)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/callbacks", listing)
    app.router.add_post("/api/callbacks/{call_id}/call", call)
