"""POST /api/login, POST /api/logout, GET /api/me."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.users import SessionStore
from callcenter.http.auth import SESSION_COOKIE
from callcenter.http.json_body import read_json, require_str
from callcenter.http.request_user import current_user
from callcenter.keys import POOL
from callcenter.services import auth


async def login(request: web.Request) -> web.Response:
    body = await read_json(request)
    user, token = await auth.login(SessionStore(request.app[POOL]), require_str(body, "username"),
                                   require_str(body, "password"))
    response = web.json_response({"user": user.to_dict()})
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict",
                        secure=request.secure, path="/",
                        max_age=int(auth.SESSION_LIFETIME.total_seconds()))
    return response


async def logout(request: web.Request) -> web.Response:
    await auth.logout(SessionStore(request.app[POOL]), request.cookies.get(SESSION_COOKIE, ""))
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    return web.json_response({"user": current_user(request).to_dict()})


def setup(app: web.Application) -> None:
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/api/me", me)
