"""Polling for tests that watch state owned by another task or process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0,
                     every: float = 0.02) -> None:
    """Wait until ``predicate()`` is true; TimeoutError after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - the state lives outside our control
            await asyncio.sleep(every)


async def first_result(fetch: Callable[[], Awaitable[T]], timeout: float = 5.0,
                       every: float = 0.1) -> T:
    """Await ``fetch()`` until it returns something truthy, and return that."""
    async with asyncio.timeout(timeout):
        while not (result := await fetch()):  # noqa: ASYNC110 - state in another process
            await asyncio.sleep(every)
        return result
