"""The supervisors' board under load: latency from the AMI event's Timestamp (Asterisk's
clock, timestampevents=yes) to each supervisor's WebSocket client, and the server's CPU
share per connected board.

The real server (``callcenter serve`` in a process of its own, on an embedded
PostgreSQL), the sandbox Asterisk, 50 agents logged in to the queue with consoles open,
their sipp phones answering after 300 ms and talking ``--talk`` seconds, and a stream of
sipp callers at ``--rate`` a second who press 0 and wait (up to a minute): more callers
than the agents can take, so a queue builds (the waiting count is printed). The stream
runs once per level of ``--boards`` (supervisors' consoles connected at once).

A board message carries the time of the event it reports: a caller queued
(QueueCallerJoin), answered (AgentConnect) or gone (the hang-up or the abandon). The
latency is the message's arrival at the client minus that time, over every board.
The CPU share per board is the server's extra CPU at the highest level over the lowest,
divided by the extra boards. Goal: p99 <= 20 ms.

    bash scripts/asterisk-sandbox start
    .venv/bin/python bench/bench_board.py [--rate 6] [--calls 240] [--boards 1,20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import aiohttp
import asyncpg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_screen_pop import (  # noqa: E402
    CALLER_PATIENCE,
    Console,
    add_server_cpu,
    agent_phones,
    agents_in_queue,
    seed_customers,
    serving,
    start_bench_callers,
)
from bench.measure import (  # noqa: E402
    CpuMeter,
    asterisk_pid,
    embedded_postgres,
    keep_off,
    percentile,
)
from callcenter.db.database import create_pool  # noqa: E402
from callcenter.services.users import add_user  # noqa: E402
from tests.console import AGENT_PASSWORD, AgentSession, login  # noqa: E402
from tests.harness import sandbox  # noqa: E402
from tests.harness.sipp import AGENT_EXTENSIONS, Sipp  # noqa: E402

# which time of a board_call each state reports
EVENT_TIME = {"queued": "queued_at", "answered": "answered_at", "ended": "ended_at"}
WAITING = {"queued", "ringing"}


def _epoch(iso: str | None) -> float | None:
    return None if iso is None else datetime.fromisoformat(iso).timestamp()


@dataclass
class BoardClient:
    """One supervisor's console: the latencies of the board messages it got, and the
    callers it shows waiting."""

    session: AgentSession
    latencies: dict[str, list[float]] = field(default_factory=dict)  # state -> ms
    waiting: set[int] = field(default_factory=set)
    messages: int = 0
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        ws = await self.session.http.ws_connect("/api/ws")
        self.reader = asyncio.create_task(self._read(ws))
        await asyncio.wait_for(self._ready.wait(), 10)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            received = time.time()
            data = msg.json()
            if data.get("type") == "board":
                self.waiting = {c["id"] for c in data["calls"] if c["state"] in WAITING}
                self._ready.set()
            elif data.get("type") == "board_call":
                self.messages += 1
                call = data["call"]
                (self.waiting.add if call["state"] in WAITING else self.waiting.discard)(
                    call["id"])
                at = _epoch(call.get(EVENT_TIME.get(call["state"], ""), None))
                if at is not None:
                    self.latencies.setdefault(call["state"], []).append(
                        (received - at) * 1000)
            elif data.get("type", "").startswith("board_"):
                self.messages += 1

    def reset(self) -> None:
        self.latencies = {}
        self.messages = 0

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        await self.session.close()


async def add_boards(base: str, pool: asyncpg.Pool, boards: list[BoardClient],
                     count: int) -> None:
    while len(boards) < count:
        name = f"boss{len(boards) + 1}"
        await add_user(pool, username=name, display_name=name, role="supervisor",
                       password=AGENT_PASSWORD, extension=None, locale="zh-CN")
        board = BoardClient(await login(base, name))
        await board.connect()
        boards.append(board)


@dataclass
class Level:
    boards: int
    latencies: dict[str, list[float]]
    messages: int
    waiting_mean: float
    waiting_max: int
    cpu: dict[str, float]


async def run_level(args: argparse.Namespace, env: dict[str, str], server_pid: int,
                    boards: list[BoardClient]) -> Level:
    for board in boards:
        board.reset()
    samples: list[int] = []

    async def sample() -> None:
        while True:
            samples.append(len(boards[0].waiting))
            await asyncio.sleep(0.5)

    meter = CpuMeter(server=server_pid, asterisk=asterisk_pid())
    meter.start()
    sampler = asyncio.create_task(sample())
    callers = await start_bench_callers(env, args.calls, args.customers, args.rate)
    try:
        await callers.wait(timeout=args.calls / args.rate + CALLER_PATIENCE + 30)
    finally:
        await callers.stop()
        callers.cleanup()
        sampler.cancel()
    cpu = meter.stop()
    await asyncio.sleep(2)  # the last messages
    latencies: dict[str, list[float]] = {}
    for board in boards:
        for state, values in board.latencies.items():
            latencies.setdefault(state, []).extend(values)
    busy = [n for n in samples if n] or [0]
    return Level(len(boards), latencies, sum(b.messages for b in boards),
                 sum(busy) / len(busy), max(samples, default=0), cpu)


def report(args: argparse.Namespace, levels: list[Level], load_before: float) -> None:
    print(f"board at {args.rate} callers/s, {args.calls} callers per level, "
          f"{args.agents} agents (talk {args.talk} s), {args.customers:,} customers, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    for level in levels:
        every = [v for values in level.latencies.values() for v in values]
        print(f"  {level.boards} board(s): {level.messages} messages; callers waiting "
              f"mean {level.waiting_mean:.1f} max {level.waiting_max}; CPU (% of a core) "
              f"server {level.cpu['server']:.0f}, Asterisk {level.cpu['asterisk']:.0f}")
        print(f"    event Timestamp -> board client, all: p50 {percentile(every, .5):.1f} ms"
              f"  p95 {percentile(every, .95):.1f} ms  p99 {percentile(every, .99):.1f} ms"
              f"  max {max(every, default=float('nan')):.1f} ms  ({len(every)} messages)")
        for state, values in sorted(level.latencies.items()):
            print(f"      {state:<9} p50 {percentile(values, .5):.1f}  "
                  f"p99 {percentile(values, .99):.1f} ms  ({len(values)})")
    if len(levels) > 1:
        low, high = levels[0], levels[-1]
        extra = (high.cpu["server"] - low.cpu["server"]) / (high.boards - low.boards)
        print(f"  server CPU per extra connected board: {extra:.2f} % of a core "
              f"({low.boards} -> {high.boards} boards)")


async def run(args: argparse.Namespace) -> None:
    env = sandbox.start()
    keep_off(args.server_cpu)
    levels_wanted = sorted({int(n) for n in args.boards.split(",")})
    with embedded_postgres("bench-board-pg-") as url, \
            tempfile.TemporaryDirectory(prefix="bench-board-") as folder:
        async with serving(url, env, Path(folder), args.server_cpu) as (base, server_pid):
            pool = await create_pool(url)
            consoles: list[Console] = []
            phones: list[Sipp] = []
            boards: list[BoardClient] = []
            load_before = os.getloadavg()[0]
            try:
                await seed_customers(pool, args.customers)
                await agents_in_queue(base, pool, args.agents, consoles)
                await agent_phones(args.agents, args.calls * len(levels_wanted), args.talk,
                                   phones)
                levels = []
                for count in levels_wanted:
                    await add_boards(base, pool, boards, count)
                    levels.append(await run_level(args, env, server_pid, boards))
                report(args, levels, load_before)
            finally:
                for board in boards:
                    await board.close()
                for console in consoles:
                    with contextlib.suppress(aiohttp.ClientError):
                        await console.session.http.post("/api/agent/logout", json={})
                    if console.reader is not None:
                        console.reader.cancel()
                    await console.session.close()
                for phone in phones:
                    await phone.stop()
                    phone.cleanup()
                await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=6, help="callers a second")
    parser.add_argument("--calls", type=int, default=240, help="callers per level")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=len(AGENT_EXTENSIONS),
                        choices=range(1, len(AGENT_EXTENSIONS) + 1), metavar="1..50")
    parser.add_argument("--talk", type=float, default=10.0,
                        help="seconds an agent talks before hanging up")
    parser.add_argument("--boards", default="1,20",
                        help="supervisors' consoles connected, one run per level")
    add_server_cpu(parser)
    args = parser.parse_args()
    with sandbox.exclusive():
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
