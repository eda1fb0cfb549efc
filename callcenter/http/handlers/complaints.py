"""POST /api/complaints (from a screen-pop or a call) and POST /api/customers (a new
caller's quick-created record)."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.wrapup import WrapUpStore
from callcenter.domain.phones import InvalidPhone
from callcenter.errors import Forbidden, NotFound
from callcenter.http.endpoints import Reply, takes_body
from callcenter.http.replies import ComplaintReply, NewCustomerReply
from callcenter.http.request_user import current_user
from callcenter.http.schemas import ComplaintBody, NewCustomerBody
from callcenter.keys import POOL, SETTINGS
from callcenter.services import wrapup


@takes_body(ComplaintBody, "Open a complaint (from a pop or after a call)",
            {201: Reply("opened", ComplaintReply)}, errors=(Forbidden, NotFound))
async def create_complaint(request: web.Request, body: ComplaintBody) -> web.Response:
    complaint_id = await wrapup.open_complaint(
        WrapUpStore(request.app[POOL]), current_user(request), body.customer_id,
        body.call_id, body.severity, body.description)
    return web.json_response({"complaint": {"id": complaint_id}}, status=201)


@takes_body(NewCustomerBody, "Quick-create a new caller's customer record",
            {201: Reply("created", NewCustomerReply)}, errors=(InvalidPhone,))
async def create_customer(request: web.Request, body: NewCustomerBody) -> web.Response:
    customer_id = await wrapup.quick_create_customer(
        WrapUpStore(request.app[POOL]), body.name, body.phone,
        request.app[SETTINGS].phone_region)
    return web.json_response({"customer": {"id": customer_id}}, status=201)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/complaints", create_complaint)
    app.router.add_post("/api/customers", create_customer)
