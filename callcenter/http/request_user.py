"""The logged-in user of a request and their session (set by the auth middleware)."""

from __future__ import annotations

from aiohttp import web

from callcenter.domain.users import User
from callcenter.errors import Forbidden

USER = web.RequestKey("user", User)
# The SHA-256 of the session token: what ends a session, and the WebSocket with it.
SESSION = web.RequestKey("session", bytes)


def current_user(request: web.Request) -> User:
    return request[USER]


def require_supervisor(request: web.Request) -> User:
    user = current_user(request)
    if not user.supervises:
        raise Forbidden("supervisors only")
    return user


def require_admin(request: web.Request) -> User:
    user = current_user(request)
    if not user.administers:
        raise Forbidden("admins only")
    return user
