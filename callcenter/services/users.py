"""User administration (admins, through the API or the CLI) and changing one's own password.

An actor of None is the command line (someone with the server's database credentials).
Every change is written to the audit log with its actor. Disabling a user ends their
sessions in the same transaction; resetting a password ends them too and makes the next
login change it. What the server holds for a session beyond the database (an open
WebSocket) is the caller's to end: it gets the user back and knows the sessions are gone.
An admin cannot disable their own account nor take away their own admin role, so an
administered server always keeps an admin who can undo a mistake.

Supervisors (and admins) also get the list of agents by name, to choose one in a search.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, replace

import asyncpg

from callcenter.db.users import Accounts, SessionStore
from callcenter.domain.login_throttle import ThrottlePolicy
from callcenter.domain.users import (
    Account,
    AccountChange,
    Role,
    User,
    check_new_user,
    check_password,
)
from callcenter.errors import Conflict, Forbidden, NotFound, ValidationError
from callcenter.services.auth import check_password as check_current_password
from callcenter.services.passwords import hash_password


class OwnAccount(Conflict):
    """An admin disabling their own account or taking away their own admin role."""

    error_id = "own_account"


class UserAdmin:
    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts

    async def list(self) -> list[Account]:
        return await self._accounts.list()

    async def account(self, user_id: int) -> Account:
        found = await self._accounts.list(user_id)
        if not found:
            raise NotFound("no such user", user_id=user_id)
        return found[0]

    async def get(self, user_id: int) -> tuple[User, bool]:
        found = await self._accounts.find(user_id)
        if found is None:
            raise NotFound("no such user", user_id=user_id)
        return found

    async def id_of(self, username: str) -> int:
        found = await self._accounts.find_by_username(username)
        if found is None:
            raise NotFound(f"no user {username!r}", username=username)
        return found[0].id

    async def add(self, actor: User | None, *, username: str, display_name: str, role: str,
                  password: str, extension: str | None = None, locale: str = "zh-CN",
                  remote: str | None = None) -> int:
        check_new_user(username, role, extension, locale, password)
        # scrypt takes a good fraction of a second by design: never on the event loop.
        hashed = await asyncio.to_thread(hash_password, password)
        return await self._accounts.insert(
            username, display_name.strip() or username, role, hashed, extension, locale,
            actor_id=_id(actor), remote=remote)

    async def change(self, actor: User | None, user_id: int, change: AccountChange, *,
                     remote: str | None = None) -> User:
        user, _ = await self.get(user_id)
        changed = change.applied_to(user)
        if _is_self(actor, user) and changed.role is not Role.ADMIN:
            raise OwnAccount("you cannot take away your own admin role")
        fields = {name: value for name, value in asdict(changed).items()
                  if value != getattr(user, name)}
        if fields:
            await self._accounts.update(changed, fields, actor_id=_id(actor), remote=remote)
        return changed

    async def set_active(self, actor: User | None, user_id: int, active: bool, *,
                         remote: str | None = None) -> User:
        user, _ = await self.get(user_id)
        if not active and _is_self(actor, user):
            raise OwnAccount("you cannot disable your own account")
        await self._accounts.set_active(user, active, actor_id=_id(actor), remote=remote)
        return user

    async def reset_password(self, actor: User | None, user_id: int, password: str, *,
                             remote: str | None = None) -> User:
        """A temporary password that must be changed at the next login."""
        user, _ = await self.get(user_id)
        check_password(password)
        hashed = await asyncio.to_thread(hash_password, password)
        await self._accounts.set_password(user, hashed, must_change=True, keep_session=None,
                                          action="user.password_reset",
                                          actor_id=_id(actor), remote=remote)
        return user


async def change_own_password(accounts: Accounts, sessions: SessionStore, user: User, *,
                              current: str, new: str, session: bytes, client: str | None,
                              policy: ThrottlePolicy) -> User:
    """The user's new password; their other sessions end, this one stays. The current
    password is checked through the login throttle: a stolen session cannot be used to
    guess it faster than a login could."""
    check_password(new, "new_password")
    if new == current:
        raise ValidationError("new_password: the same as the current one",
                              field="new_password")
    await check_current_password(sessions, user.username, current, client=client,
                                 policy=policy)
    hashed = await asyncio.to_thread(hash_password, new)
    await accounts.set_password(user, hashed, must_change=False, keep_session=session,
                                action="user.password_change", actor_id=user.id,
                                remote=client)
    return replace(user, must_change_password=False)


async def list_agents(accounts: Accounts, actor: User) -> list[dict[str, object]]:
    """Everyone who takes calls, for a supervisor to choose by name: disabled accounts
    too (their recordings stay searchable), marked as such."""
    if not actor.supervises:
        raise Forbidden("supervisors only")
    return [{"id": user.id, "display_name": user.display_name, "extension": user.extension,
             "active": active} for user, active in await accounts.agents()]


async def add_user(pool: asyncpg.Pool, *, username: str, display_name: str, role: str,
                   password: str, extension: str | None = None, locale: str = "zh-CN") -> int:
    """An account created outside any admin session (the command line, test seeds)."""
    return await UserAdmin(Accounts(pool)).add(
        None, username=username, display_name=display_name, role=role, password=password,
        extension=extension, locale=locale)


def _id(actor: User | None) -> int | None:
    return None if actor is None else actor.id


def _is_self(actor: User | None, user: User) -> bool:
    return actor is not None and actor.id == user.id
