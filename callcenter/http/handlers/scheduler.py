"""The scheduler's doors (docs/scheduler.md): GET /api/scheduler/runs (its run log),
GET /api/lost-contact (customers for a mailed card) and
POST /api/lost-contact/{id}/card-mailed (one leaves the list), for supervisors, and
POST /api/vehicles/{id}/mileage (a reading told during a call: agents on a customer of
one of their follow-ups, supervisors on any)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from callcenter.db.scheduler import RunLedger
from callcenter.errors import Conflict, Forbidden, NotFound, ValidationError
from callcenter.http.endpoints import Reply, documented, takes_body, takes_query
from callcenter.http.json_body import path_id
from callcenter.http.replies import (
    CardMailedReply,
    LostContactList,
    MileageReply,
    SchedulerRuns,
)
from callcenter.http.request_user import current_user, require_supervisor
from callcenter.http.schemas import MileageBody, SchedulerRunsQuery
from callcenter.keys import POOL, SETTINGS
from callcenter.services import care

DEFAULT_DAYS = 14
MAX_DAYS = 366


@takes_query(SchedulerRunsQuery, "The scheduler's run log over a range of days "
             "(supervisors)", {200: Reply("each rule's run of each day", SchedulerRuns)},
             errors=(Forbidden, ValidationError))
async def runs(request: web.Request, query: SchedulerRunsQuery) -> web.Response:
    require_supervisor(request)
    end = query.end or datetime.now(request.app[SETTINGS].tz).date()
    start = query.start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise ValidationError("the range ends before it starts", field="to")
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"at most {MAX_DAYS} days at once", field="from")
    found = await RunLedger(request.app[POOL]).runs(start, end)
    return web.json_response({"from": start.isoformat(), "to": end.isoformat(),
                              "runs": found})


@documented("Customers unreachable on every phone, for a mailed card (supervisors)",
            {200: Reply("the customers with their address", LostContactList)},
            errors=(Forbidden,))
async def lost_contact(request: web.Request) -> web.Response:
    require_supervisor(request)
    return web.json_response({"customers": await care.lost_contact_list(request.app[POOL])})


@documented("Mark a lost-contact customer's card as mailed: they leave the list "
            "(supervisors; marking twice keeps the first time)",
            {200: Reply("when the card was marked mailed", CardMailedReply)},
            errors=(Forbidden, NotFound, Conflict))
async def card_mailed(request: web.Request) -> web.Response:
    require_supervisor(request)
    return web.json_response(await care.mark_card_mailed(
        request.app[POOL], current_user(request), path_id(request), datetime.now(UTC)))


@takes_body(MileageBody, "Record the mileage a customer told during a call; the next "
            "maintenance is recomputed at once",
            {200: Reply("the vehicle's and customer's next maintenance", MileageReply)},
            errors=(Forbidden, NotFound))
async def mileage(request: web.Request, body: MileageBody) -> web.Response:
    settings = request.app[SETTINGS]
    return web.json_response(await care.record_mileage(
        request.app[POOL], current_user(request), path_id(request), body.km,
        care.maintenance_policy(settings), settings.tz, datetime.now(UTC)))


def setup(app: web.Application) -> None:
    app.router.add_get("/api/scheduler/runs", runs)
    app.router.add_get("/api/lost-contact", lost_contact)
    app.router.add_post("/api/lost-contact/{id}/card-mailed", card_mailed)
    app.router.add_post("/api/vehicles/{id}/mileage", mileage)
