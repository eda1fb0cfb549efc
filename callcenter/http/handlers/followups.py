"""GET /api/followups, GET /api/followups/{id}, POST /api/followups/{id}/outcome."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.followups import FollowupStore
from callcenter.domain.questionnaires import InvalidAnswers
from callcenter.errors import Conflict, Forbidden, NotFound
from callcenter.http.endpoints import Reply, documented, takes_body, takes_query
from callcenter.http.json_body import path_id
from callcenter.http.replies import OutcomeReply, TaskReply, WorkList
from callcenter.http.request_user import current_user
from callcenter.http.schemas import OutcomeBody, WorklistQuery
from callcenter.keys import POOL, SETTINGS
from callcenter.services import followups
from callcenter.services.click_to_call import FollowupClosed


def _store(request: web.Request) -> FollowupStore:
    return FollowupStore(request.app[POOL])


@takes_query(WorklistQuery, "The agent's work list: due today, overdue or call again",
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


@takes_body(OutcomeBody, "The outcome of an answered follow-up call",
            {200: Reply("the task; the complaint a dissatisfied result opened",
                        OutcomeReply)},
            errors=(FollowupClosed, InvalidAnswers, followups.CallNotAnswered, Conflict,
                    Forbidden, NotFound))
async def outcome(request: web.Request, body: OutcomeBody) -> web.Response:
    reply = await followups.submit_outcome(_store(request), current_user(request),
                                           path_id(request), body.call_id, body.answers,
                                           wrong_number=body.result == "wrong_number")
    return web.json_response(reply)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/followups", worklist)
    app.router.add_get("/api/followups/{id}", show)
    app.router.add_post("/api/followups/{id}/outcome", outcome)
