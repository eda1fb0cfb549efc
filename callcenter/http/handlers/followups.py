"""GET /api/followups, GET /api/followups/{id}, POST /api/followups/{id}/outcome."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.followups import FollowupStore
from callcenter.errors import ValidationError
from callcenter.http.json_body import path_id, read_json, require_int
from callcenter.http.request_user import current_user
from callcenter.keys import POOL, SETTINGS
from callcenter.services import followups


def _store(request: web.Request) -> FollowupStore:
    return FollowupStore(request.app[POOL])


async def worklist(request: web.Request) -> web.Response:
    items = await followups.worklist(_store(request), current_user(request),
                                     request.query.get("list", "today"),
                                     request.app[SETTINGS].tz)
    return web.json_response({"items": items})


async def show(request: web.Request) -> web.Response:
    body = await followups.get_followup(_store(request), current_user(request),
                                        path_id(request))
    return web.json_response(body)


async def outcome(request: web.Request) -> web.Response:
    body = await read_json(request)
    call_id = require_int(body, "call_id")
    result = body.get("result", "answered")
    if result not in ("answered", "wrong_number"):
        raise ValidationError("result: 'answered' or 'wrong_number'", field="result")
    answers = body.get("answers")
    if result == "answered" and not isinstance(answers, dict):
        raise ValidationError("answers: an object of question id -> score", field="answers")
    reply = await followups.submit_outcome(_store(request), current_user(request),
                                           path_id(request), call_id, answers,
                                           wrong_number=result == "wrong_number")
    return web.json_response(reply)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/followups", worklist)
    app.router.add_get("/api/followups/{id}", show)
    app.router.add_post("/api/followups/{id}/outcome", outcome)
