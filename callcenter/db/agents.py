"""What an agent's queue state needs from PostgreSQL: their extension, and the answered
inbound call they still owe a wrap-up for."""

from __future__ import annotations

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries

Q = load_queries("agents")


class AgentStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def awaiting_wrap_up(self, user_id: int) -> int | None:
        """The call the agent owes a wrap-up for (answered, ended, not wrapped up)."""
        async with unavailable_as_domain_error():
            return await self._pool.fetchval(Q["awaiting_wrap_up"], user_id)

    async def extension_of(self, user_id: int) -> str | None:
        async with unavailable_as_domain_error():
            return await self._pool.fetchval(Q["extension_of"], user_id)
