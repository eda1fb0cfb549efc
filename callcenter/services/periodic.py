"""A round of work run every ``interval`` seconds in a background task the owner starts
and closes: a failed round is logged (briefly when PostgreSQL is away) and the next one
runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from callcenter.errors import CallcenterError

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, round_: Callable[[], Awaitable[object]],
                 interval: float) -> None:
        self._name = name
        self._round = round_
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError(f"{self._name} is already running")
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        while True:
            try:
                await self._round()
            except CallcenterError as exc:  # PostgreSQL away: the next round tries again
                log.warning("%s: %s", self._name, exc.message)
            except Exception:
                log.exception("%s failed", self._name)
            await asyncio.sleep(self._interval)
