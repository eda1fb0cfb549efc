"""The customer card: everything the center knows about one customer, for the console."""

from __future__ import annotations

from typing import Any

from callcenter.db.customers import CustomerStore
from callcenter.errors import NotFound


async def customer_card(store: CustomerStore, customer_id: int) -> dict[str, Any]:
    card = await store.card(customer_id)
    if card is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return card
