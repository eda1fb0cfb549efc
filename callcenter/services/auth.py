"""Logging in and out: opaque session tokens, stored only as their SHA-256, and the login
throttle (domain/login_throttle.py) in front of every password check.

Every failed login, every block it imposes and every login are written to the audit log
(``login.failed``, ``login.throttled``, ``login``); an attempt refused while its
username or address is blocked is answered 429 and not written, so a flood of refused
attempts costs neither a password check nor an audit row.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import secrets
from datetime import UTC, datetime, timedelta

from callcenter.db.users import SessionStore
from callcenter.domain.login_throttle import (
    Refused,
    ThrottlePolicy,
    ThrottleState,
    attempt,
    keys_of,
    succeeded,
)
from callcenter.domain.users import User
from callcenter.errors import CallcenterError, Unauthorized
from callcenter.services.passwords import hash_password, verify_password

SESSION_LIFETIME = timedelta(hours=8)  # one shift
# Checked against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = hash_password("not a real password")


class BadCredentials(Unauthorized):
    error_id = "bad_credentials"


class LoginThrottled(CallcenterError):
    """Too many failed logins for this username or from this address; ``retry_after``
    (seconds, also the Retry-After header) says when the next attempt is looked at."""

    error_id = "login_throttled"
    http_status = 429


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def check_password(sessions: SessionStore, username: str, password: str, *,
                         client: str | None, policy: ThrottlePolicy) -> User:
    """The active user whose password this is, through the throttle: LoginThrottled
    while blocked, BadCredentials (same message for an unknown user) otherwise."""
    keys = keys_of(username, client)
    async with sessions.locked_throttle(keys) as rows:
        counted = attempt(policy, rows.states, rows.now)
        if not isinstance(counted, Refused):
            await rows.store(counted)
    if isinstance(counted, Refused):
        raise LoginThrottled("too many failed logins: try again later",
                             retry_after=max(1, math.ceil(counted.retry_after)))
    found = await sessions.find_login(username)
    stored = found[1] if found else _DUMMY_HASH
    # scrypt takes ~50 ms of CPU: keep it off the event loop.
    valid = await asyncio.to_thread(verify_password, password, stored)
    if found is None or not valid:
        await _audit_failure(sessions, username, client, counted)
        raise BadCredentials("wrong username or password")
    async with sessions.locked_throttle(keys) as rows:
        for state in rows.states:
            after = succeeded(policy, state)
            await (rows.forget(state.key) if after is None else rows.store([after]))
    return found[0]


async def _audit_failure(sessions: SessionStore, username: str, client: str | None,
                         counted: list[ThrottleState]) -> None:
    name = username[:200]
    await sessions.audit("login.failed", actor_id=None, username=name, remote=client,
                         details={"failures": {s.key.kind.value: s.failures for s in counted}})
    for state in counted:
        if state.blocked_until is not None and state.last_failure_at is not None:
            seconds = (state.blocked_until - state.last_failure_at).total_seconds()
            await sessions.audit("login.throttled", actor_id=None, username=name,
                                 remote=client, details={
                                     "key": state.key.kind.value, "failures": state.failures,
                                     "blocked_seconds": seconds})


async def login(sessions: SessionStore, username: str, password: str, *,
                client: str | None = None,
                policy: ThrottlePolicy | None = None) -> tuple[User, str]:
    """The user and a new session token; BadCredentials or LoginThrottled otherwise."""
    user = await check_password(sessions, username, password, client=client,
                                policy=policy or ThrottlePolicy())
    token = secrets.token_urlsafe(32)
    await sessions.insert_session(token_hash(token), user.id,
                                  datetime.now(UTC) + SESSION_LIFETIME)
    await sessions.audit("login", actor_id=user.id, username=user.username, remote=client,
                         details={})
    return user, token


async def user_for_token(sessions: SessionStore, token: str) -> User | None:
    return await sessions.find_session_user(token_hash(token))


async def logout(sessions: SessionStore, token: str) -> None:
    await sessions.delete_session(token_hash(token))
