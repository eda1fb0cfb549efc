"""Login sessions and the session sweep on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from callcenter.db.users import SessionStore
from callcenter.domain.login_throttle import ThrottlePolicy
from callcenter.services.auth import login, token_hash, user_for_token
from callcenter.services.session_sweep import SessionSweep
from callcenter.services.users import add_user


async def test_the_sweep_deletes_expired_sessions_and_closes_their_sockets(
        pool: asyncpg.Pool) -> None:
    user_id = await add_user(pool, username="li", display_name="Li", role="agent",
                             password="correct horse 1", extension="1001")
    await pool.execute(
        "INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        token_hash("old"), user_id, datetime.now(UTC) - timedelta(minutes=1))
    sessions = SessionStore(pool)
    user, token = await login(sessions, "li", "correct horse 1")
    assert user.id == user_id
    assert await user_for_token(sessions, token) == user
    ended: list[set[bytes]] = []

    async def end(which: set[bytes]) -> None:
        ended.append(which)

    open_sockets = {token_hash(token), token_hash("old"), token_hash("never a session")}
    sweep = SessionSweep(sessions, ThrottlePolicy(), open_sessions=lambda: open_sockets,
                         end_sessions=end)
    assert await sweep.run_once() == 2
    assert ended == [{token_hash("old"), token_hash("never a session")}]
    hashes = {r["token_hash"] for r in await pool.fetch("SELECT token_hash FROM user_sessions")}
    assert hashes == {token_hash(token)}


async def test_the_sweep_forgets_old_throttle_rows(pool: asyncpg.Pool) -> None:
    await pool.execute(
        "INSERT INTO login_throttle (kind, value, failures, last_failure_at) VALUES"
        " ('username', 'old', 9, now() - interval '2 hours'),"
        " ('username', 'recent', 9, now() - interval '5 minutes')")
    async def end(_: set[bytes]) -> None:
        raise AssertionError("no WebSocket is open")

    sweep = SessionSweep(SessionStore(pool), ThrottlePolicy(), open_sessions=set,
                         end_sessions=end)
    await sweep.run_once()
    assert [r["value"] for r in await pool.fetch("SELECT value FROM login_throttle")] == [
        "recent"]
