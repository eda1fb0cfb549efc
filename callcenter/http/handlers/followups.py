"""GET /api/followups (a worklist section), GET /api/followups/{id}, POST its outcome;
the supervisors' POST /api/followups/assign and GET /api/followups/load; and
POST /api/customers/{id}/do-not-disturb, which closes the customer's follow-ups as SMS
(it belongs with the outcomes it shares its transaction with)."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field

from callcenter.db.followups import FollowupStore
from callcenter.domain.questionnaires import InvalidAnswers
from callcenter.errors import Conflict, Forbidden, NotFound
from callcenter.http.endpoints import Reply, documented, takes_body, takes_query
from callcenter.http.json_body import path_id
from callcenter.http.replies import OutcomeReply, TaskReply, WorkList
from callcenter.http.request_user import current_user
from callcenter.http.schemas import Body, Id, NoBody, OutcomeBody, WorklistQuery
from callcenter.http.security import SECURITY
from callcenter.keys import POOL, SETTINGS
from callcenter.services import followups
from callcenter.services.click_to_call import FollowupClosed


class AssignBody(Body):
    """Several agents share the tasks round-robin, in the order given."""

    task_ids: Annotated[list[Id], Field(min_length=1, max_length=followups.MAX_ASSIGN)]
    agent_ids: Annotated[list[Id], Field(min_length=1, max_length=100)]


class Assignment(BaseModel):
    task_id: int
    agent_id: int


class AssignReply(BaseModel):
    assigned: list[Assignment] = Field(description="the tasks still open, as assigned")


class AgentLoad(BaseModel):
    agent_id: int
    display_name: str
    username: str
    open: int
    today: int
    overdue: int
    call_again: int
    callbacks: int


class LoadReply(BaseModel):
    agents: list[AgentLoad]
    unassigned: int


class DoNotDisturbReply(BaseModel):
    customer_id: int
    do_not_disturb: bool
    closed_tasks: list[int] = Field(description="the open follow-ups closed as sms")
    sms_queued: int


def _store(request: web.Request) -> FollowupStore:
    return FollowupStore(request.app[POOL], request.app[SETTINGS].call_again)


@takes_query(WorklistQuery, "A worklist section: today, overdue, call again (due again "
             "now), callbacks (at their time), coming (the next 7 days, a preview)",
             {200: Reply("open tasks of this agent or of nobody (supervisors: all)",
                         WorkList)})
async def worklist(request: web.Request, query: WorklistQuery) -> web.Response:
    items = await followups.worklist(_store(request), current_user(request), query.list,
                                     request.app[SETTINGS].tz)
    return web.json_response({"items": items})


@documented("One follow-up task with its questionnaire",
            {200: Reply("the task and its template", TaskReply)},
            errors=(NotFound, Forbidden))
async def show(request: web.Request) -> web.Response:
    body = await followups.get_followup(_store(request), current_user(request),
                                        path_id(request))
    return web.json_response(body)


@takes_body(OutcomeBody, "The outcome of an answered follow-up call: the questionnaire, "
            "a callback, a wrong number or do-not-disturb",
            {200: Reply("the task; the complaint a dissatisfied result opened",
                        OutcomeReply)},
            errors=(FollowupClosed, InvalidAnswers, followups.CallNotAnswered,
                    followups.BadCallbackTime, Conflict, Forbidden, NotFound))
async def outcome(request: web.Request, body: OutcomeBody) -> web.Response:
    app = request.app
    reply = await followups.submit_outcome(
        _store(request), current_user(request), path_id(request), body.call_id, body.result,
        body.answers, callback_at=body.callback_at, spoke_with=body.spoke_with,
        tz=app[SETTINGS].tz, remote=app[SECURITY].client(request))
    return web.json_response(reply)


@takes_body(AssignBody, "Supervisors: assign or reassign tasks (round-robin over several "
            "agents)", {200: Reply("the open tasks as assigned", AssignReply)},
            errors=(followups.UnknownAgents, Forbidden))
async def assign(request: web.Request, body: AssignBody) -> web.Response:
    assigned = await followups.assign(_store(request), current_user(request), body.task_ids,
                                      body.agent_ids)
    return web.json_response({"assigned": assigned})


@documented("Supervisors: each agent's open follow-ups", {200: Reply("the load", LoadReply)},
            errors=(Forbidden,))
async def load(request: web.Request) -> web.Response:
    return web.json_response(await followups.load(_store(request), current_user(request),
                                                  request.app[SETTINGS].tz))


@takes_body(NoBody, "The customer asked not to be called: do-not-disturb (audited), their "
            "open follow-ups closed as SMS follow-ups",
            {200: Reply("what changed", DoNotDisturbReply)}, errors=(NotFound,))
async def do_not_disturb(request: web.Request, body: NoBody) -> web.Response:
    reply = await followups.set_do_not_disturb(_store(request), current_user(request),
                                               path_id(request),
                                               request.app[SECURITY].client(request))
    return web.json_response(reply)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/followups", worklist)
    app.router.add_get("/api/followups/load", load)
    app.router.add_post("/api/followups/assign", assign)
    # Digits only: /api/followups/assign and /load are not a task's id.
    app.router.add_get(r"/api/followups/{id:\d+}", show)
    app.router.add_post("/api/followups/{id}/outcome", outcome)
    app.router.add_post("/api/customers/{id}/do-not-disturb", do_not_disturb)
