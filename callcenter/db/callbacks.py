"""The callbacks repository: today's abandoned callers not reached since, and the number
of an abandoned call to call back (queries in db/queries/callbacks.sql)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.callbacks import AbandonedCaller

Q = load_queries("callbacks")


class CallbackStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def abandoned_callers(self, since: datetime, until: datetime) -> list[AbandonedCaller]:
        """The callers whose abandoned calls started in [since, until), latest first."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["abandoned_callers"], since, until)
        return [AbandonedCaller(r["phone"], r["customer_id"], r["customer_name"],
                                r["abandoned_count"], r["last_abandoned_at"],
                                r["longest_wait_seconds"], r["ivr_choice"],
                                tuple(r["call_ids"])) for r in rows]

    async def abandoned_number(self, call_id: int) -> str | None:
        """The E.164 number of abandoned inbound call ``call_id``; None when it is no
        such call or its number cannot be dialed."""
        async with unavailable_as_domain_error():
            number: str | None = await self._pool.fetchval(Q["abandoned_number"], call_id)
        return number
