"""A minimal raw AMI client for tests: every frame is kept exactly as Asterisk sent it.

The server has its own AMI client (callcenter.telephony.ami); this one exists so that
tests can watch a real Asterisk independently of the code under test, and so that
real frames (``\\r\\n`` line endings and all) can be saved as fixtures.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

_action_ids = itertools.count(1)


class AmiError(Exception):
    """Login refused, connection lost or an action answered with an error."""


@dataclass(frozen=True)
class Frame:
    """One AMI message: its headers (the last value of a repeated header wins,
    all values in ``lists``) and the raw bytes including the closing blank line."""

    raw: bytes
    headers: dict[str, str]
    lists: dict[str, list[str]] = field(repr=False)

    @classmethod
    def parse(cls, raw: bytes) -> Frame:
        headers: dict[str, str] = {}
        lists: dict[str, list[str]] = {}
        for line in raw.decode("utf-8", "replace").split("\r\n"):
            key, sep, value = line.partition(": ")
            if not sep:
                key, sep, value = line.partition(":")
            if sep:
                headers[key] = value
                lists.setdefault(key, []).append(value)
        return cls(raw, headers, lists)

    @property
    def event(self) -> str:
        return self.headers.get("Event", "")

    def get(self, key: str, default: str = "") -> str:
        return self.headers.get(key, default)


class AmiClient:
    """Connects, logs in, and records every frame; actions wait for their Response."""

    def __init__(self) -> None:
        self.banner = ""
        self.frames: list[Frame] = []
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[list[Frame]]] = {}
        self._collecting: dict[str, list[Frame]] = {}
        self._changed = asyncio.Event()
        self.closed_reason: str | None = None

    @property
    def events(self) -> list[Frame]:
        return [f for f in self.frames if f.event]

    async def connect(self, host: str, port: int, username: str, secret: str,
                      timeout: float = 10.0) -> Frame:
        """Open the connection and log in; AmiError if the login is refused."""
        async with asyncio.timeout(timeout):
            self._reader, self._writer = await asyncio.open_connection(host, port)
            self.banner = (await self._reader.readline()).decode().rstrip("\r\n")
            if not self.banner.startswith("Asterisk Call Manager/"):
                raise AmiError(f"not an AMI banner: {self.banner!r}")
            self._task = asyncio.create_task(self._read_loop())
            response = await self.action("Login", Username=username, Secret=secret)
        if response.get("Response") != "Success":
            await self.close()
            raise AmiError(f"login refused: {response.get('Message')}")
        return response

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except ConnectionError:
                pass
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                raw = await self._reader.readuntil(b"\r\n\r\n")
                self._dispatch(Frame.parse(raw))
        except asyncio.IncompleteReadError:
            self.closed_reason = "connection closed by Asterisk"
        except (ConnectionError, asyncio.LimitOverrunError) as exc:
            self.closed_reason = repr(exc)
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(AmiError(self.closed_reason or "closed"))
            self._changed.set()

    def _dispatch(self, frame: Frame) -> None:
        self.frames.append(frame)
        action_id = frame.get("ActionID")
        if action_id in self._pending:
            future = self._pending[action_id]
            collected = self._collecting.setdefault(action_id, [])
            collected.append(frame)
            # a list action ends with an event named ...Complete (EventList: Complete)
            response = collected[0]
            is_list = response.get("EventList") == "start"
            if not future.done() and (not is_list or frame.get("EventList") == "Complete"):
                future.set_result(collected)
        self._changed.set()
        self._changed = asyncio.Event()

    async def send(self, name: str, **headers: str) -> list[Frame]:
        """Send an action; return its Response frame (and, for list actions such as
        QueueStatus or CoreShowChannels, every event up to the list's Complete)."""
        if self._writer is None:
            raise AmiError("not connected")
        action_id = f"test-{next(_action_ids)}"
        future: asyncio.Future[list[Frame]] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = future
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self._writer.drain()
        try:
            return await asyncio.wait_for(future, 15)
        finally:
            self._pending.pop(action_id, None)
            self._collecting.pop(action_id, None)

    async def action(self, name: str, **headers: str) -> Frame:
        return (await self.send(name, **headers))[0]

    async def command(self, line: str) -> str:
        """A CLI command through AMI (needs the "command" write permission)."""
        response = await self.action("Command", Command=line)
        return "\n".join(response.lists.get("Output", []))

    async def wait_for(self, predicate: Callable[[Frame], bool], timeout: float = 10.0,
                       since: int = 0) -> Frame:
        """The first frame (from index ``since``) matching ``predicate``."""
        position = since
        async with asyncio.timeout(timeout):
            while True:
                while position < len(self.frames):
                    frame = self.frames[position]
                    position += 1
                    if predicate(frame):
                        return frame
                if self.closed_reason:
                    raise AmiError(self.closed_reason)
                await self._changed.wait()

    async def wait_event(self, name: str, timeout: float = 10.0, since: int = 0,
                         **match: str) -> Frame:
        """The first event called ``name`` whose headers include ``match``."""

        def wanted(frame: Frame) -> bool:
            return frame.event == name and all(frame.get(k) == v for k, v in match.items())

        try:
            return await self.wait_for(wanted, timeout, since)
        except TimeoutError:
            seen = sorted({f.event for f in self.frames[since:] if f.event})
            raise AssertionError(
                f"no {name} event matching {match} within {timeout}s; events seen: {seen}"
            ) from None
