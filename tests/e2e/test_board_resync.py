"""The supervisors' board stays right across a console's reconnect and an Asterisk
restart, against the real server, the sandbox Asterisk and a sipp caller.

A supervisor's console (a WebSocket client that applies the board's messages as
web/board.js does) watches agent "li" and a caller waiting in the queue. The console
drops while li's state changes: reconnecting with what it last saw, it is sent what it
missed, then the whole board, and both say the same. Asterisk then restarts with the
caller still waiting: its calls and queue members are gone, and once the server is
logged in again the board shows no caller waiting and li out of the queue, as a fresh
console's board does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from callcenter.keys import AMI
from tests.console import AgentSession, ConsoleServer
from tests.e2e.test_inbound_browser import HOTLINE, KNOWN_NUMBER, seed_known_caller
from tests.harness import sandbox
from tests.harness.sipp import start_caller
from tests.waiting import eventually

WAITING = {"queued", "ringing"}


@dataclass
class BoardModel:
    """The board as a console keeps it: whole on ``board``, then each change."""

    agents: dict[int, dict[str, Any]] = field(default_factory=dict)
    calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    last_seq: int = 0
    snapshots: int = 0

    def apply(self, message: dict[str, Any]) -> None:
        self.last_seq = max(self.last_seq, message.get("seq", 0))
        match message["type"]:
            case "board":
                self.snapshots += 1
                self.agents = {a["id"]: dict(a) for a in message["agents"]}
                self.calls = {c["id"]: c for c in message["calls"]}
            case "board_call" if message["call"]["state"] == "ended":
                self.calls.pop(message["call"]["id"], None)
            case "board_call":
                self.calls[message["call"]["id"]] = message["call"]
            case "board_agent" if message["agent"]["id"] in self.agents:
                self.agents[message["agent"]["id"]].update(message["agent"])

    def waiting(self) -> list[int]:
        return [i for i, c in self.calls.items() if c["state"] in WAITING]

    def state_of(self, agent_id: int) -> str:
        return str(self.agents[agent_id]["state"])


class Watcher:
    """A supervisor's WebSocket feeding a BoardModel; it can drop and come back."""

    def __init__(self, session: AgentSession) -> None:
        self.session = session
        self.board = BoardModel()
        self._task: asyncio.Task[None] | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def connect(self) -> None:
        since = f"?since={self.board.last_seq}" if self.board.last_seq else ""
        self._ws = await self.session.http.ws_connect(f"/api/ws{since}")
        snapshots = self.board.snapshots
        self._task = asyncio.create_task(self._read(self._ws))
        await eventually(lambda: self.board.snapshots > snapshots, 10)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.board.apply(json.loads(msg.data))

    async def drop(self) -> None:
        assert self._ws is not None and self._task is not None
        await self._ws.close()
        await self._task

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.drop()


async def fresh_board(server: ConsoleServer) -> BoardModel:
    watcher = Watcher(await server.login("boss"))
    try:
        await watcher.connect()
        return watcher.board
    finally:
        await watcher.close()
        await watcher.session.close()


async def test_the_board_is_right_after_a_reconnect_and_an_asterisk_restart(
        board_server: ConsoleServer) -> None:
    await seed_known_caller(board_server)
    li_id = await board_server.pool.fetchval("SELECT id FROM users WHERE username = 'li'")
    boss = Watcher(await board_server.login("boss"))
    li = await board_server.login("li")
    try:
        await boss.connect()
        assert (await li.post("/api/agent/login", {}))[0] == 204
        # Paused: the caller will wait in the queue.
        assert (await li.post("/api/agent/pause", {"reason": "training"}))[0] == 204
        await eventually(lambda: boss.board.state_of(li_id) == "paused", 10)

        # The console drops; li resumes and pauses again meanwhile.
        await boss.drop()
        assert (await li.post("/api/agent/unpause", {}))[0] == 204
        assert (await li.post("/api/agent/pause", {"reason": "lunch"}))[0] == 204
        await asyncio.sleep(0.5)
        await boss.connect()
        assert boss.board.state_of(li_id) == "paused"
        assert boss.board.agents[li_id]["paused_reason"] == "lunch"
        assert boss.board.agents == (await fresh_board(board_server)).agents

        async with await start_caller(*HOTLINE, caller_id=KNOWN_NUMBER.removeprefix("+86"),
                                      keys="0", hold=120):
            await eventually(lambda: len(boss.board.waiting()) == 1, 25)
            [waiting] = boss.board.waiting()
            assert boss.board.calls[waiting]["customer_name"] == "王芳"

            # Asterisk restarts: the caller is cut off and the queue is empty again.
            await asyncio.to_thread(sandbox.restart)  # blocking: off the loop
            await board_server.app[AMI].wait_connected(30)
            await eventually(lambda: boss.board.waiting() == []
                             and boss.board.state_of(li_id) == "logged_out", 20)
        fresh = await fresh_board(board_server)
        assert fresh.waiting() == [] and fresh.calls == {}
        assert fresh.agents == boss.board.agents
        disposition = await board_server.pool.fetchval(
            "SELECT disposition FROM calls WHERE id = $1", waiting)
        assert disposition == "abandoned"
    finally:
        await boss.close()
        await boss.session.close()
        await li.close()
