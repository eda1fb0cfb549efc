"""Supervisors on live calls and agents: POST /api/calls/{id}/supervise (listen,
whisper, barge), POST /api/agents/{user_id}/pause and /logout (forced).

Supervisors and admins only: anyone else gets 403 ``forbidden`` before anything is
looked up. docs/supervision.md has the modes, the dialplan contract and the audit rows.
"""

from __future__ import annotations

from aiohttp import web

from callcenter.db.supervision import SupervisionAudit
from callcenter.db.users import Accounts
from callcenter.domain.supervision import Mode, check_supervises
from callcenter.domain.users import User
from callcenter.errors import Forbidden, NotFound, TelephonyUnavailable
from callcenter.http.endpoints import Reply, takes_body
from callcenter.http.json_body import path_id
from callcenter.http.replies import SupervisionReply
from callcenter.http.request_user import current_user
from callcenter.http.schemas import ForcePauseBody, NoBody, SuperviseBody
from callcenter.http.security import SECURITY
from callcenter.keys import AMI, CALLS, LIVE_STATE, POOL, SETTINGS
from callcenter.services import supervision
from callcenter.services.click_to_call import NoExtension

DONE = {204: Reply("done")}
FORCE_ERRORS = (Forbidden, NotFound, supervision.AgentNotInQueue, TelephonyUnavailable)


def _supervisor(request: web.Request) -> User:
    """Checked before the agent is looked up: an agent gets 403, never 404."""
    user = current_user(request)
    check_supervises(user)
    return user


@takes_body(SuperviseBody, "Listen to, whisper on or barge into a live call (supervisors): "
            "the supervisor's phone rings and joins the agent's channel",
            {202: Reply("the supervisor's phone is being rung", SupervisionReply)},
            errors=(Forbidden, supervision.CallNotLive, NoExtension, TelephonyUnavailable))
async def supervise(request: web.Request, body: SuperviseBody) -> web.Response:
    app = request.app
    done = await supervision.supervise(
        app[AMI], app[CALLS], app[LIVE_STATE], current_user(request), path_id(request),
        Mode(body.mode), audit=SupervisionAudit(app[POOL]), remote=app[SECURITY].client(request),
        ring_seconds=app[SETTINGS].agent_ring_seconds)
    return web.json_response({"supervision": done.to_dict()}, status=202)


async def _agent(request: web.Request) -> User:
    found = await Accounts(request.app[POOL]).find(path_id(request, "user_id"))
    if found is None:
        raise NotFound("no such user")
    return found[0]


@takes_body(ForcePauseBody, "Pause (with a reason) or unpause an agent in the hotline "
            "queue (supervisors)", DONE, errors=FORCE_ERRORS)
async def pause(request: web.Request, body: ForcePauseBody) -> web.Response:
    app = request.app
    supervisor = _supervisor(request)
    await supervision.force_pause(
        app[AMI], supervisor, await _agent(request), body.paused, body.reason,
        live=app[LIVE_STATE], audit=SupervisionAudit(app[POOL]),
        remote=app[SECURITY].client(request))
    return web.Response(status=204)


@takes_body(NoBody, "Take an agent out of the hotline queue (supervisors)", DONE,
            errors=FORCE_ERRORS)
async def logout(request: web.Request, body: NoBody) -> web.Response:
    app = request.app
    supervisor = _supervisor(request)
    await supervision.force_logout(
        app[AMI], supervisor, await _agent(request), live=app[LIVE_STATE],
        audit=SupervisionAudit(app[POOL]), remote=app[SECURITY].client(request))
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/calls/{id}/supervise", supervise)
    app.router.add_post("/api/agents/{user_id}/pause", pause)
    app.router.add_post("/api/agents/{user_id}/logout", logout)
