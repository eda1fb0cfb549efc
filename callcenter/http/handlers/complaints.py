"""Complaints: POST /api/complaints (from a screen-pop or a call), the lists
GET /api/complaints, the page GET /api/complaints/{id}, its steps
POST /api/complaints/{id}/steps, the statistics GET /api/complaints/statistics, what
the console offers in its forms and filters GET /api/complaints/choices; and
POST /api/customers (a new caller's quick-created record)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel

from callcenter.db.complaints import ComplaintStore
from callcenter.db.users import Accounts
from callcenter.db.wrapup import WrapUpStore
from callcenter.domain.complaint_statistics import Period
from callcenter.domain.complaints import (
    SEVERITIES,
    SOURCES,
    Action,
    Status,
    StepOutOfOrder,
)
from callcenter.domain.phones import InvalidPhone
from callcenter.errors import Forbidden, NotFound
from callcenter.http.endpoints import Reply, documented, takes_body, takes_query
from callcenter.http.json_body import path_id
from callcenter.http.replies import (
    ComplaintList,
    ComplaintPageReply,
    ComplaintReply,
    ComplaintStatistics,
    NewCustomerReply,
)
from callcenter.http.request_user import current_user
from callcenter.http.schemas import (
    ComplaintBody,
    ComplaintListQuery,
    ComplaintStatisticsQuery,
    ComplaintStepBody,
    NewCustomerBody,
)
from callcenter.keys import POOL, SETTINGS
from callcenter.services import complaints, wrapup
from callcenter.services.complaints import Filters, Policy

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_attachment(body: bytes, name: str) -> web.Response:
    """An xlsx export, downloaded as ``name`` (every report's and statistics' export)."""
    return web.Response(body=body, content_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


class Owner(BaseModel):
    id: int
    display_name: str
    role: Literal["agent", "supervisor", "admin"]


class ComplaintChoices(BaseModel):
    """The values the console's complaint forms and filters offer, served rather than
    copied into the browser."""

    owners: list[Owner]
    departments: list[str]
    categories: list[str]
    sources: list[str]
    severities: list[str]
    statuses: list[str]


def _store(request: web.Request) -> ComplaintStore:
    return ComplaintStore(request.app[POOL])


def _policy(request: web.Request) -> Policy:
    settings = request.app[SETTINGS]
    return complaints.policy_of(settings.tz, settings.hours, settings.complaint_clock)


@takes_body(ComplaintBody, "Open a complaint (from a pop or after a call)",
            {201: Reply("opened", ComplaintReply)}, errors=(Forbidden, NotFound))
async def create_complaint(request: web.Request, body: ComplaintBody) -> web.Response:
    complaint_id = await wrapup.open_complaint(
        WrapUpStore(request.app[POOL]), current_user(request), body.customer_id,
        body.call_id, body.severity, body.description)
    return web.json_response({"complaint": {"id": complaint_id}}, status=201)


@takes_query(ComplaintListQuery, "A complaint list: open, mine, overdue or all",
             {200: Reply("newest first, each with its 2-1-2-3 clock, and the tabs' counts",
                         ComplaintList)})
async def list_complaints(request: web.Request, query: ComplaintListQuery) -> web.Response:
    filters = Filters(query.source, query.severity, query.department, query.status, query.q,
                      query.since, query.until)
    reply = await complaints.list_complaints(_store(request), current_user(request),
                                             query.view, filters, _policy(request),
                                             datetime.now(UTC))
    return web.json_response(reply)


@documented("A complaint: its customer, clock, timeline, calls and recordings",
            {200: Reply("the complaint page", ComplaintPageReply)}, errors=(NotFound,))
async def show_complaint(request: web.Request) -> web.Response:
    page = await complaints.get_complaint(_store(request), path_id(request),
                                          _policy(request), datetime.now(UTC))
    return web.json_response({"complaint": page})


@takes_body(ComplaintStepBody, "Take a step on a complaint, signed by the user",
            {200: Reply("the complaint page after the step", ComplaintPageReply)},
            errors=(StepOutOfOrder, Forbidden, NotFound))
async def take_step(request: web.Request, body: ComplaintStepBody) -> web.Response:
    page = await complaints.take_step(
        _store(request), current_user(request), path_id(request), Action(body.action),
        policy=_policy(request), now=datetime.now(UTC), note=body.note,
        owner_id=body.owner_id, department=body.department, category=body.category,
        resolution=body.resolution,
        compensation=body.compensation, call_id=body.call_id)
    return web.json_response({"complaint": page})


@takes_query(ComplaintStatisticsQuery, "Weekly or monthly complaint statistics",
             {200: Reply("the period's figures, the previous period's and the change",
                         ComplaintStatistics)}, errors=(Forbidden,))
async def statistics(request: web.Request, query: ComplaintStatisticsQuery) -> web.Response:
    return web.json_response(await _statistics(request, query))


async def _statistics(request: web.Request, query: ComplaintStatisticsQuery
                      ) -> dict[str, Any]:
    if not current_user(request).supervises:
        raise Forbidden("complaint statistics are for supervisors")
    policy, now = _policy(request), datetime.now(UTC)
    return await complaints.statistics(_store(request), Period(query.period),
                                       query.day or now.astimezone(policy.tz).date(),
                                       policy, now)


@takes_query(ComplaintStatisticsQuery, "The complaint statistics as an xlsx workbook",
             {200: Reply("the workbook, labelled in the user's language",
                         media_type=XLSX)}, errors=(Forbidden,))
async def statistics_export(request: web.Request,
                            query: ComplaintStatisticsQuery) -> web.Response:
    reply = await _statistics(request, query)
    body = complaints.statistics_xlsx(reply, current_user(request).locale)
    return xlsx_attachment(body, f"complaints-{reply['label']}.xlsx")


@documented("What the complaint forms and filters offer: who may own a complaint (every "
            "active user) and the departments, categories, sources, severities, statuses",
            {200: Reply("the choices", ComplaintChoices)})
async def choices(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    users = sorted((account.user for account in await Accounts(request.app[POOL]).list()
                    if account.active),
                   key=lambda user: (user.display_name or user.username, user.id))
    return web.json_response({
        "owners": [{"id": user.id, "display_name": user.display_name or user.username,
                    "role": user.role.value} for user in users],
        "departments": settings.complaint_department_names,
        "categories": settings.complaint_category_names,
        "sources": list(SOURCES), "severities": list(SEVERITIES),
        "statuses": [status.value for status in Status]})


@takes_body(NewCustomerBody, "Quick-create a new caller's customer record",
            {201: Reply("created", NewCustomerReply)}, errors=(InvalidPhone,))
async def create_customer(request: web.Request, body: NewCustomerBody) -> web.Response:
    customer_id = await wrapup.quick_create_customer(
        WrapUpStore(request.app[POOL]), body.name, body.phone,
        request.app[SETTINGS].phone_region)
    return web.json_response({"customer": {"id": customer_id}}, status=201)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/complaints", create_complaint)
    app.router.add_get("/api/complaints", list_complaints)
    app.router.add_get("/api/complaints/statistics", statistics)
    app.router.add_get("/api/complaints/statistics.xlsx", statistics_export)
    app.router.add_get("/api/complaints/choices", choices)
    app.router.add_get("/api/complaints/{id}", show_complaint)
    app.router.add_post("/api/complaints/{id}/steps", take_step)
    app.router.add_post("/api/customers", create_customer)
