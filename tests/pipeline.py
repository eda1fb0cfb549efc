"""The live-call pipeline without Asterisk, for replaying recorded AMI bytes.

Wired by the composition root's own ``calls_feature`` (callcenter/app.py): raw AMI
bytes go into the AMI client's protocol (panoramisk's parser), its link keeps the
WANTED_EVENTS frames and queues them, the client's one consumer hands each to
``feed(dispatcher.deliver)``, and the Dispatcher delivers the domain events to the real
LiveState, CallRegistry and AgentStates on a real PostgreSQL; the Notifier publishes
into a list (or any publish function) instead of the WebSocket hub.

``Capture`` turns a recording of tests/fixtures/ami/ into bytes to replay, with its
call identities (Uniqueid, Linkedid, ActionID) and its Timestamps rewritable, so a
capture can be replayed as a new call as often as wanted.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.app import calls_feature
from callcenter.db.calls import CallStore
from callcenter.db.connection import Connection
from callcenter.services.live_state import LiveState
from callcenter.services.notifier import Message, Publish
from callcenter.telephony.ami import AmiClient, AmiItem, EventHandler, _Link, _Protocol
from callcenter.telephony.ami_events import WANTED_EVENTS, feed
from tests.frames import FIXTURES

CHUNK = 4096  # bytes per data_received, as a socket read would hand them over

# Headers naming a channel or a call; the Timestamp (timestampevents=yes); the ActionID.
_IDS = ("Uniqueid", "Linkedid", "DestUniqueid", "DestLinkedid")
_SLOT = re.compile(r"^(Uniqueid|Linkedid|DestUniqueid|DestLinkedid|ActionID|Timestamp): "
                   r"([^\r\n]*)", re.MULTILINE)


class Capture:
    """One recording (raw AMI bytes, ``\\r\\n\\r\\n`` between frames) with slots where
    its identities and times are, so each ``render`` can be a different call."""

    def __init__(self, name: str, text: str | None = None) -> None:
        self.name = name
        self.text = text if text is not None else (
            (FIXTURES / f"{name}.txt").read_bytes().decode("utf-8"))
        self._parts: list[str] = []
        self._slots: list[tuple[str, str]] = []  # (header, value as recorded)
        last = 0
        for match in _SLOT.finditer(self.text):
            self._parts.append(self.text[last:match.start(2)])
            self._slots.append((match[1], match[2]))
            last = match.end(2)
        self._parts.append(self.text[last:])

    def values(self, header: str) -> list[str]:
        """The distinct values of one header, in order of appearance."""
        return list(dict.fromkeys(v for h, v in self._slots if h == header))

    @property
    def ids(self) -> list[str]:
        """Every channel and call id of the capture (first seen first)."""
        return list(dict.fromkeys(v for h, v in self._slots
                                  if h in _IDS and not v.startswith("<")))

    def timestamps(self, event: str, **headers: str) -> list[float]:
        """The Timestamps of the frames of ``event`` whose headers match ``headers``."""
        found = []
        for block in self.text.split("\r\n\r\n"):
            fields = dict(line.split(": ", 1) for line in block.split("\r\n")
                          if ": " in line)
            if fields.get("Event") == event and all(fields.get(k) == v
                                                    for k, v in headers.items()):
                found.append(float(fields["Timestamp"]))
        return found

    def render(self, ids: Mapping[str, str] | None = None,
               action_ids: Mapping[str, str] | None = None, shift: int = 0) -> bytes:
        """The capture with ids and ActionIDs replaced as mapped (others kept), and every
        Timestamp moved by ``shift`` whole seconds (the microseconds stay as recorded)."""
        ids, action_ids = ids or {}, action_ids or {}
        out = [self._parts[0]]
        for (header, value), part in zip(self._slots, self._parts[1:], strict=True):
            if header == "Timestamp":
                if shift:
                    seconds, dot, fraction = value.partition(".")
                    value = f"{int(seconds) + shift}{dot}{fraction}"
            elif header == "ActionID":
                value = action_ids.get(value, value)
            else:
                value = ids.get(value, value)
            out.append(value)
            out.append(part)
        return "".join(out).encode("utf-8")


def chunks(data: bytes, size: int = CHUNK) -> Iterable[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


class _NoTransport:
    """Where the protocol would write actions: nothing is sent during a replay."""

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class EventQueue(asyncio.Queue[AmiItem]):
    """The AMI client's event queue, counting what went in; a producer can wait for
    room (``room``) as a socket would wait for the reader."""

    def __init__(self, low: int = 0) -> None:
        super().__init__()
        self.put_count = 0
        self.low = low
        self.room = asyncio.Event()

    def put_nowait(self, item: AmiItem) -> None:
        self.put_count += 1
        super().put_nowait(item)

    def get_nowait(self) -> AmiItem:
        item = super().get_nowait()
        if self.qsize() <= self.low:
            self.room.set()
        return item


@dataclass
class Published:
    user_id: int
    message: Message


class CallPipeline:
    """The telephony consumers of app.py on ``pool``, fed with raw AMI bytes."""

    def __init__(self, pool: asyncpg.Pool, recordings: Path, *,
                 publish: Publish | None = None, region: str = "CN",
                 store: CallStore | None = None,
                 handler: Callable[[EventHandler], EventHandler] | None = None) -> None:
        self.published: list[Published] = []
        self.live = LiveState()
        calls = calls_feature(pool, self.live, publish or self._capture, region=region,
                              tz=ZoneInfo("Asia/Shanghai"), recordings_dir=recordings,
                              store=store)
        self.store, self.registry = calls.store, calls.registry
        self.agent_states, self.dispatcher = calls.agent_states, calls.dispatcher
        self.board = calls.board
        on_ami = feed(self.dispatcher.deliver)
        if handler is not None:
            on_ami = handler(on_ami)
        self.handled = 0
        self.client = AmiClient("127.0.0.1", 0, "replay", "", self._counted(on_ami),
                                events=WANTED_EVENTS)
        self.queue = EventQueue()
        self.client._events = self.queue  # the one queue the consumer reads
        self.protocol: _Protocol | None = None
        self._consumer: asyncio.Task[None] | None = None

    def _capture(self, user_id: int, message: Message) -> None:
        self.published.append(Published(user_id, message))

    def _counted(self, on_ami: EventHandler) -> EventHandler:
        async def counted(item: AmiItem) -> None:
            try:
                await on_ami(item)
            finally:
                self.handled += 1
        return counted

    async def start(self) -> None:
        lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.protocol = _Protocol(_Link(self.queue, WANTED_EVENTS, lost))
        self.protocol.connection_made(_NoTransport())  # type: ignore[arg-type]
        self._consumer = asyncio.create_task(self.client._consume(), name="ami-events")
        self.board.start()

    async def close(self) -> None:
        if self._consumer is not None:
            self._consumer.cancel()
            await asyncio.gather(self._consumer, return_exceptions=True)
        await self.dispatcher.close()
        await self.registry.close()
        await self.board.close()

    async def __aenter__(self) -> CallPipeline:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def receive(self, data: bytes, size: int = CHUNK) -> None:
        """``data`` as the socket would deliver it: ``size`` bytes per data_received."""
        assert self.protocol is not None, "start() first"
        for chunk in chunks(data, size):
            self.protocol.data_received(chunk)

    async def drained(self, timeout: float = 10.0) -> None:
        """Every frame received so far has been handled by the consumers (the reader
        has delivered it, its lane in the dispatcher is done, and the registry's writes
        made behind the events too)."""
        async with asyncio.timeout(timeout):
            while self.handled < self.queue.put_count:  # noqa: ASYNC110 - its own task
                await asyncio.sleep(0.005)
            await self.dispatcher.drained()
            await self.registry.settled()

    def messages(self, user_id: int) -> list[Message]:
        return [p.message for p in self.published if p.user_id == user_id]


async def add_agents(conn: Connection, extensions: Iterable[str] = ("1001", "1002", "1003"),
                     ) -> dict[str, int]:
    """Console users on the agents' extensions the captures ring (no usable password)."""
    users = {}
    for extension in extensions:
        users[extension] = await conn.fetchval(
            "INSERT INTO users (username, display_name, role, password_hash, extension,"
            " locale) VALUES ($1, $1, 'agent', 'not-a-hash', $2, 'en') RETURNING id",
            f"agent{extension}", extension)
    return users
