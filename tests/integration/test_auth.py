"""Login sessions on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from callcenter.db.users import SessionStore
from callcenter.services.auth import login, token_hash, user_for_token
from callcenter.services.users import add_user


async def test_a_login_clears_expired_sessions(pool: asyncpg.Pool) -> None:
    user_id = await add_user(pool, username="li", display_name="Li", role="agent",
                             password="correct horse 1", extension="1001")
    await pool.execute(
        "INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        token_hash("old"), user_id, datetime.now(UTC) - timedelta(minutes=1))
    sessions = SessionStore(pool)
    user, token = await login(sessions, "li", "correct horse 1")
    assert user.id == user_id
    assert await user_for_token(sessions, token) == user
    hashes = {r["token_hash"] for r in await pool.fetch("SELECT token_hash FROM user_sessions")}
    assert hashes == {token_hash(token)}
