"""The customer card: everything the center knows about one customer, for the console."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from callcenter.db.queries import load_queries
from callcenter.errors import NotFound

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


async def customer_card(pool: asyncpg.Pool, customer_id: int) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        profile = await conn.fetchrow(Q["profile"], customer_id)
        if profile is None:
            raise NotFound(f"customer {customer_id} does not exist")
        card = plain_record(profile)
        for section in SECTIONS:
            rows = await conn.fetch(Q[section], customer_id)
            card[section] = [plain_record(r) for r in rows]
    return card
