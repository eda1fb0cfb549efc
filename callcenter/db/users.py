"""Users and their login sessions: the accounts (insert_user, list_users) and the
SessionStore that logging in and every request's session check go through."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.users import Role, User
from callcenter.errors import Conflict

Q = load_queries("users")


def _user(row: asyncpg.Record) -> User:
    return User(row["id"], row["username"], row["display_name"], Role(row["role"]),
                row["extension"], row["locale"])


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


class SessionStore:
    """Logging in and the sessions it opens; a lost connection leaves as
    DatabaseUnavailable."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def find_login(self, username: str) -> tuple[User, str] | None:
        """The active user with this name and their password hash."""
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["find_user_by_username"], username)
        if row is None or not row["active"]:
            return None
        return _user(row), row["password_hash"]

    async def insert_session(self, token_hash: bytes, user_id: int,
                             expires_at: datetime) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(Q["insert_session"], token_hash, user_id, expires_at)

    async def find_session_user(self, token_hash: bytes) -> User | None:
        """The active user of an unexpired session."""
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["find_session_user"], token_hash)
        return None if row is None else _user(row)

    async def delete_session(self, token_hash: bytes) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(Q["delete_session"], token_hash)

    async def delete_expired_sessions(self) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(Q["delete_expired_sessions"])
