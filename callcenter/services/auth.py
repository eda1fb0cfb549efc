"""Logging in and out: opaque session tokens, stored only as their SHA-256."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from callcenter.db.users import SessionStore
from callcenter.domain.users import User
from callcenter.errors import Unauthorized
from callcenter.services.passwords import hash_password, verify_password

SESSION_LIFETIME = timedelta(hours=8)  # one shift
# Checked against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = hash_password("not a real password")


class BadCredentials(Unauthorized):
    error_id = "bad_credentials"


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def login(sessions: SessionStore, username: str, password: str) -> tuple[User, str]:
    """The user and a new session token; BadCredentials otherwise (same message either way)."""
    found = await sessions.find_login(username)
    stored = found[1] if found else _DUMMY_HASH
    # scrypt takes ~50 ms of CPU: keep it off the event loop.
    valid = await asyncio.to_thread(verify_password, password, stored)
    if found is None or not valid:
        raise BadCredentials("wrong username or password")
    token = secrets.token_urlsafe(32)
    # Sessions are never read once expired; each login clears them out.
    await sessions.delete_expired_sessions()
    await sessions.insert_session(token_hash(token), found[0].id,
                                  datetime.now(UTC) + SESSION_LIFETIME)
    return found[0], token


async def user_for_token(sessions: SessionStore, token: str) -> User | None:
    return await sessions.find_session_user(token_hash(token))


async def logout(sessions: SessionStore, token: str) -> None:
    await sessions.delete_session(token_hash(token))
