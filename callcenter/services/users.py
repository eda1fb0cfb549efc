"""Creating console accounts."""

from __future__ import annotations

import asyncio

import asyncpg

from callcenter.db import users as repo
from callcenter.domain.users import check_new_user
from callcenter.services.passwords import hash_password


async def add_user(pool: asyncpg.Pool, *, username: str, display_name: str, role: str,
                   password: str, extension: str | None = None, locale: str = "zh-CN") -> int:
    check_new_user(username, role, extension, locale, password)
    # scrypt takes a good fraction of a second by design: never on the event loop.
    hashed = await asyncio.to_thread(hash_password, password)
    return await repo.insert_user(pool, username, display_name or username, role, hashed,
                                  extension, locale)
