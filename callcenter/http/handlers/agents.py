"""The agent's place in the hotline queue: GET /api/agent/state, POST login/logout/pause;
and GET /api/agents, everyone who takes calls, for supervisors choosing one by name."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.users import Accounts
from callcenter.errors import Forbidden, TelephonyUnavailable
from callcenter.http.endpoints import Reply, documented, takes_body
from callcenter.http.replies import AgentList, AgentStateMessage
from callcenter.http.request_user import current_user
from callcenter.http.schemas import NoBody, PauseBody
from callcenter.keys import AGENT_STATES, AMI, POOL
from callcenter.services import agents, users
from callcenter.services.click_to_call import NoExtension

DONE = {204: Reply("done")}
# Every queue action goes to Asterisk: without it (AMI down) the answer is a 503.
QUEUE_ERRORS = (NoExtension, TelephonyUnavailable)


@documented("The agent's state in the hotline queue", {200: Reply("the state",
                                                                  AgentStateMessage)})
async def state(request: web.Request) -> web.Response:
    return web.json_response(await request.app[AGENT_STATES].state_of(current_user(request)))


@takes_body(NoBody, "Join the hotline queue (the agent's phone)", DONE, errors=QUEUE_ERRORS)
async def log_in(request: web.Request, body: NoBody) -> web.Response:
    await agents.log_in(request.app[AMI], current_user(request))
    return web.Response(status=204)


@takes_body(NoBody, "Leave the hotline queue", DONE, errors=QUEUE_ERRORS)
async def log_out(request: web.Request, body: NoBody) -> web.Response:
    await agents.log_out(request.app[AMI], current_user(request))
    return web.Response(status=204)


@takes_body(PauseBody, "Pause in the queue, with a reason", DONE,
            errors=(*QUEUE_ERRORS, agents.NotInQueue))
async def pause(request: web.Request, body: PauseBody) -> web.Response:
    await agents.pause(request.app[AMI], current_user(request), True, body.reason)
    return web.Response(status=204)


@takes_body(NoBody, "Take calls from the queue again", DONE,
            errors=(*QUEUE_ERRORS, agents.NotInQueue))
async def unpause(request: web.Request, body: NoBody) -> web.Response:
    await agents.pause(request.app[AMI], current_user(request), False)
    return web.Response(status=204)


@documented("Everyone who takes calls, by name (supervisors and admins)",
            {200: Reply("the agents, disabled accounts too", AgentList)}, errors=(Forbidden,))
async def list_agents(request: web.Request) -> web.Response:
    listed = await users.list_agents(Accounts(request.app[POOL]), current_user(request))
    return web.json_response({"agents": listed})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/agent/state", state)
    app.router.add_get("/api/agents", list_agents)
    app.router.add_post("/api/agent/login", log_in)
    app.router.add_post("/api/agent/logout", log_out)
    app.router.add_post("/api/agent/pause", pause)
    app.router.add_post("/api/agent/unpause", unpause)
