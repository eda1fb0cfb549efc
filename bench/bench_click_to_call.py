"""Click-to-call latency: from the API request to the INVITE at the agent's phone.

Runs the real server (embedded PostgreSQL, the sandbox Asterisk) and plays agent 1001's
softphone itself: a minimal SIP endpoint on the agent's static contact port that notes
when each INVITE arrives and answers 486 Busy, so every call ends at once and the next
click can follow. Prints p50/p95/p99 over N originates (goal: p95 <= 50 ms on loopback).

    bash scripts/asterisk-sandbox start
    .venv/bin/python bench/bench_click_to_call.py [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.console import ConsoleServer, running_server  # noqa: E402
from tests.harness import sandbox  # noqa: E402

AGENT_PORT = 16001


class BusyPhone(asyncio.DatagramProtocol):
    """Answers every INVITE with 486 and notes when it arrived."""

    def __init__(self) -> None:
        self.invites: asyncio.Queue[float] = asyncio.Queue()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        arrived = time.perf_counter()
        text = data.decode(errors="replace")
        method = text.split(" ", 1)[0]
        if method == "INVITE":
            self.invites.put_nowait(arrived)
            self._reply(text, "486 Busy Here", addr)
        elif method in ("OPTIONS", "BYE", "CANCEL"):
            self._reply(text, "200 OK", addr)

    def _reply(self, request: str, status: str, addr: tuple[str, int]) -> None:
        keep = ("via:", "from:", "call-id:", "cseq:", "to:")
        lines = [f"SIP/2.0 {status}"]
        for line in request.split("\r\n")[1:]:
            if line.lower().startswith(keep):
                if line.lower().startswith("to:") and ";tag=" not in line:
                    line += ";tag=bench"
                lines.append(line)
        lines += ["Content-Length: 0", "", ""]
        assert self.transport is not None
        self.transport.sendto("\r\n".join(lines).encode(), addr)


async def seed(server: ConsoleServer, calls: int) -> list[int]:
    await server.add_agent("bench", "1001")
    async with server.pool.acquire() as conn, conn.transaction():
        customer = await conn.fetchval(
            "INSERT INTO customers (name) VALUES ('Bench') RETURNING id")
        await conn.execute("INSERT INTO customer_phones (customer_id, e164)"
                           " VALUES ($1, '+8613800138000')", customer)
        return [await conn.fetchval(
            "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date)"
            " VALUES ('sales', $1, $2, current_date) RETURNING id", f"bench:{n}", customer)
            for n in range(calls)]


async def run(calls: int) -> None:
    loop = asyncio.get_running_loop()
    phone = BusyPhone()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: phone, local_addr=("127.0.0.1", AGENT_PORT))
    latencies = []
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**sandbox.read_env(), "CALLCENTER_DATA_DIR": data_dir,
               "CALLCENTER_LOG_LEVEL": "WARNING"}
        try:
            async with running_server("", env) as server:  # "": embedded PostgreSQL
                tasks = await seed(server, calls)
                agent = await server.login("bench")
                await agent.open_ws()
                for task_id in tasks:
                    started = time.perf_counter()
                    status, body = await agent.post("/api/calls", {
                        "followup_id": task_id, "phone": "+8613800138000"})
                    if status != 202:
                        raise SystemExit(f"call refused: {body}")
                    invite_at = await asyncio.wait_for(phone.invites.get(), 10)
                    latencies.append((invite_at - started) * 1000)
                    # The agent is free again once the call has ended.
                    await agent.wait_state(body["call"]["id"], "ended", timeout=10)
                await agent.close()
        finally:
            transport.close()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"click-to-call, API request -> INVITE at the agent's phone, {len(latencies)} calls")
    print(f"  p50 {q[49]:.1f} ms   p95 {q[94]:.1f} ms   p99 {q[98]:.1f} ms   "
          f"max {max(latencies):.1f} ms   (goal: p95 <= 50 ms)")
    print(f"  machine: {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    with sandbox.exclusive():
        asyncio.run(run(parser.parse_args().calls))


if __name__ == "__main__":
    main()
