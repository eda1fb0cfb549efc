"""The customer card's repository: everything the center knows about one customer, read
in one read-only transaction, as JSON-ready values (the service only passes it on); a
lost connection leaves as DatabaseUnavailable."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries

Q = load_queries("customers")
SECTIONS = ("phones", "vehicles", "service_orders", "followups", "complaints",
            "appointments", "calls")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def plain_record(row: asyncpg.Record) -> dict[str, Any]:
    """A row as JSON-ready values (dates as ISO text, decimals as floats)."""
    return {k: _plain(v) for k, v in row.items()}


class CustomerStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def card(self, customer_id: int) -> dict[str, Any] | None:
        """The profile with one list per section; None if there is no such customer."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction(readonly=True):
            profile = await conn.fetchrow(Q["profile"], customer_id)
            if profile is None:
                return None
            card = plain_record(profile)
            for section in SECTIONS:
                card[section] = [plain_record(r) for r in await conn.fetch(Q[section],
                                                                           customer_id)]
        return card
