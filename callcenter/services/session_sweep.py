"""The session sweep: every ``interval`` seconds, expired sessions and forgotten login
throttle rows are deleted, and the WebSockets of sessions that ended are closed.

A session ended through this server's API closes its WebSocket at once; one that expired,
or was ended by the command line or another server, is only in PostgreSQL, and the sweep
is how the server holding its WebSocket learns of it (within ``interval``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from callcenter.db.users import SessionStore
from callcenter.domain.login_throttle import ThrottlePolicy
from callcenter.services.periodic import Periodic

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 30.0


class SessionSweep:
    """Owns its background task (services/periodic.py); a failed round is logged and
    the next one runs."""

    def __init__(self, sessions: SessionStore, policy: ThrottlePolicy, *,
                 open_sessions: Callable[[], set[bytes]],
                 end_sessions: Callable[[set[bytes]], Awaitable[None]],
                 interval: float = SWEEP_INTERVAL) -> None:
        self._sessions = sessions
        self._policy = policy
        self._open_sessions = open_sessions
        self._end_sessions = end_sessions
        self._periodic = Periodic("session sweep", self._round, interval)

    def start(self) -> None:
        self._periodic.start()

    async def close(self) -> None:
        await self._periodic.close()

    async def run_once(self) -> int:
        """One round; how many open WebSockets it closed."""
        await self._sessions.delete_expired(self._policy.forget_after.total_seconds())
        open_now = self._open_sessions()
        ended = open_now - await self._sessions.live_sessions(sorted(open_now))
        if ended:
            await self._end_sessions(ended)
        return len(ended)

    async def _round(self) -> None:
        closed = await self.run_once()
        if closed:
            log.info("closed %d WebSockets of ended sessions", closed)
