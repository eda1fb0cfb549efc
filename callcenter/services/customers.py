"""The customer card (everything the center knows about one customer) and the search
that finds it, for the console."""

from __future__ import annotations

from typing import Any

from callcenter.db.customers import CustomerStore
from callcenter.domain.customer_search import DEFAULT_LIMIT, MAX_LIMIT, parse_query
from callcenter.errors import NotFound


async def customer_card(store: CustomerStore, customer_id: int) -> dict[str, Any]:
    card = await store.card(customer_id)
    if card is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return card


async def search_customers(store: CustomerStore, text: str,
                           limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The customers ``text`` finds (domain/customer_search.py says how it is read), at
    most ``limit`` (capped at MAX_LIMIT), and whether more were found."""
    customers, more = await store.search(parse_query(text), min(limit, MAX_LIMIT))
    return {"customers": customers, "more": more}
