"""Users repository."""

from __future__ import annotations

import asyncpg

from callcenter.db.queries import load_queries
from callcenter.errors import Conflict

Q = load_queries("users")


async def insert_user(pool: asyncpg.Pool, username: str, display_name: str, role: str,
                      password_hash: str, extension: str | None, locale: str) -> int:
    try:
        return await pool.fetchval(Q["insert_user"], username, display_name, role,
                                   password_hash, extension, locale)
    except asyncpg.UniqueViolationError as exc:
        taken = "extension" if "extension" in (exc.constraint_name or "") else "username"
        raise Conflict(f"{taken} is already taken", field=taken) from None


async def list_users(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(Q["list_users"])
