"""GET /api/customers/{id}: the customer card."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.customers import CustomerStore
from callcenter.errors import NotFound
from callcenter.http.endpoints import Reply, documented
from callcenter.http.json_body import path_id
from callcenter.http.replies import CustomerReply
from callcenter.keys import POOL
from callcenter.services.customers import customer_card


@documented("The customer card: profile, phones, vehicles, history",
            {200: Reply("the card", CustomerReply)}, errors=(NotFound,))
async def show(request: web.Request) -> web.Response:
    card = await customer_card(CustomerStore(request.app[POOL]), path_id(request))
    return web.json_response({"customer": card})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/customers/{id}", show)
