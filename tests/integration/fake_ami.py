"""A loopback AMI peer for fault injection: it answers Login, Ping and event lists,
and can be told to go silent (half-open link), to swallow an action or to refuse it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


def frame(**headers: str) -> bytes:
    return ("".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()


@dataclass
class FakeAmi:
    answer_pings: bool = True
    swallow: set[str] = field(default_factory=set)
    refuse: set[str] = field(default_factory=set)
    refusal: str = "Refused by the test"  # the Message of a refused action's Error
    received: list[dict[str, str]] = field(default_factory=list)
    # Each action's headers in order, repeated ones (an Originate's Variable) included.
    received_headers: list[list[tuple[str, str]]] = field(default_factory=list)
    connections: int = 0
    port: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for w in self.writers:
            w.close()
        await self.server.wait_closed()

    def emit(self, **headers: str) -> None:
        for w in self.writers:
            if not w.is_closing():
                w.write(frame(**headers))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        try:
            while True:
                raw = await reader.readuntil(b"\r\n\r\n")
                headers = [(k, v) for k, sep, v in (line.partition(": ") for line in
                                                    raw.decode().split("\r\n")) if sep]
                action = dict(headers)
                self.received.append(action)
                self.received_headers.append(headers)
                self._answer(action, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        name, aid = action["Action"], action["ActionID"]
        if name in self.swallow or (name == "Ping" and not self.answer_pings):
            return
        if name in self.refuse:
            writer.write(frame(Response="Error", ActionID=aid, Message=self.refusal))
        elif name == "Login":
            writer.write(frame(Response="Success", ActionID=aid, Message="Authentication accepted"))
        elif name == "Ping":
            writer.write(frame(Response="Success", ActionID=aid, Ping="Pong"))
        elif name in ("CoreShowChannels", "QueueStatus"):
            writer.write(frame(Response="Success", ActionID=aid, EventList="start",
                               Message="will follow"))
            if name == "QueueStatus":
                writer.write(frame(Event="QueueMember", ActionID=aid, Queue="hotline",
                                   StateInterface="PJSIP/1001", Paused="0"))
            writer.write(frame(Event=f"{name}Complete", ActionID=aid, EventList="Complete"))
        else:
            writer.write(frame(Response="Success", ActionID=aid, Message="ok"))
