"""What the supervisors' board reads from PostgreSQL: the people with a phone, their
calls and talk time today, and the customers' names its calls show."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries

Q = load_queries("board")


@dataclass(frozen=True, slots=True)
class BoardAgent:
    id: int
    display_name: str
    extension: str
    role: str


@dataclass(frozen=True, slots=True)
class AgentDay:
    calls: int
    talk_seconds: float


class BoardStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def agents(self) -> list[BoardAgent]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["agents"])
        return [BoardAgent(r["id"], r["display_name"], r["extension"], r["role"])
                for r in rows]

    async def days(self, agent_ids: Iterable[int], since: datetime) -> dict[int, AgentDay]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["day_of_agents"], list(agent_ids), since)
        return {r["agent_id"]: AgentDay(r["calls"], float(r["talk_seconds"])) for r in rows}

    async def owing_wrap_up(self, agent_ids: Iterable[int]) -> set[int]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["waiting_wrap_ups"], list(agent_ids))
        return {r["agent_id"] for r in rows}

    async def customer_names(self, ids: Iterable[int]) -> dict[int, str]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["customer_names"], list(ids))
        return {r["id"]: r["name"] for r in rows}
