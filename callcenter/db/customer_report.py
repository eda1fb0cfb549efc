"""The customers report's summaries in PostgreSQL (migration 0016): the counts by group,
the vehicles by delivery day, the customers in each visit state on a day, the win-back
calls, and the region tables the server fills from the phonenumbers data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries

Q = load_queries("customer_report")


@dataclass(frozen=True, slots=True)
class ReportState:
    tz: str | None  # the zone the visits' days were counted in
    regions: str | None  # the version of the region tables
    zone: str  # the center's zone now (report_zone, migration 0014)


class CustomerReportStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def state(self) -> ReportState:
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["state"])
        assert row is not None  # the migration's one row
        return ReportState(row["tz"], row["regions"], row["zone"])

    async def rebuild(self, regions: str, names: Iterable[tuple[str, str]],
                      phones: Iterable[tuple[str, str]]) -> None:
        """Replace the region tables, then every customer's region and every summary
        (one transaction: the writers of customers, phones, vehicles and orders wait)."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            await conn.execute("TRUNCATE region_names, phone_regions")
            await conn.copy_records_to_table("region_names", records=list(names))
            await conn.copy_records_to_table("phone_regions", records=list(phones))
            await conn.execute(Q["rebuild"], regions)

    async def groups(self) -> list[tuple[str, str, int]]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["groups"])
        return [(row["dimension"], row["value"], row["count"]) for row in rows]

    async def deliveries(self) -> list[tuple[date | None, int]]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["deliveries"])
        return [(row["day"], row["count"]) for row in rows]

    async def visit_states(self, day: date, lost_months: int) -> dict[str, int]:
        """measure ('grade:1', 'grade:2-3', 'grade:4+', 'lost:N') -> customers that day."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["visit_states"], day, f"lost:{lost_months}")
        return {row["measure"]: row["customers"] for row in rows}

    async def win_backs(self, start: datetime, end: datetime) -> tuple[int, int]:
        """(customers called back, those who came back) for calls completed in start..end."""
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["win_backs"], start, end)
        assert row is not None  # an aggregate's one row
        return row["called"], row["won_back"]

    async def lost_months(self) -> list[int]:
        async with unavailable_as_domain_error():
            months: list[int] = await self._pool.fetchval(Q["lost_months"])
        return months
