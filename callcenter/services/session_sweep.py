"""The session sweep: every ``interval`` seconds, expired sessions and forgotten login
throttle rows are deleted, and the WebSockets of sessions that ended are closed.

A session ended through this server's API closes its WebSocket at once; one that expired,
or was ended by the command line or another server, is only in PostgreSQL, and the sweep
is how the server holding its WebSocket learns of it (within ``interval``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from callcenter.db.users import SessionStore
from callcenter.domain.login_throttle import ThrottlePolicy
from callcenter.errors import CallcenterError

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 30.0


class SessionSweep:
    """Owns its background task; a failed round is logged and the next one runs."""

    def __init__(self, sessions: SessionStore, policy: ThrottlePolicy, *,
                 open_sessions: Callable[[], set[bytes]],
                 end_sessions: Callable[[set[bytes]], Awaitable[None]],
                 interval: float = SWEEP_INTERVAL) -> None:
        self._sessions = sessions
        self._policy = policy
        self._open_sessions = open_sessions
        self._end_sessions = end_sessions
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the session sweep is already running")
        self._task = asyncio.create_task(self._run(), name="session-sweep")

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def run_once(self) -> int:
        """One round; how many open WebSockets it closed."""
        await self._sessions.delete_expired(self._policy.forget_after.total_seconds())
        open_now = self._open_sessions()
        ended = open_now - await self._sessions.live_sessions(sorted(open_now))
        if ended:
            await self._end_sessions(ended)
        return len(ended)

    async def _run(self) -> None:
        while True:
            try:
                closed = await self.run_once()
                if closed:
                    log.info("closed %d WebSockets of ended sessions", closed)
            except CallcenterError as exc:  # PostgreSQL away: the next round tries again
                log.warning("session sweep: %s", exc.message)
            except Exception:
                log.exception("session sweep failed")
            await asyncio.sleep(self._interval)
