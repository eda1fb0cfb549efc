"""Screen-pop latency: from Asterisk ringing an agent (AgentCalled's Timestamp, AMI
timestampevents=yes) to the pop message at that agent's WebSocket client.

The real server (``callcenter serve`` in a process of its own, on an embedded
PostgreSQL holding 1,000,000 customers), the sandbox Asterisk, 50 agents logged in to
the queue and connected to the console's WebSocket, and a stream of sipp callers, each
with a different known number, at ``--rate`` calls a second (one sipp process for all).
Every agent's phone is a sipp UAS on its static contact (16001..16050) that rings
300 ms, answers, and hangs up after ``--talk`` seconds; a caller presses 0 (an agent)
and stays on the line until then (up to a minute), so every call that reaches an
agent pops, whatever the machine's load.

It prints how many calls popped (a call counts once, however many agents it rang), the
latency p50/p95/p99/max over every pop, the calls' dispositions, and the CPU share of
the server process and of Asterisk while the callers called. It exits 1 when fewer than
``--min-ratio`` of the calls popped. Goals: p99 <= 10 ms at 30 calls/s, <= 5 ms at 10.

    bash scripts/asterisk-sandbox start
    .venv/bin/python bench/bench_screen_pop.py --rate 10,30 [--calls 300] [--customers N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.measure import (  # noqa: E402
    CpuMeter,
    asterisk_pid,
    embedded_postgres,
    keep_off,
    on_cpu,
    percentile,
    postmaster_pid,
)
from callcenter.db.database import create_pool  # noqa: E402
from callcenter.services.users import add_user  # noqa: E402
from tests.console import AGENT_PASSWORD, AgentSession, login  # noqa: E402
from tests.harness import sandbox  # noqa: E402
from tests.harness.sipp import (  # noqa: E402
    AGENT_EXTENSIONS,
    Sipp,
    caller_scenario,
    phone_port,
    start_callers,
    start_phone,
)

# a caller gives up after a minute in the queue: a call that never reached an agent
CALLER_PATIENCE = 60.0
# at most this many callers on the line at once: 2 channels each once answered, 2 RTP
# ports per channel, well inside the sandbox's 1,000 (docs/asterisk.md)
MAX_CALLERS_UP = 150


async def seed_customers(pool: asyncpg.Pool, count: int) -> None:
    """Customers 1..count with mobiles +86 139 0000 0001.. (set-based: seconds, not rows)."""
    async with pool.acquire() as conn:
        await conn.execute("""
            INSERT INTO customers (name, external_ref)
            SELECT 'Customer ' || n, 'B' || n FROM generate_series(1, $1) AS n""", count)
        await conn.execute("""
            INSERT INTO customer_phones (customer_id, e164)
            SELECT id, '+86139' || lpad(substr(external_ref, 2), 8, '0')
            FROM customers WHERE external_ref LIKE 'B%'""")
        await conn.execute("ANALYZE customers; ANALYZE customer_phones")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def serving(url: str, env: dict[str, str], folder: Path,
                  cpu: int | None = None) -> AsyncIterator[tuple[str, int]]:
    """``callcenter serve`` on ``url`` and the sandbox (on ``cpu`` alone if given); its
    base URL and pid once it is healthy (AMI logged in). Speech-to-text off: it is not
    what this measures."""
    port = _free_port()
    server_env = {**os.environ, **env, "CALLCENTER_DATABASE_URL": url,
                  "CALLCENTER_HTTP_PORT": str(port), "CALLCENTER_DATA_DIR": str(folder),
                  "CALLCENTER_LOG_LEVEL": "WARNING",
                  "CALLCENTER_RECORDINGS_TRANSCRIBER": "none"}
    log = (folder / "server.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        *on_cpu([str(REPO / ".venv" / "bin" / "callcenter"), "serve"], cpu), env=server_env,
        stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=asyncio.subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(base) as http:
            deadline = time.monotonic() + 60
            while True:
                if process.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not become healthy:\n"
                                       + (folder / "server.log").read_text()[-3000:])
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get("/healthz") as resp:
                        if resp.status == 200:
                            break
                await asyncio.sleep(0.2)
        yield base, process.pid
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)
        log.close()
        logged = (folder / "server.log").read_text(errors="replace").splitlines()
        if logged:  # warnings and errors only: worth seeing beside the figures
            print(f"the server logged {len(logged)} lines, the first ones:",
                  *logged[:12], sep="\n  ")


@dataclass
class Console:
    """One agent's console: the session and every pop its WebSocket received."""

    session: AgentSession
    # (call id, linkedid, Timestamp of the ring, received at): epoch seconds
    pops: list[tuple[int, str, float, float]] = field(default_factory=list)
    available: asyncio.Event = field(default_factory=asyncio.Event)
    _snapshot: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the WebSocket; return once its snapshot came (the hub sends what is
        published to the user from then on)."""
        ws = await self.session.http.ws_connect("/api/ws")
        self.reader = asyncio.create_task(self._read(ws))
        await asyncio.wait_for(self._snapshot.wait(), 10)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            received = time.time()
            data = msg.json()
            if data.get("snapshot"):
                self._snapshot.set()
            if data.get("type") == "pop" and not data.get("snapshot"):
                self.pops.append((data["call_id"], data["linkedid"], data["rung_at"],
                                  received))
            elif data.get("type") == "agent_state" and data["state"] == "available":
                self.available.set()


class RingWatch:
    """A raw AMI connection of the benchmark's own: when each call's first AgentCalled
    reached a reader on this machine, to tell Asterisk's delivery from the server's
    share of a pop's latency."""

    def __init__(self) -> None:
        self.first_ring: dict[str, tuple[float, float]] = {}  # linkedid -> (ts, received)
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, env: dict[str, str]) -> None:
        reader, self._writer = await asyncio.open_connection(
            env["CALLCENTER_AMI_HOST"], int(env["CALLCENTER_AMI_PORT"]))
        await reader.readline()  # the banner
        self._writer.write((f"Action: Login\r\nUsername: {env['CALLCENTER_AMI_USERNAME']}\r\n"
                            f"Secret: {env['CALLCENTER_AMI_SECRET']}\r\nEvents: agent\r\n"
                            "\r\n").encode())
        self._task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            raw = await reader.readuntil(b"\r\n\r\n")
            received = time.time()
            headers = dict(line.split(": ", 1) for line in raw.decode().split("\r\n")
                           if ": " in line)
            if headers.get("Event") == "AgentCalled":
                self.first_ring.setdefault(headers["Linkedid"],
                                           (float(headers["Timestamp"]), received))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._writer is not None:
            self._writer.close()


async def agents_in_queue(base: str, pool: asyncpg.Pool, count: int,
                          consoles: list[Console]) -> None:
    """Agents 1001.. with consoles (added to ``consoles``), logged in to the queue."""
    for extension in AGENT_EXTENSIONS[:count]:
        await add_user(pool, username=f"agent{extension}", display_name=f"Agent {extension}",
                       role="agent", password=AGENT_PASSWORD, extension=extension,
                       locale="en")
        console = Console(await login(base, f"agent{extension}"))
        consoles.append(console)
        await console.connect()
        resp = await console.session.http.post("/api/agent/login", json={})
        assert resp.status == 204, await resp.text()
    await asyncio.wait_for(asyncio.gather(*(c.available.wait() for c in consoles)), 30)


async def agent_phones(count: int, calls: int, talk: float, phones: list[Sipp]) -> None:
    for extension in AGENT_EXTENSIONS[:count]:
        phones.append(await start_phone(phone_port(extension), "uas_answer", hold=talk,
                                        calls=calls))


async def start_bench_callers(env: dict[str, str], calls: int, customers: int,
                              rate: int) -> Sipp:
    step = max(1, customers // calls)
    numbers = [f"139{(1 + n * step):08d}" for n in range(calls)]
    scenario = caller_scenario("0", first_key_after=0.5, hold=CALLER_PATIENCE)
    return await start_callers(env["CALLCENTER_SIP_HOST"], int(env["CALLCENTER_SIP_PORT"]),
                               scenario, numbers, rate=rate,
                               at_once=min(calls, MAX_CALLERS_UP))


async def run(args: argparse.Namespace) -> bool:
    env = sandbox.start()
    keep_off(args.server_cpu)
    with embedded_postgres("bench-pop-pg-") as url, \
            tempfile.TemporaryDirectory(prefix="bench-pop-") as folder:
        # the server migrates the database as it starts
        async with serving(url, env, Path(folder), args.server_cpu) as (base, server_pid):
            pool = await create_pool(url)
            try:
                started = time.perf_counter()
                await seed_customers(pool, args.customers)
                print(f"seeded {args.customers:,} customers in "
                      f"{time.perf_counter() - started:.1f} s")
                processes = {"server": server_pid, "postgres": postmaster_pid(url),
                             "asterisk": asterisk_pid()}
                return await measure(args, env, pool, base, processes)
            finally:
                await pool.close()


async def measure(args: argparse.Namespace, env: dict[str, str], pool: asyncpg.Pool,
                  base: str, processes: dict[str, int]) -> bool:
    """Each rate of ``--rate`` in turn, on the same agents; False if one failed."""
    consoles: list[Console] = []
    phones: list[Sipp] = []
    ok = True
    try:
        await agents_in_queue(base, pool, args.agents, consoles)
        await agent_phones(args.agents, args.calls * len(args.rate), args.talk, phones)
        for rate in args.rate:
            ok = await call_stream(args, rate, env, pool, consoles, processes) and ok
    finally:
        for console in consoles:
            with contextlib.suppress(aiohttp.ClientError):
                await console.session.http.post("/api/agent/logout", json={})
            if console.reader is not None:
                console.reader.cancel()
            await console.session.close()
        for phone in phones:
            await phone.stop()
            phone.cleanup()
    return ok


async def call_stream(args: argparse.Namespace, rate: int, env: dict[str, str],
                      pool: asyncpg.Pool, consoles: list[Console],
                      processes: dict[str, int]) -> bool:
    load_before = os.getloadavg()[0]  # the machine's other work: a busy one is slower
    since = datetime.now(UTC)
    for console in consoles:
        console.pops.clear()
    watch = RingWatch()
    try:
        await watch.start(env)
        meter = CpuMeter(**processes)
        meter.start()
        callers = await start_bench_callers(env, args.calls, args.customers, rate)
        try:
            await callers.wait(timeout=args.calls / rate + CALLER_PATIENCE + 30)
        finally:
            await callers.stop()
            callers.cleanup()
        cpu = {**meter.stop(), "machine": meter.machine}
        await asyncio.sleep(2)  # the last messages
    finally:
        await watch.close()
    dispositions = dict(await pool.fetch(
        "SELECT coalesce(disposition, 'open'), count(*) FROM calls"
        " WHERE direction = 'inbound' AND started_at >= $1 GROUP BY 1 ORDER BY 1", since))
    return report(args, rate, consoles, watch, dispositions, cpu, load_before)


def report(args: argparse.Namespace, rate: int, consoles: list[Console], watch: RingWatch,
           dispositions: dict[str, int], cpu: dict[str, float], load_before: float) -> bool:
    """Print the figures; False when too few of the calls popped."""
    pops = [pop for console in consoles for pop in console.pops]
    popped = len({call_id for call_id, *_ in pops})
    latencies = [(received - rung_at) * 1000 for _, _, rung_at, received in pops]
    # a call's first pop against its first AgentCalled at the benchmark's AMI reader
    first_pop: dict[str, tuple[float, float]] = {}
    for _, linkedid, rung_at, received in sorted(pops, key=lambda pop: pop[3]):
        first_pop.setdefault(linkedid, (rung_at, received))
    delivery, server = [], []
    for linkedid, (rung_at, received) in first_pop.items():
        ring = watch.first_ring.get(linkedid)
        if ring is not None and ring[0] == rung_at:
            delivery.append((ring[1] - ring[0]) * 1000)
            server.append((received - ring[1]) * 1000)
    ratio = popped / args.calls
    print(f"screen-pop at {rate} calls/s, {args.calls} calls, {args.agents} agents "
          f"(talk {args.talk} s), {args.customers:,} customers, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"  popped {popped} of {args.calls} calls ({ratio:.3f}; {len(pops)} pops); "
          f"calls: {', '.join(f'{k} {v}' for k, v in dispositions.items())}")
    print(f"  AgentCalled Timestamp -> pop at the agent's WebSocket client: "
          f"p50 {percentile(latencies, .50):.1f} ms   p95 {percentile(latencies, .95):.1f} ms"
          f"   p99 {percentile(latencies, .99):.1f} ms   "
          f"max {max(latencies, default=float('nan')):.1f} ms")
    print(f"  of which AMI delivery (Timestamp -> the benchmark's own AMI reader): "
          f"p50 {percentile(delivery, .50):.1f}  p99 {percentile(delivery, .99):.1f} ms; "
          f"the server (that reader -> pop): p50 {percentile(server, .50):.1f}  "
          f"p99 {percentile(server, .99):.1f} ms ({len(server)} calls' first rings)")
    print(f"  CPU while calling (% of one core, children included): server "
          f"{cpu['server']:.0f}, PostgreSQL {cpu['postgres']:.0f}, "
          f"Asterisk {cpu['asterisk']:.0f}; all {os.cpu_count()} cores busy "
          f"{cpu['machine']:.0f} %")
    if ratio < args.min_ratio:
        print(f"FAILED: {ratio:.3f} of the calls popped, under {args.min_ratio}")
        return False
    return True


def add_server_cpu(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server-cpu", type=int, default=None, metavar="N",
                        help="the server alone on CPU N, the load (sipp, Asterisk, "
                             "PostgreSQL, this benchmark) on the others")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=lambda text: [int(r) for r in text.split(",")],
                        default=[10], help="calls a second; several (10,30) run in turn")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=len(AGENT_EXTENSIONS),
                        choices=range(1, len(AGENT_EXTENSIONS) + 1), metavar="1..50")
    parser.add_argument("--talk", type=float, default=0.5,
                        help="seconds an agent talks before hanging up")
    parser.add_argument("--min-ratio", type=float, default=0.98,
                        help="fail (exit 1) when fewer of the calls popped")
    add_server_cpu(parser)
    args = parser.parse_args()
    with sandbox.exclusive():
        ok = asyncio.run(run(args))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
