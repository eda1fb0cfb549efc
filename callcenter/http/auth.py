"""Who is asking: the session cookie, checked once per request by a middleware."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from callcenter.db.users import SessionStore
from callcenter.errors import Unauthorized
from callcenter.http.request_user import USER
from callcenter.keys import POOL
from callcenter.services.auth import user_for_token

SESSION_COOKIE = "cc_session"
# Reachable without a session: logging in, the health probe, the console's own files.
PUBLIC_API = frozenset({"/api/login"})


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/") and request.path not in PUBLIC_API:
        token = request.cookies.get(SESSION_COOKIE, "")
        user = await user_for_token(SessionStore(request.app[POOL]), token) if token else None
        if user is None:
            raise Unauthorized("please log in")
        request[USER] = user
    return await handler(request)

