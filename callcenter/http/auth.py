"""Who is asking: the session cookie, checked once per request by a middleware; and
opening and ending a session (the cookie's name and flags: http/security.py).

A user whose password was reset by an admin may, until they change it, reach only
``PASSWORD_CHANGE_ONLY``: every other route answers 403 ``password_change_required``.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from callcenter.db.users import SessionStore
from callcenter.errors import Forbidden, Unauthorized
from callcenter.http.request_user import SESSION, USER
from callcenter.http.security import COOKIE, SECURE_COOKIE, SECURITY
from callcenter.keys import POOL
from callcenter.services import auth

# Reachable without a session: logging in, the health probe, the console's own files.
PUBLIC_API = frozenset({"/api/login"})
PASSWORD_CHANGE_ONLY = frozenset({"/api/me", "/api/logout", "/api/password"})
# Reachable with an Authorization header instead of a session: the DMS's file push,
# whose handler checks the integration token (http/handlers/imports.py).
TOKEN_API = frozenset({"/api/imports"})


class PasswordChangeRequired(Forbidden):
    error_id = "password_change_required"


def session_token(request: web.Request) -> str:
    return request.cookies.get(request.app[SECURITY].cookie_name(request), "")


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/") and request.path not in PUBLIC_API:
        token = session_token(request)
        user = await auth.user_for_token(SessionStore(request.app[POOL]), token) if token else None
        if user is None:
            if request.path in TOKEN_API and "Authorization" in request.headers:
                return await handler(request)
            raise Unauthorized("please log in")
        if user.must_change_password and request.path not in PASSWORD_CHANGE_ONLY:
            raise PasswordChangeRequired("change your password first")
        request[USER] = user
        request[SESSION] = auth.token_hash(token)
    return await handler(request)


async def start_session(request: web.Request, username: str, password: str) -> web.Response:
    """POST /api/login: the user, and the session cookie."""
    security = request.app[SECURITY]
    user, token = await auth.login(SessionStore(request.app[POOL]), username, password,
                                   client=security.client(request), policy=security.throttle)
    response = web.json_response({"user": user.to_dict()})
    response.set_cookie(security.cookie_name(request), token, httponly=True,
                        samesite="Strict", secure=security.secure(request), path="/",
                        max_age=int(auth.SESSION_LIFETIME.total_seconds()))
    return response


async def end_session(request: web.Request) -> web.Response:
    """POST /api/logout: the session is gone, and the cookie (either name) with it."""
    await auth.logout(SessionStore(request.app[POOL]), session_token(request))
    response = web.Response(status=204)
    for name in (COOKIE, SECURE_COOKIE):
        if name in request.cookies:
            response.del_cookie(name, path="/", secure=name == SECURE_COOKIE)
    return response
