"""User administration for admins, and changing one's own password.

GET /api/users, POST /api/users, PATCH /api/users/{id}, POST /api/users/{id}/disable,
POST /api/users/{id}/enable, POST /api/users/{id}/password (an admin's reset: a
temporary password the user must change), POST /api/password (the user's own change).

Disabling a user or resetting their password ends their sessions (services/users.py)
and closes their open WebSockets here at once; a disabled agent is also taken out of the
hotline queue, so the queue stops ringing a phone nobody may answer from the console.
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, Field

from callcenter.db.users import Accounts, SessionStore
from callcenter.domain.users import AccountChange, User
from callcenter.errors import CallcenterError, Conflict, Forbidden, NotFound
from callcenter.http.endpoints import Reply, documented, takes_body
from callcenter.http.json_body import path_id
from callcenter.http.replies import User as UserModel
from callcenter.http.replies import UserReply
from callcenter.http.request_user import SESSION, current_user, require_admin
from callcenter.http.schemas import Body, NoBody, line, text
from callcenter.http.security import SECURITY
from callcenter.keys import AMI, HUB, POOL
from callcenter.services import agents
from callcenter.services.auth import BadCredentials, LoginThrottled
from callcenter.services.users import OwnAccount, UserAdmin, change_own_password

log = logging.getLogger(__name__)

Role = Literal["agent", "supervisor", "admin"]
Locale = Literal["zh-CN", "en"]
Username = Annotated[str, Field(pattern=r"^[a-z0-9_.-]{2,64}$")]
Extension = Annotated[str, Field(pattern=r"^[0-9]{2,8}$")]
Password = Annotated[str, text(200, 10)]


class NewUserBody(Body):
    username: Username
    display_name: Annotated[str, line(100)] = ""
    role: Role = "agent"
    extension: Extension | None = None
    locale: Locale = "zh-CN"
    password: Password


class UserChangeBody(Body):
    """Only the fields given change; ``extension: null`` takes the extension away, and
    ``mobile: null`` the mobile number."""

    display_name: Annotated[str, line(100)] | None = None
    role: Role | None = None
    extension: Extension | None = Field(default=None)
    locale: Locale | None = None
    mobile: Annotated[str, line(16, 1)] | None = Field(
        default=None, description="E.164: where a late complaint step's SMS goes")


class PasswordResetBody(Body):
    password: Password = Field(description="a temporary password, changed at next login")


class PasswordChangeBody(Body):
    current_password: Annotated[str, text(200, 1)]
    new_password: Password


class Account(UserModel):
    must_change_password: bool
    mobile: str | None
    active: bool
    sessions: int = Field(description="unexpired sessions")
    created_at: str


class AccountList(BaseModel):
    items: list[Account]


class AccountReply(BaseModel):
    user: Account


# Every admin route refuses a non-admin (403 forbidden); those with an id, a missing one.
ADMIN_ONLY: tuple[type[CallcenterError], ...] = (Forbidden,)
ADMIN_ERRORS: tuple[type[CallcenterError], ...] = (Forbidden, NotFound)


def _admin(request: web.Request) -> tuple[UserAdmin, User, str | None]:
    actor = require_admin(request)
    return (UserAdmin(Accounts(request.app[POOL])), actor,
            request.app[SECURITY].client(request))


async def _account(admin: UserAdmin, user_id: int) -> web.Response:
    return web.json_response({"user": (await admin.account(user_id)).to_dict()})


async def _leave_queue(request: web.Request, user: User) -> None:
    """Out of the hotline queue; the change stands even when Asterisk is away."""
    if user.extension is None:
        return
    try:
        await agents.log_out(request.app[AMI], user)
    except CallcenterError as exc:
        log.warning("user %s: could not take extension %s out of the queue: %s",
                    user.username, user.extension, exc.message)


@documented("Every account (admins)", {200: Reply("the accounts", AccountList)},
           errors=ADMIN_ONLY)
async def list_users(request: web.Request) -> web.Response:
    admin, _, _ = _admin(request)
    return web.json_response({"items": [a.to_dict() for a in await admin.list()]})


@takes_body(NewUserBody, "Create an account (admins)",
            {201: Reply("the new account", AccountReply)}, errors=(*ADMIN_ONLY, Conflict))
async def add_user(request: web.Request, body: NewUserBody) -> web.Response:
    admin, actor, client = _admin(request)
    user_id = await admin.add(actor, username=body.username, display_name=body.display_name,
                              role=body.role, password=body.password,
                              extension=body.extension, locale=body.locale, remote=client)
    response = await _account(admin, user_id)
    response.set_status(201)
    return response


@takes_body(UserChangeBody, "Change an account's name, role, extension or language (admins)",
            {200: Reply("the account", AccountReply)},
            errors=(*ADMIN_ERRORS, Conflict, OwnAccount))
async def change_user(request: web.Request, body: UserChangeBody) -> web.Response:
    admin, actor, client = _admin(request)
    user_id = path_id(request)
    before, _ = await admin.get(user_id)
    change = AccountChange(display_name=body.display_name, role=body.role,
                           extension=body.extension,
                           clear_extension="extension" in body.model_fields_set
                           and body.extension is None,
                           locale=body.locale, mobile=body.mobile,
                           clear_mobile="mobile" in body.model_fields_set
                           and body.mobile is None)
    after = await admin.change(actor, user_id, change, remote=client)
    if before.extension is not None and after.extension != before.extension:
        await _leave_queue(request, before)  # its old phone must stop ringing
    return await _account(admin, user_id)


async def _set_active(request: web.Request, active: bool) -> web.Response:
    admin, actor, client = _admin(request)
    user_id = path_id(request)
    user = await admin.set_active(actor, user_id, active, remote=client)
    if not active:
        await request.app[HUB].end_user(user_id)
        await _leave_queue(request, user)
    return await _account(admin, user_id)


@takes_body(NoBody, "Disable an account (admins): its sessions end, its WebSockets close",
            {200: Reply("the account", AccountReply)}, errors=(*ADMIN_ERRORS, OwnAccount))
async def disable_user(request: web.Request, body: NoBody) -> web.Response:
    return await _set_active(request, False)


@takes_body(NoBody, "Enable an account again (admins)",
            {200: Reply("the account", AccountReply)}, errors=ADMIN_ERRORS)
async def enable_user(request: web.Request, body: NoBody) -> web.Response:
    return await _set_active(request, True)


@takes_body(PasswordResetBody, "Reset a password (admins): a temporary one, to be changed "
            "at the next login; the user's sessions end",
            {200: Reply("the account", AccountReply)}, errors=ADMIN_ERRORS)
async def reset_password(request: web.Request, body: PasswordResetBody) -> web.Response:
    admin, actor, client = _admin(request)
    user_id = path_id(request)
    await admin.reset_password(actor, user_id, body.password, remote=client)
    await request.app[HUB].end_user(user_id)
    return await _account(admin, user_id)


@takes_body(PasswordChangeBody, "Change one's own password; the other sessions end",
            {200: Reply("the user", UserReply)}, errors=(BadCredentials, LoginThrottled))
async def change_password(request: web.Request, body: PasswordChangeBody) -> web.Response:
    security, pool = request.app[SECURITY], request.app[POOL]
    session = request[SESSION]
    user = await change_own_password(
        Accounts(pool), SessionStore(pool), current_user(request),
        current=body.current_password, new=body.new_password, session=session,
        client=security.client(request), policy=security.throttle)
    hub = request.app[HUB]
    await hub.end_sessions({s for s in hub.sessions_of(user.id) if s != session})
    return web.json_response({"user": user.to_dict()})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/users", list_users)
    app.router.add_post("/api/users", add_user)
    app.router.add_patch("/api/users/{id}", change_user)
    app.router.add_post("/api/users/{id}/disable", disable_user)
    app.router.add_post("/api/users/{id}/enable", enable_user)
    app.router.add_post("/api/users/{id}/password", reset_password)
    app.router.add_post("/api/password", change_password)
