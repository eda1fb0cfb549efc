"""The reports' summaries in PostgreSQL (migration 0014): sums by bucket over a range of
days, the agents' names, and the center's time zone the summaries are counted in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.reports import CallSums, FollowupSums

Q = load_queries("reports")

# (dimension, value) -> sums, for the calls report
CallBreakdown = dict[tuple[str, str], CallSums]


class ReportStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def set_zone(self, zone: str) -> bool:
        """Count days and hours in ``zone`` from now on; True when that rebuilt the
        summaries (the zone had changed)."""
        async with unavailable_as_domain_error():
            changed: bool = await self._pool.fetchval(Q["set_zone"], zone)
        return changed

    async def followup_sums(self, start: date, end: date, by: str, kind: str | None,
                            agent_id: int | None, today: date
                            ) -> list[tuple[str, FollowupSums]]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["followup_sums"], start, end, kind, agent_id,
                                          by, today)
        return [(row["bucket"], FollowupSums.from_row(row)) for row in rows]

    async def call_sums(self, start: date, end: date, direction: str | None) -> CallBreakdown:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["call_sums"], start, end, direction)
        return {(row["dimension"], row["value"]): CallSums(
                    int(row["calls"]), int(row["answered"]), Decimal(row["talk_seconds"]),
                    int(row["wrapped"]), Decimal(row["wrap_seconds"]))
                for row in rows}

    async def completion_sums(self, start: date, end: date
                              ) -> dict[int, tuple[int, Decimal, Decimal]]:
        """agent id (0: nobody) -> (completed, score sum, highest possible sum)."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["completion_sums"], start, end)
        return {row["agent_id"]: (row["completed"], Decimal(row["score_sum"]),
                                  Decimal(row["score_max"])) for row in rows}

    async def pause_sums(self, start: date, end: date
                         ) -> list[tuple[str, str, int, Decimal]]:
        """(member as queue_log names them, reason, pauses, seconds)."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["pause_sums"], start, end)
        return [(row["member"], row["reason"], row["pauses"], Decimal(row["seconds"]))
                for row in rows]

    async def users_of_extensions(self, extensions: Iterable[str]) -> dict[str, int]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["users_of_extensions"], list(extensions))
        return {row["extension"]: row["id"] for row in rows}

    async def names_of(self, user_ids: Iterable[int]) -> dict[int, str]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["user_names"], list(user_ids))
        return {row["id"]: row["name"] for row in rows}

    async def agents(self) -> list[tuple[int, str]]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["agents"])
        return [(row["id"], row["name"]) for row in rows]
