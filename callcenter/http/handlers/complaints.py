"""POST /api/complaints (from a screen-pop or a call) and POST /api/customers (a new
caller's quick-created record)."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.wrapup import WrapUpStore
from callcenter.http.json_body import read_json
from callcenter.http.request_user import current_user
from callcenter.keys import POOL, SETTINGS
from callcenter.services import wrapup


async def create_complaint(request: web.Request) -> web.Response:
    complaint_id = await wrapup.open_complaint(WrapUpStore(request.app[POOL]),
                                               current_user(request), await read_json(request))
    return web.json_response({"complaint": {"id": complaint_id}}, status=201)


async def create_customer(request: web.Request) -> web.Response:
    customer_id = await wrapup.quick_create_customer(WrapUpStore(request.app[POOL]),
                                                     await read_json(request),
                                                     request.app[SETTINGS].phone_region)
    return web.json_response({"customer": {"id": customer_id}}, status=201)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/complaints", create_complaint)
    app.router.add_post("/api/customers", create_customer)
