"""The agent's place in the hotline queue: GET /api/agent/state, POST login/logout/pause."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.json_body import read_json
from callcenter.http.request_user import current_user
from callcenter.keys import AGENT_STATES, AMI
from callcenter.services import agents


async def state(request: web.Request) -> web.Response:
    return web.json_response(await request.app[AGENT_STATES].state_of(current_user(request)))


async def log_in(request: web.Request) -> web.Response:
    await agents.log_in(request.app[AMI], current_user(request))
    return web.Response(status=204)


async def log_out(request: web.Request) -> web.Response:
    await agents.log_out(request.app[AMI], current_user(request))
    return web.Response(status=204)


async def pause(request: web.Request) -> web.Response:
    body = await read_json(request)
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        reason = "\n"  # refused by the service with a clear message
    await agents.pause(request.app[AMI], current_user(request), True, reason)
    return web.Response(status=204)


async def unpause(request: web.Request) -> web.Response:
    await agents.pause(request.app[AMI], current_user(request), False)
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/agent/state", state)
    app.router.add_post("/api/agent/login", log_in)
    app.router.add_post("/api/agent/logout", log_out)
    app.router.add_post("/api/agent/pause", pause)
    app.router.add_post("/api/agent/unpause", unpause)
