"""The scheduler's ledger and run log (table ``scheduler_runs``, migration 0017).

``run_once`` is the exactly-once step: in one transaction it takes the rule's advisory
lock, claims the (rule, day) row unless it is finished, runs the work on the same
connection and finishes the row, so the work and its ledger row commit together or not
at all. A failure is written afterwards in a statement of its own (the transaction
that would have held it rolled back)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries

Q = load_queries("scheduler")
# The run log keeps a failure's first lines: enough to tell what broke.
MAX_ERROR = 2000


class RunLedger:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def first_tried(self, rule: str) -> date | None:
        async with unavailable_as_domain_error():
            found: date | None = await self._pool.fetchval(Q["first_day"], rule)
        return found

    async def finished_days(self, rule: str, first: date, last: date) -> set[date]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["finished_days"], rule, first, last)
        return {r["day"] for r in rows}

    async def run_once(self, rule: str, day: date,
                       work: Callable[[Connection], Awaitable[int]],
                       now: Callable[[], datetime]) -> int | None:
        """What ``work`` made, or None when (rule, day) was already done."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            await conn.execute(Q["lock_rule"], rule)
            if await conn.fetchval(Q["claim"], rule, day, now()) is None:
                return None
            made = await work(conn)
            await conn.execute(Q["finish"], rule, day, now(), made)
        return made

    async def record_failure(self, rule: str, day: date, error: str, at: datetime) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(Q["record_failure"], rule, day, at, error[:MAX_ERROR])

    async def runs(self, first: date, last: date) -> list[dict[str, Any]]:
        """The run log as the API shows it (docs/api.md, GET /api/scheduler/runs)."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["runs"], first, last)
        return [{"rule": r["rule"], "day": r["day"].isoformat(),
                 "started_at": r["started_at"].isoformat(),
                 "finished_at": None if r["finished_at"] is None
                 else r["finished_at"].isoformat(),
                 "made": r["made"], "error": r["error"], "failures": r["failures"]}
                for r in rows]
