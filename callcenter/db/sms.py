"""The SMS outbox table: queued messages and their delivery attempts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.queries import load_queries

Q = load_queries("sms")


async def insert_sms(conn: Connection, customer_id: int | None, phone: str, kind: str,
                     body: str, dedupe_key: str) -> int | None:
    """The new message's id, or None when a message with this dedupe key exists."""
    return await conn.fetchval(Q["insert_sms"], customer_id, phone, kind, body, dedupe_key)


async def claim_next(conn: Connection, skip_ids: Collection[int], now: datetime, *,
                     quiet: bool = False) -> asyncpg.Record | None:
    """Lock the next message due at ``now`` (inside the caller's transaction); in quiet
    hours only messages to staff."""
    return await conn.fetchrow(Q["claim_next"], list(skip_ids), now, quiet)


async def hold_until(conn: Connection, end: datetime) -> int:
    """Move customers' pending messages due before ``end`` to ``end``; how many."""
    status = await conn.execute(Q["hold_until"], end)
    return int(status.split()[-1])


async def mark_sent(conn: Connection, message_id: int) -> None:
    await conn.execute(Q["mark_sent"], message_id)


async def mark_failed(conn: Connection, message_id: int, error: str,
                      retry_in_seconds: float) -> None:
    await conn.execute(Q["mark_failed"], message_id, error, retry_in_seconds)
