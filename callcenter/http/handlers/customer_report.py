"""The customers report (supervisors and admins; 403 for agents), as JSON and as xlsx:
GET /api/reports/customers[.xlsx]?to=&by=&lost_months= (docs/reports.md "Customers").
``to`` is a day in the center's time zone (default: today there).

At start, after the reports' zone is set (http/handlers/reports.py registers this
module behind its own start), the region tables and the summaries are rebuilt when the
phonenumbers data or the zone changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from callcenter.db.customer_report import CustomerReportStore
from callcenter.errors import Forbidden, ValidationError
from callcenter.http.endpoints import Reply, takes_query
from callcenter.http.handlers.complaints import XLSX, xlsx_attachment
from callcenter.http.replies import CustomersReport
from callcenter.http.request_user import current_user, require_supervisor
from callcenter.http.schemas import CustomersReportQuery
from callcenter.keys import POOL, SETTINGS
from callcenter.services import customer_report


async def _report(request: web.Request, query: CustomersReportQuery) -> dict[str, Any]:
    require_supervisor(request)
    tz = request.app[SETTINGS].tz
    as_of = query.end or datetime.now(tz).date()
    return await customer_report.customers_report(
        CustomerReportStore(request.app[POOL]), as_of, query.by, query.lost_months, tz)


@takes_query(CustomersReportQuery, "Customers by group, visits and lost customers as of "
             "a day (supervisors)",
             {200: Reply("the totals, the breakdown's rows and the lost customers",
                         CustomersReport)},
             errors=(Forbidden, ValidationError), description="Formulas: docs/reports.md.")
async def customers(request: web.Request, query: CustomersReportQuery) -> web.Response:
    return web.json_response(await _report(request, query))


@takes_query(CustomersReportQuery, "The customers report as an xlsx workbook",
             {200: Reply("the workbook, labelled in the user's language", media_type=XLSX)},
             errors=(Forbidden, ValidationError))
async def customers_export(request: web.Request, query: CustomersReportQuery) -> web.Response:
    reply = await _report(request, query)
    return xlsx_attachment(customer_report.customers_xlsx(reply, current_user(request).locale),
                           f"customers-{reply['to']}.xlsx")


async def _prepare(app: web.Application) -> None:
    await customer_report.prepare(CustomerReportStore(app[POOL]))


def setup(app: web.Application) -> None:
    app.on_startup.append(_prepare)
    app.router.add_get("/api/reports/customers", customers)
    app.router.add_get("/api/reports/customers.xlsx", customers_export)
