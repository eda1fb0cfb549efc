"""The DMS files' ledger (table dms_imports, migration 0020)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.queries import load_queries

Q = load_queries("dms")


async def imported_before(conn: Connection | asyncpg.Pool, sha256: bytes) -> datetime | None:
    """When a folder file with these bytes was imported, or None."""
    return await conn.fetchval(Q["imported_before"], sha256)


async def record(conn: Connection | asyncpg.Pool, *, source: str, file_name: str, sha256: bytes,
                 status: str, report: str, pushed_by: int | None = None) -> bool:
    """Write the file's row; False when the same folder file was imported before."""
    return await conn.fetchval(Q["record"], source, file_name, sha256, status, report,
                               pushed_by) is not None


async def try_lock_inbox(conn: Connection) -> bool:
    return bool(await conn.fetchval(Q["try_lock_inbox"]))


async def unlock_inbox(conn: Connection) -> None:
    await conn.fetchval(Q["unlock_inbox"])
