"""The management reports (supervisors and admins; 403 for agents), as JSON and as xlsx:
GET /api/reports/followups[.xlsx], GET /api/reports/calls[.xlsx], and the names a
report's agent filter offers (GET /api/reports/agents). Days are the center's
(CALLCENTER_TIMEZONE); without ``to``, today there; without ``from``, the 1st of
``to``'s month. Formulas: docs/reports.md.

At start the server tells PostgreSQL its time zone, in which the summaries count days
(a change of zone rebuilds them once)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any

from aiohttp import web

from callcenter.db.reports import ReportStore
from callcenter.db.satisfaction import SatisfactionStore
from callcenter.errors import Forbidden, ValidationError
from callcenter.http.endpoints import Reply, documented, takes_query
from callcenter.http.handlers import customer_report
from callcenter.http.handlers.complaints import XLSX, xlsx_attachment
from callcenter.http.replies import CallsReport, FollowupReport, ReportAgents, SatisfactionReport
from callcenter.http.request_user import current_user, require_supervisor
from callcenter.http.schemas import (
    CallsReportQuery,
    FollowupReportQuery,
    ReportRangeQuery,
    SatisfactionReportQuery,
)
from callcenter.keys import POOL, SETTINGS
from callcenter.services import hotline_report, reports, satisfaction


def _store(request: web.Request) -> ReportStore:
    return ReportStore(request.app[POOL])


def _today(request: web.Request) -> date:
    return datetime.now(request.app[SETTINGS].tz).date()


def _days(request: web.Request, query: ReportRangeQuery) -> tuple[date, date]:
    end = query.end or _today(request)
    return query.start or end.replace(day=1), end


async def _followups(request: web.Request, query: FollowupReportQuery) -> dict[str, Any]:
    require_supervisor(request)
    start, end = _days(request, query)
    return await reports.followup_completion(_store(request), start, end, query.by,
                                             query.kind, query.agent_id, _today(request))


async def _calls(request: web.Request, query: CallsReportQuery) -> dict[str, Any]:
    require_supervisor(request)
    start, end = _days(request, query)
    calls, hotline = await asyncio.gather(
        reports.calls_and_agents(_store(request), start, end, query.direction),
        hotline_report.hotline(request.app[POOL], request.app[SETTINGS], start, end))
    return {**calls, "hotline": hotline}


@takes_query(FollowupReportQuery, "Follow-up completion over a range of days (supervisors)",
             {200: Reply("each bucket's figures and the range's", FollowupReport)},
             errors=(Forbidden, ValidationError), description="Formulas: docs/reports.md.")
async def followups(request: web.Request, query: FollowupReportQuery) -> web.Response:
    return web.json_response(await _followups(request, query))


@takes_query(FollowupReportQuery, "Follow-up completion as an xlsx workbook",
             {200: Reply("the workbook, labelled in the user's language", media_type=XLSX)},
             errors=(Forbidden, ValidationError))
async def followups_export(request: web.Request, query: FollowupReportQuery) -> web.Response:
    reply = await _followups(request, query)
    return xlsx_attachment(reports.followup_xlsx(reply, current_user(request).locale),
                 f"followups-{reply['from']}-{reply['to']}.xlsx")


@takes_query(CallsReportQuery, "Calls and agents over a range of days (supervisors)",
             {200: Reply("the calls by each breakdown, and each agent's figures",
                         CallsReport)},
             errors=(Forbidden, ValidationError), description="Formulas: docs/reports.md.")
async def calls(request: web.Request, query: CallsReportQuery) -> web.Response:
    return web.json_response(await _calls(request, query))


@takes_query(CallsReportQuery, "Calls and agents as an xlsx workbook",
             {200: Reply("the workbook, labelled in the user's language", media_type=XLSX)},
             errors=(Forbidden, ValidationError))
async def calls_export(request: web.Request, query: CallsReportQuery) -> web.Response:
    reply = await _calls(request, query)
    return xlsx_attachment(reports.calls_xlsx(reply, current_user(request).locale),
                 f"calls-{reply['from']}-{reply['to']}.xlsx")


async def _satisfaction(request: web.Request, query: SatisfactionReportQuery) -> dict[str, Any]:
    require_supervisor(request)
    start, end = _days(request, query)
    return await satisfaction.satisfaction(SatisfactionStore(request.app[POOL]), start, end,
                                           query.kind, query.by)


@takes_query(SatisfactionReportQuery, "Satisfaction by question, template, staff, "
             "department or month (supervisors)",
             {200: Reply("the range's figures and their breakdown", SatisfactionReport)},
             errors=(Forbidden, ValidationError), description="Formulas: docs/reports.md.")
async def satisfaction_report(request: web.Request,
                              query: SatisfactionReportQuery) -> web.Response:
    return web.json_response(await _satisfaction(request, query))


@takes_query(SatisfactionReportQuery, "The satisfaction report as an xlsx workbook",
             {200: Reply("the workbook, labelled in the user's language", media_type=XLSX)},
             errors=(Forbidden, ValidationError))
async def satisfaction_export(request: web.Request,
                              query: SatisfactionReportQuery) -> web.Response:
    reply = await _satisfaction(request, query)
    return xlsx_attachment(satisfaction.satisfaction_xlsx(reply, current_user(request).locale),
                 f"satisfaction-{reply['from']}-{reply['to']}.xlsx")


@documented("The users a report's agent filter offers (supervisors)",
            {200: Reply("every user, by name", ReportAgents)}, errors=(Forbidden,))
async def agents(request: web.Request) -> web.Response:
    require_supervisor(request)
    return web.json_response({"agents": await reports.agent_choices(_store(request))})


async def _align_zone(app: web.Application) -> None:
    await reports.align_zone(ReportStore(app[POOL]), app[SETTINGS].timezone)


def setup(app: web.Application) -> None:
    # after the cleanup contexts' start (aiohttp runs them first): the pool exists
    app.on_startup.append(_align_zone)
    app.router.add_get("/api/reports/followups", followups)
    app.router.add_get("/api/reports/followups.xlsx", followups_export)
    app.router.add_get("/api/reports/calls", calls)
    app.router.add_get("/api/reports/calls.xlsx", calls_export)
    app.router.add_get("/api/reports/agents", agents)
    customer_report.setup(app)  # its start after _align_zone: it counts in that zone
    app.router.add_get("/api/reports/satisfaction", satisfaction_report)
    app.router.add_get("/api/reports/satisfaction.xlsx", satisfaction_export)
