"""Screen-pop latency: from Asterisk ringing an agent (AgentCalled's Timestamp, AMI
timestampevents=yes) to the pop message at that agent's WebSocket client.

The real server (embedded PostgreSQL holding 1,000,000 customers), the sandbox
Asterisk, eight agents logged in to the queue (sipp phones that answer and hang up at
once) and sipp callers at 10 calls per second, each with a different known number.
Prints p50/p95/p99 (goal: p99 <= 20 ms).

    bash scripts/asterisk-sandbox start
    .venv/bin/python bench/bench_screen_pop.py [--calls 300] [--customers 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.console import running_server  # noqa: E402
from tests.harness import sandbox  # noqa: E402
from tests.harness.sipp import (  # noqa: E402
    Sipp,
    caller_scenario,
    start_callers,
    start_phone,
)

AGENTS = [f"100{n}" for n in range(1, 9)]
RATE = 10


async def seed_customers(pool, count: int) -> None:
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


async def start_bench_callers(calls: int, customers: int) -> Sipp:
    step = max(1, customers // calls)
    numbers = [f"139{(1 + n * step):08d}" for n in range(calls)]
    scenario = caller_scenario("0", first_key_after=0.5, hold=1.5)
    return await start_callers("127.0.0.1", 15060, scenario, numbers, rate=RATE,
                               at_once=RATE * 5)


async def run(calls: int, customers: int) -> None:
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**sandbox.read_env(), "CALLCENTER_DATA_DIR": data_dir,
               "CALLCENTER_LOG_LEVEL": "WARNING"}
        async with running_server("", env) as server:  # "": embedded PostgreSQL
            started = time.perf_counter()
            await seed_customers(server.pool, customers)
            print(f"seeded {customers:,} customers in {time.perf_counter() - started:.1f} s")
            agents, phones, readers = [], [], []
            try:
                for ext in AGENTS:
                    await server.add_agent(f"agent{ext}", ext)
                    phones.append(await start_phone(16000 + int(ext[-1]), "uas_answer",
                                                    hold=0.2, calls=calls))
                    agent = await server.login(f"agent{ext}")
                    agents.append(agent)
                    await agent.http.post("/api/agent/login", json={})
                    ws = await agent.http.ws_connect("/api/ws")
                    readers.append(asyncio.create_task(_collect(ws, latencies)))
                callers = await start_bench_callers(calls, customers)
                await callers.wait(timeout=calls / RATE + 60)
                await asyncio.sleep(2)
            finally:
                for agent in agents:
                    with contextlib.suppress(aiohttp.ClientError):
                        await agent.http.post("/api/agent/logout", json={})
                    await agent.close()
                for task in readers:
                    task.cancel()
                for phone in phones:
                    await phone.stop()
                    phone.cleanup()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"screen-pop, AgentCalled Timestamp -> pop at the agent's WebSocket client: "
          f"{len(latencies)} pops of {calls} calls at {RATE}/s, {customers:,} customers")
    print(f"  p50 {q[49]:.1f} ms   p95 {q[94]:.1f} ms   p99 {q[98]:.1f} ms   "
          f"max {max(latencies):.1f} ms   (goal: p99 <= 20 ms)")
    print(f"  machine: {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")


async def _collect(ws: aiohttp.ClientWebSocketResponse, latencies: list[float]) -> None:
    async for msg in ws:
        if msg.type != aiohttp.WSMsgType.TEXT:
            continue
        data = msg.json()
        if data.get("type") == "pop" and not data.get("snapshot"):
            latencies.append((time.time() - data["rung_at"]) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    with sandbox.exclusive():
        asyncio.run(run(args.calls, args.customers))


if __name__ == "__main__":
    main()
