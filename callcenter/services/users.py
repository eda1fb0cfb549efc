"""Creating console accounts."""

from __future__ import annotations

import asyncpg

from callcenter.db import users as repo
from callcenter.domain.users import check_new_user
from callcenter.services.passwords import hash_password


async def add_user(pool: asyncpg.Pool, *, username: str, display_name: str, role: str,
                   password: str, extension: str | None = None, locale: str = "zh-CN") -> int:
    check_new_user(username, role, extension, locale, password)
    return await repo.insert_user(pool, username, display_name or username, role,
                                  hash_password(password), extension, locale)
