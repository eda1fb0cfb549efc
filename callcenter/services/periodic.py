"""Background work its owner starts and closes: ``Background`` owns one task (started
once, cancelled and awaited on close); ``Periodic`` runs a round every ``interval``
seconds in one, a failed round logged (briefly when PostgreSQL is away) and the next
one run."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from callcenter.errors import CallcenterError

log = logging.getLogger(__name__)


class Background:
    """One named task running ``run()`` from ``start`` until ``close``."""

    def __init__(self, name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._name = name
        self._run = run
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


class Periodic(Background):
    def __init__(self, name: str, round_: Callable[[], Awaitable[object]],
                 interval: float) -> None:
        super().__init__(name, self._rounds)
        self._round = round_
        self._interval = interval

    async def _rounds(self) -> None:
        while True:
            try:
                await self._round()
            except CallcenterError as exc:  # PostgreSQL away: the next round tries again
                log.warning("%s: %s", self._name, exc.message)
            except Exception:
                log.exception("%s failed", self._name)
            await asyncio.sleep(self._interval)
