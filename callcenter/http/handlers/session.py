"""POST /api/login, POST /api/logout, GET /api/me."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.auth import end_session, start_session
from callcenter.http.endpoints import Reply, documented, takes_body
from callcenter.http.replies import UserReply
from callcenter.http.request_user import current_user
from callcenter.http.schemas import LoginBody, NoBody
from callcenter.services import auth


@takes_body(LoginBody, "Log in: sets the session cookie",
            {200: Reply("the user, with the session cookie", UserReply)},
            errors=(auth.BadCredentials, auth.LoginThrottled))
async def login(request: web.Request, body: LoginBody) -> web.Response:
    return await start_session(request, body.username, body.password)


@takes_body(NoBody, "Log out: ends this session", {204: Reply("the session is gone")})
async def logout(request: web.Request, body: NoBody) -> web.Response:
    return await end_session(request)


@documented("The logged-in user", {200: Reply("the user", UserReply)})
async def me(request: web.Request) -> web.Response:
    return web.json_response({"user": current_user(request).to_dict()})


def setup(app: web.Application) -> None:
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/api/me", me)
