"""POST /api/login, POST /api/logout, GET /api/me."""

from __future__ import annotations

from aiohttp import web

from callcenter.db.users import SessionStore
from callcenter.http.auth import SESSION_COOKIE
from callcenter.http.endpoints import Reply, documented, takes_body
from callcenter.http.replies import UserReply
from callcenter.http.request_user import current_user
from callcenter.http.schemas import LoginBody, NoBody
from callcenter.keys import POOL
from callcenter.services import auth


@takes_body(LoginBody, "Log in: sets the session cookie",
            {200: Reply("the user, with the session cookie", UserReply)},
            errors=(auth.BadCredentials,))
async def login(request: web.Request, body: LoginBody) -> web.Response:
    user, token = await auth.login(SessionStore(request.app[POOL]), body.username,
                                   body.password)
    response = web.json_response({"user": user.to_dict()})
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict",
                        secure=request.secure, path="/",
                        max_age=int(auth.SESSION_LIFETIME.total_seconds()))
    return response


@takes_body(NoBody, "Log out: ends this session", {204: Reply("the session is gone")})
async def logout(request: web.Request, body: NoBody) -> web.Response:
    await auth.logout(SessionStore(request.app[POOL]), request.cookies.get(SESSION_COOKIE, ""))
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@documented("The logged-in user", {200: Reply("the user", UserReply)})
async def me(request: web.Request) -> web.Response:
    return web.json_response({"user": current_user(request).to_dict()})


def setup(app: web.Application) -> None:
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/api/me", me)
