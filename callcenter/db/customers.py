"""The customers' repository: the card (everything the center knows about one customer)
and the search, each read in one read-only transaction, as JSON-ready values (the
service only passes them on); a lost connection leaves as DatabaseUnavailable."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.customer_search import CustomerQuery, like_prefix, merge_matches

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

    async def search(self, query: CustomerQuery, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """At most ``limit`` customers matching ``query``, the phone matches first, then
        plates, VINs, names; and whether there are more."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction(readonly=True):
            found: list[list[int]] = []
            for name, args in searches_of(query):
                found.append([r["customer_id"]
                              for r in await conn.fetch(Q[name], *args, limit + 1)])
                if len(set().union(*found)) > limit:
                    # The page is full and there are more: later searches rank after
                    # (the last 4 digits of a mobile end enough numbers to fill it, and
                    # the numbers merely holding them are not read at all).
                    break
            ids, more = merge_matches(found, limit)
            rows = await conn.fetch(Q["search_results"], ids)
        return [plain_record(r) for r in rows], more


def searches_of(query: CustomerQuery) -> list[tuple[str, tuple[str | None, ...]]]:
    """The statements ``query`` runs, with their arguments before the limit, in order."""
    searches: list[tuple[str, tuple[str | None, ...]]] = []
    if query.digits:
        searches.append(("search_phone_ends", (like_prefix(query.digits[::-1]),)))
        searches.append(("search_phone_digits", (query.digits,)))
    if query.plate_tail:
        searches.append(("search_plate_ends", (like_prefix(query.plate_tail[::-1]),)))
    if query.plate_bare:
        province = query.plate_province
        searches.append(("search_plates", (
            like_prefix(query.plate_bare),
            like_prefix(province + query.plate_bare) if province else None)))
    if query.vin_tail:
        searches.append(("search_vins", (like_prefix(query.vin_tail[::-1]),)))
    if query.name_prefix:
        searches.append(("search_names", (like_prefix(query.name_prefix),)))
    return searches
