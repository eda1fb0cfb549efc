"""The supervision repository: each use of listen, whisper or barge, its end, and each
forced pause or log-out is one row of the audit log (docs/supervision.md)."""

from __future__ import annotations

from typing import Any

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries

Q = load_queries("supervision")


class SupervisionAudit:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record(self, actor_id: int, action: str, target_type: str, target_id: int,
                     remote: str | None, details: dict[str, Any]) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(Q["audit"], actor_id, action, target_type,
                                     str(target_id), remote, details)

    async def record_end(self, spy_channel_id: str, at: float) -> bool:
        """The end of the supervision whose supervisor's leg is ``spy_channel_id``;
        False when its start is not on record."""
        async with unavailable_as_domain_error():
            status = await self._pool.execute(Q["audit_end"], spy_channel_id, at)
        return status == "INSERT 0 1"
