"""The WebSocket hub: pushes call states and screen-pops to the user they concern.

Every message carries a sequence number. A console that reconnects with
``/api/ws?since=N`` is sent what it missed after N (the hub keeps each user's recent
messages), then the current state: the pops ringing it and its calls in progress.
Each connection has its own bounded queue and writer task, so a slow browser never
delays the AMI event stream that publishes into the hub; a connection whose queue
overflows is closed, and its console reconnects.

When the server stops, ``Hub.close`` (the application's on_shutdown) closes every
WebSocket with 1001 (going away): the handlers return at once instead of holding the
stop until aiohttp's shutdown timeout, and the consoles know to reconnect.

A WebSocket lives no longer than the session it was opened with: ``end_sessions``
closes those of sessions that ended (a user disabled or their password reset, through
the API at once; expired, or ended by the command line, at the next session sweep:
services/session_sweep.py) with ``SESSION_ENDED``, and the console then asks whether it
is still logged in instead of reconnecting.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from callcenter.domain.users import User
from callcenter.http.request_user import SESSION, current_user

log = logging.getLogger(__name__)

QUEUE_LIMIT = 256
CLOSE_WAIT = 0.5  # seconds a console has to answer the server's close frame
HISTORY = 200  # per user: what a console reconnecting after a blip can be sent again
SESSION_ENDED = 4401  # an application close code (4000-4999), after HTTP's 401
Message = dict[str, Any]


async def _nothing(user: User) -> list[Message]:
    return []


class _Connection:
    def __init__(self, ws: web.WebSocketResponse, session: bytes) -> None:
        self.ws = ws
        self.session = session
        self.queue: asyncio.Queue[Message] = asyncio.Queue(QUEUE_LIMIT)
        self.writer: asyncio.Task[Any] = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while True:
            message = await self.queue.get()
            try:
                await self.ws.send_json(message)
            except ConnectionError:
                return

    def overflowed(self) -> None:
        self.writer.cancel()
        self.writer = asyncio.create_task(self.ws.close(code=1013, message=b"too slow"))

    async def going_away(self) -> None:
        await self.end(WSCloseCode.GOING_AWAY, b"server shutdown")

    async def end(self, code: int, why: bytes) -> None:
        """Close; a console that does not answer within CLOSE_WAIT is cut off."""
        self.writer.cancel()
        await asyncio.wait([self.writer])
        try:
            await asyncio.wait_for(self.ws.close(code=code, message=why), CLOSE_WAIT)
        except TimeoutError:  # ws.close, cancelled, has dropped the connection
            log.info("a console did not answer the close frame within %ss", CLOSE_WAIT)


class Hub:
    def __init__(self) -> None:
        self._connections: dict[int, set[_Connection]] = defaultdict(set)
        self._history: dict[int, deque[Message]] = defaultdict(lambda: deque(maxlen=HISTORY))
        self._seq = 0
        self._closing = False
        # What a console that (re)connects is sent first: the user's queue state, the
        # pops ringing them and their calls in progress (a supervisor's: the board).
        self.snapshot: Callable[[User], Awaitable[list[Message]]] = _nothing

    def publish(self, user_id: int, message: Message) -> None:
        self._seq += 1
        message = {**message, "seq": self._seq}
        self._history[user_id].append(message)
        if self._closing:
            return
        for conn in list(self._connections.get(user_id, ())):
            try:
                conn.queue.put_nowait(message)
            except asyncio.QueueFull:
                log.warning("console of user %s too slow: closing its WebSocket", user_id)
                self._connections[user_id].discard(conn)
                conn.overflowed()

    def connected(self, user_id: int) -> int:
        return len(self._connections.get(user_id, ()))

    def sessions(self) -> set[bytes]:
        """The sessions that have a WebSocket open."""
        return {conn.session for conns in self._connections.values() for conn in conns}

    async def end_sessions(self, sessions: set[bytes]) -> None:
        """Close the WebSockets of these sessions, which have ended."""
        ending = [conn for conns in self._connections.values() for conn in list(conns)
                  if conn.session in sessions]
        for conn in ending:
            for conns in self._connections.values():
                conns.discard(conn)
        await asyncio.gather(*(conn.end(SESSION_ENDED, b"session ended") for conn in ending))

    def sessions_of(self, user_id: int) -> set[bytes]:
        return {conn.session for conn in self._connections.get(user_id, ())}

    async def end_user(self, user_id: int) -> None:
        """Close every WebSocket of a user whose sessions have all ended."""
        await self.end_sessions(self.sessions_of(user_id))

    async def close(self) -> None:
        """Close every console's WebSocket with 1001 (going away), for on_shutdown.

        Returns when each console has answered or been cut off (CLOSE_WAIT at most);
        their handlers then return. A console still connecting is closed as it arrives.
        """
        self._closing = True
        await asyncio.gather(*(conn.going_away() for conns in self._connections.values()
                               for conn in list(conns)))

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        user = current_user(request)
        ws = web.WebSocketResponse(heartbeat=20)
        await ws.prepare(request)
        conn = _Connection(ws, request[SESSION])
        since = request.query.get("since", "")
        if since.isdigit():
            for message in self._history.get(user.id, ()):
                if message["seq"] > int(since):
                    conn.queue.put_nowait(message)
        started = self._seq
        for message in await self.snapshot(user):
            conn.queue.put_nowait({**message, "seq": self._seq, "snapshot": True})
        # What was published while the snapshot was read, which it may not show; then
        # the connection gets everything, with no await in between.
        for message in self._history.get(user.id, ()):
            if message["seq"] > started:
                conn.queue.put_nowait(message)
        self._connections[user.id].add(conn)
        try:
            if self._closing:  # the server began to stop while this one connected
                await conn.going_away()
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await ws.send_json({"type": "error", "error_id": "unexpected_message",
                                        "message": "the console sends nothing on this socket"})
        finally:
            self._connections[user.id].discard(conn)
            conn.writer.cancel()
            await asyncio.wait([conn.writer])
        return ws
