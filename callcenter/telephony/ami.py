"""AMI client on panoramisk's protocol, with the supervision panoramisk's Manager lacks.

panoramisk 1.4's Manager pings without reading the answer, reconnects every 2 s
forever, re-sends unanswered actions after a reconnect (an Originate could ring twice),
and runs coroutine callbacks fire-and-forget. We keep its wire protocol (AMIProtocol,
Action futures keyed by ActionID, Message parsing) and own the lifecycle here:

- a ping whose Pong must come back within ``ping_timeout``, else the link is dropped;
- reconnects with exponential backoff and jitter, capped at ``reconnect_max``;
- actions pending when the link drops fail with AmiDisconnected: never re-sent;
- after every login the live state is re-read (CoreShowChannels, QueueStatus) and
  handed over as an AmiResync in the same ordered stream as events;
- events go through one queue to one consumer, in arrival order, and a handler's
  exception is logged with its traceback and does not stop the stream;
- a ``FrameTap`` gets the frames it names as they are parsed, ahead of that queue, and
  hears when the link comes up and goes down (the hotline's keys: telephony/keypad.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

from callcenter.errors import TelephonyUnavailable

log = logging.getLogger(__name__)


class AmiDisconnected(TelephonyUnavailable):
    error_id = "ami_disconnected"


class AmiActionFailed(TelephonyUnavailable):
    error_id = "ami_action_failed"


class LinkState(enum.StrEnum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"


@dataclass(frozen=True)
class AmiResync:
    """The live state as Asterisk reports it right after a (re)login."""

    at: float  # our clock when the snapshot was asked for
    channels: list[Message]
    queue_status: list[Message]


AmiItem: TypeAlias = Message | AmiResync
EventHandler = Callable[[AmiItem], Awaitable[None]]


class FrameTap(Protocol):
    """A consumer that needs frames the moment they arrive: ``on_frame`` runs inside
    the protocol's read callback, so it must be quick and do no I/O."""

    events: frozenset[str]

    def on_frame(self, frame: Message) -> None: ...

    def on_link(self, connected: bool) -> None: ...


class _RedactSecrets(logging.Filter):
    """panoramisk logs a whole action, Login's Secret included, in two shapes: the dict
    repr of ``'Fail to send %r' % action`` when a write fails (``'Secret': '...'``), and
    the wire text of ``str(action)`` when an unanswered action is parked for a re-send
    (``Secret: ...`` up to the end of its line). Both are masked, whatever the secret
    holds (spaces, quotes, backslashes)."""

    # up to the line's end, or to an escaped "\r" or "\n" when the text was a repr
    _WIRE = re.compile(r"(Secret:[ \t]*)(?:[^\r\n\\]|\\(?![rn]))*", re.IGNORECASE)
    _REPR = re.compile(r"""(['"]Secret['"]:\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""",
                       re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        message = self._REPR.sub(r"\1'***'", message)
        record.msg = self._WIRE.sub(r"\1***", message)
        record.args = None
        return True


protocol_log = log.getChild("protocol")
protocol_log.addFilter(_RedactSecrets())


class _Protocol(AMIProtocol):
    """panoramisk's protocol, bound to our link before any byte can arrive."""

    def __init__(self, link: _Link) -> None:
        self._link = link

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.factory = self._link
        self.encoding = "utf-8"
        self.log = protocol_log


@dataclass
class _Link:
    """What AMIProtocol calls back into: one per TCP connection."""

    events: asyncio.Queue[AmiItem]
    wanted: frozenset[str] | None
    lost: asyncio.Future[None]
    tap: FrameTap | None = None
    # AMIProtocol.close() parks unanswered actions here for a re-send; we fail them.
    awaiting_actions: list[Any] = field(default_factory=list)
    forgetable_actions: tuple[str, ...] = ()
    save_stream: None = None

    def dispatch(self, message: Message) -> None:
        if self.tap is not None and message.get("Event") in self.tap.events:
            self.tap.on_frame(message)
        if self.wanted is None or message.get("Event") in self.wanted:
            self.events.put_nowait(message)

    def connection_lost(self, exc: object) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


class AmiClient:
    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        on_event: EventHandler,
        *,
        events: frozenset[str] | None = None,
        tap: FrameTap | None = None,
        ping_interval: float = 5.0,
        ping_timeout: float = 3.0,
        action_timeout: float = 10.0,
        reconnect_min: float = 0.5,
        reconnect_max: float = 30.0,
    ) -> None:
        self._host, self._port = host, port
        self._username, self._secret = username, secret
        self._on_event = on_event
        self._wanted = events
        self._tap = tap
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._action_timeout = action_timeout
        self._reconnect_min = reconnect_min
        self._reconnect_max = reconnect_max
        self._events: asyncio.Queue[AmiItem] = asyncio.Queue()
        self._protocol: _Protocol | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.state = LinkState.DISCONNECTED
        self.logins = 0
        self.last_error = ""
        self.state_since = time.time()
        self._connected = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._supervise(), name="ami-supervisor"),
            asyncio.create_task(self._consume(), name="ami-events"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._drop_link()
        self._set_state(LinkState.DISCONNECTED)

    async def wait_connected(self, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            await self._connected.wait()

    @property
    def connected(self) -> bool:
        return self.state is LinkState.CONNECTED

    def status(self) -> dict[str, Any]:
        return {"state": self.state.value, "since": self.state_since,
                "logins": self.logins, "last_error": self.last_error}

    # -- actions -----------------------------------------------------------------

    async def send(
        self, action: Mapping[str, str | list[str]], *, as_list: bool = False,
        timeout: float | None = None,
    ) -> Message | list[Message]:
        """Send one action and wait for its complete response.

        ``as_list=True`` for actions answered by an event list (CoreShowChannels,
        QueueStatus). Left to guess, panoramisk waits for more after single answers
        such as QueueAdd's "Added interface to queue", and an Async Originate's.

        Raises AmiDisconnected when there is no logged-in link, or the link drops
        before the answer (the action is then *not* re-sent: the caller decides), and
        AmiActionFailed on a timeout or an error response.
        """
        if not self.connected or self._protocol is None:
            raise AmiDisconnected("Asterisk (AMI) is not connected")
        return await self._send_on(self._protocol, action, as_list=as_list, timeout=timeout)

    async def _send_on(
        self, protocol: _Protocol, action: Mapping[str, str | list[str]], *,
        as_list: bool, timeout: float | None,
    ) -> Message | list[Message]:
        name = action.get("Action", "?")
        future = protocol.send(dict(action), as_list=as_list)
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
            # cancellation that races with the answer, and close() would then hang.
            async with asyncio.timeout(timeout or self._action_timeout):
                reply = await future
        except TimeoutError:
            raise AmiActionFailed(f"AMI {name}: no answer in time", action=name) from None
        first = reply[0] if isinstance(reply, list) else reply
        if first.get("Response") in ("Error", "Fail", "Failure"):
            raise AmiActionFailed(f"AMI {name} refused: {first.get('Message', '')}",
                                  action=name, reason=first.get("Message", ""))
        return reply

    # -- internals ---------------------------------------------------------------

    def _set_state(self, state: LinkState) -> None:
        if state is not self.state:
            self.state = state
            self.state_since = time.time()
        if state is LinkState.CONNECTED:
            self._connected.set()
        else:
            self._connected.clear()

    async def _supervise(self) -> None:
        delay = self._reconnect_min
        while True:
            self._set_state(LinkState.CONNECTING)
            try:
                await self._run_link()
                delay = self._reconnect_min  # a link that logged in resets the backoff
            except (OSError, AmiDisconnected, AmiActionFailed, TimeoutError) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("AMI %s:%s: %s", self._host, self._port, self.last_error)
            finally:
                self._drop_link()
                self._set_state(LinkState.DISCONNECTED)
                if self._tap is not None:
                    self._tap.on_link(False)
            wait = delay * random.uniform(0.8, 1.2)
            log.info("AMI reconnect in %.1f s", wait)
            await asyncio.sleep(wait)
            delay = min(delay * 2, self._reconnect_max)

    async def _run_link(self) -> None:
        """Connect, log in, re-read state, then ping until the link dies."""
        loop = asyncio.get_running_loop()
        lost: asyncio.Future[None] = loop.create_future()
        link = _Link(self._events, self._wanted, lost, self._tap)
        async with asyncio.timeout(self._action_timeout):
            _, protocol = await loop.create_connection(
                lambda: _Protocol(link), self._host, self._port)
        self._protocol = protocol
        login = {"Action": "Login", "Username": self._username, "Secret": self._secret,
                 "Events": "on"}
        await self._send_on(protocol, login, as_list=False, timeout=None)
        self.logins += 1
        self.last_error = ""
        log.info("AMI logged in to %s:%s as %s", self._host, self._port, self._username)
        # Events during the gap were lost: the snapshot replaces what we believed.
        asked_at = time.time()
        channels = await self._send_on(protocol, {"Action": "CoreShowChannels"},
                                       as_list=True, timeout=None)
        queues = await self._send_on(protocol, {"Action": "QueueStatus"},
                                     as_list=True, timeout=None)
        self._events.put_nowait(AmiResync(asked_at, _list_items(channels), _list_items(queues)))
        self._set_state(LinkState.CONNECTED)
        if self._tap is not None:
            self._tap.on_link(True)
        pinger = asyncio.create_task(self._ping_until_dead(protocol), name="ami-ping")
        try:
            done, _ = await asyncio.wait({pinger, lost}, return_when=asyncio.FIRST_COMPLETED)
            if pinger in done:
                pinger.result()  # it only ever ends by raising why the link is dead
        finally:
            pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pinger
        raise AmiDisconnected("Asterisk closed the AMI connection")

    async def _ping_until_dead(self, protocol: _Protocol) -> None:
        while True:
            await asyncio.sleep(self._ping_interval)
            try:
                await self._send_on(protocol, {"Action": "Ping"}, as_list=False,
                                    timeout=self._ping_timeout)
            except AmiActionFailed:
                raise AmiDisconnected(
                    f"no Pong within {self._ping_timeout:g} s: link considered dead") from None

    def _drop_link(self) -> None:
        protocol, self._protocol = self._protocol, None
        if protocol is None:
            return
        # A transport that closed by itself has already moved its unanswered actions
        # from ``responses`` to ``awaiting_actions``; one we close now does it here.
        pending = list(protocol.responses.values())
        protocol.close()
        pending += protocol.factory.awaiting_actions
        protocol.factory.awaiting_actions.clear()
        for action in pending:
            if not action.future.done():
                action.future.set_exception(AmiDisconnected(
                    f"AMI link lost before {action.get('Action', '?')} was answered; "
                    "not re-sent"))
                # The caller may have stopped waiting (timeout); don't warn about it.
                action.future.exception()

    async def _consume(self) -> None:
        while True:
            item = await self._events.get()
            try:
                await self._on_event(item)
            except Exception:
                name = item.get("Event") if isinstance(item, Message) else "resync"
                log.exception("AMI handler failed on %s; continuing with the next event", name)


def _list_items(reply: Message | list[Message]) -> list[Message]:
    """The entries of an event-list response, without its opening and closing frames."""
    if not isinstance(reply, list):
        return []
    return [m for m in reply[1:] if not m.get("Event", "").endswith("Complete")]
