"""Users, their login sessions and the login throttle.

``Accounts`` is what user administration goes through (list, add, change, disable, set a
password, end sessions); ``SessionStore`` is what logging in and every request's session
check go through, the throttle and the login audit included. A lost connection leaves
either as DatabaseUnavailable.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.login_throttle import KeyKind, ThrottleKey, ThrottleState
from callcenter.domain.users import Account, Role, User
from callcenter.errors import Conflict

Q = load_queries("users")


def _user(row: asyncpg.Record) -> User:
    return User(row["id"], row["username"], row["display_name"], Role(row["role"]),
                row["extension"], row["locale"], row["must_change_password"], row["mobile"])


def _taken(exc: asyncpg.UniqueViolationError) -> Conflict:
    taken = "extension" if "extension" in (exc.constraint_name or "") else "username"
    return Conflict(f"{taken} is already taken", field=taken)


async def _audit(conn: Connection | asyncpg.Pool, action: str, *, actor_id: int | None,
                 username: str, remote: str | None, details: dict[str, Any]) -> None:
    await conn.execute(Q["insert_audit"], actor_id, action, username, remote, details)


class Accounts:
    """User administration; every change is written with its audit entry, together."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def agents(self) -> list[tuple[User, bool]]:
        """Everyone who takes calls (role agent, or with an extension), by display name,
        each with whether the account is active."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["list_agents"])
        return [(_user(r), r["active"]) for r in rows]

    async def list(self, user_id: int | None = None) -> list[Account]:
        """Every account, by username; or the one with ``user_id`` (if there is one)."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["list_accounts"], user_id)
        return [Account(_user(r), r["active"], r["sessions"], r["created_at"]) for r in rows]

    async def find(self, user_id: int) -> tuple[User, bool] | None:
        """The user and whether the account is active."""
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["find_user"], user_id)
        return None if row is None else (_user(row), row["active"])

    async def find_by_username(self, username: str) -> tuple[User, bool] | None:
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["find_user_by_username"], username)
        return None if row is None else (_user(row), row["active"])

    async def insert(self, username: str, display_name: str, role: str, password_hash: str,
                     extension: str | None, locale: str, *, actor_id: int | None,
                     remote: str | None) -> int:
        async with unavailable_as_domain_error(), self._pool.acquire() as conn:
            async with conn.transaction():
                try:
                    user_id: int = await conn.fetchval(
                        Q["insert_user"], username, display_name, role, password_hash,
                        extension, locale)
                except asyncpg.UniqueViolationError as exc:
                    raise _taken(exc) from None
                await _audit(conn, "user.add", actor_id=actor_id, username=username,
                             remote=remote, details={"role": role, "extension": extension})
        return user_id

    async def update(self, user: User, changed: dict[str, Any], *, actor_id: int | None,
                     remote: str | None) -> None:
        async with unavailable_as_domain_error(), self._pool.acquire() as conn:
            async with conn.transaction():
                try:
                    await conn.execute(Q["update_user"], user.id, user.display_name,
                                       user.role.value, user.extension, user.locale,
                                       user.mobile)
                except asyncpg.UniqueViolationError as exc:
                    raise _taken(exc) from None
                await _audit(conn, "user.change", actor_id=actor_id, username=user.username,
                             remote=remote, details=changed)

    async def set_active(self, user: User, active: bool, *, actor_id: int | None,
                         remote: str | None) -> None:
        """Enable or disable; disabling ends every session of the user in the same
        transaction (the session check also refuses an inactive user's sessions)."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute(Q["set_active"], user.id, active)
                if not active:
                    await conn.execute(Q["delete_user_sessions"], user.id, None)
                await _audit(conn, "user.enable" if active else "user.disable",
                             actor_id=actor_id, username=user.username, remote=remote,
                             details={})

    async def set_password(self, user: User, password_hash: str, *, must_change: bool,
                           keep_session: bytes | None, action: str, actor_id: int | None,
                           remote: str | None) -> None:
        """A new password; every session of the user ends but ``keep_session``."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn:
            async with conn.transaction():
                await conn.execute(Q["set_password"], user.id, password_hash, must_change)
                await conn.execute(Q["delete_user_sessions"], user.id, keep_session)
                await _audit(conn, action, actor_id=actor_id, username=user.username,
                             remote=remote, details={})


class ThrottleRows:
    """The throttle states of some keys, locked for one transaction."""

    def __init__(self, conn: Connection, states: list[ThrottleState], now: datetime) -> None:
        self._conn = conn
        self.states = states
        self.now = now

    async def store(self, states: list[ThrottleState]) -> None:
        await self._conn.executemany(Q["store_throttle"], [
            (s.key.kind.value, s.key.value, s.failures, s.last_failure_at, s.blocked_until)
            for s in states])

    async def forget(self, key: ThrottleKey) -> None:
        await self._conn.execute(Q["forget_throttle"], key.kind.value, key.value)


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

    async def live_sessions(self, token_hashes: list[bytes]) -> set[bytes]:
        """Those of ``token_hashes`` that are still sessions of an active user."""
        if not token_hashes:
            return set()
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["live_sessions"], token_hashes)
        return {bytes(r["token_hash"]) for r in rows}

    async def delete_session(self, token_hash: bytes) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(Q["delete_session"], token_hash)

    async def delete_expired(self, throttle_forget_seconds: float) -> None:
        """Expired sessions, and throttle rows whose failures are forgotten anyway."""
        async with unavailable_as_domain_error():
            await self._pool.execute(Q["delete_expired_sessions"])
            await self._pool.execute(Q["forget_old_throttles"], throttle_forget_seconds)

    async def audit(self, action: str, *, actor_id: int | None, username: str,
                    remote: str | None, details: dict[str, Any]) -> None:
        async with unavailable_as_domain_error():
            await _audit(self._pool, action, actor_id=actor_id, username=username,
                         remote=remote, details=details)

    @contextlib.asynccontextmanager
    async def locked_throttle(self, keys: list[ThrottleKey]) -> AsyncIterator[ThrottleRows]:
        """The keys' states (and the database's time), locked against every other login
        attempt on them until the block ends; what it stores commits at its end."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn:
            async with conn.transaction():
                for key in sorted(keys, key=lambda k: (k.kind.value, k.value)):
                    await conn.execute(Q["lock_throttle_key"], key.kind.value, key.value)
                rows = await conn.fetch(Q["throttle_states"], [k.kind.value for k in keys],
                                        [k.value for k in keys])
                states = [ThrottleState(ThrottleKey(KeyKind(r["kind"]), r["value"]),
                                        r["failures"] or 0, r["last_failure_at"],
                                        r["blocked_until"]) for r in rows]
                yield ThrottleRows(conn, states, rows[0]["now"])
