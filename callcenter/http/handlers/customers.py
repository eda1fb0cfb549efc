"""GET /api/customers?q= (the search), GET /api/customers/{id} (the card)."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.customers import CustomerStore
from callcenter.domain.customer_search import BadSearch
from callcenter.errors import NotFound
from callcenter.http.endpoints import Reply, documented, takes_query
from callcenter.http.json_body import path_id
from callcenter.http.replies import CustomerReply, CustomerSearchReply
from callcenter.http.schemas import CustomerSearchQuery
from callcenter.keys import POOL
from callcenter.services.customers import customer_card, search_customers


@takes_query(CustomerSearchQuery, "Find customers by name, phone digits, plate or VIN",
             {200: Reply("the customers found, phone matches first", CustomerSearchReply)},
             errors=(BadSearch,), description="Any signed-in user (agents and supervisors). "
             "docs/customers.md says how the text is read.")
async def search(request: web.Request, query: CustomerSearchQuery) -> web.Response:
    found = await search_customers(CustomerStore(request.app[POOL]), query.q, query.limit)
    return web.json_response(found)


@documented("The customer card: profile, phones, vehicles, history",
            {200: Reply("the card", CustomerReply)}, errors=(NotFound,))
async def show(request: web.Request) -> web.Response:
    card = await customer_card(CustomerStore(request.app[POOL]), path_id(request))
    return web.json_response({"customer": card})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/customers", search)
    app.router.add_get("/api/customers/{id}", show)
