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
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from callcenter.app import build_app  # noqa: E402
from callcenter.keys import AMI, POOL  # noqa: E402
from callcenter.services.users import add_user  # noqa: E402
from callcenter.settings import load_settings  # noqa: E402

AGENT_PORT = 16001
PASSWORD = "bench-password-1"


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


def sandbox_env() -> dict[str, str]:
    out = subprocess.run(["bash", str(REPO / "scripts" / "asterisk-sandbox"), "env"],
                         check=True, capture_output=True, text=True).stdout
    env = {}
    for line in out.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export":
            key, _, value = words[1].partition("=")
            env[key] = value
    return env


async def seed(pool, calls: int) -> list[int]:
    await add_user(pool, username="bench", display_name="Bench", role="agent",
                   password=PASSWORD, extension="1001", locale="en")
    async with pool.acquire() as conn, conn.transaction():
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
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**sandbox_env(), "CALLCENTER_DATA_DIR": data_dir, "CALLCENTER_HTTP_PORT": "0",
               "CALLCENTER_LOG_LEVEL": "WARNING"}
        env.pop("CALLCENTER_DATABASE_URL", None)
        app = build_app(load_settings(env))
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            await app[AMI].wait_connected(15)
            tasks = await seed(app[POOL], calls)
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(f"http://127.0.0.1:{port}",
                                             cookie_jar=jar) as http:
                await http.post("/api/login", json={"username": "bench",
                                                    "password": PASSWORD})
                ws = await http.ws_connect("/api/ws")
                latencies = []
                for task_id in tasks:
                    started = time.perf_counter()
                    resp = await http.post("/api/calls", json={
                        "followup_id": task_id, "phone": "+8613800138000"})
                    body = await resp.json()
                    if resp.status != 202:
                        raise SystemExit(f"call refused: {body}")
                    invite_at = await asyncio.wait_for(phone.invites.get(), 10)
                    latencies.append((invite_at - started) * 1000)
                    call_id = body["call"]["id"]
                    while True:  # the agent is free again once the call has ended
                        msg = await asyncio.wait_for(ws.receive_json(), 10)
                        if msg["call"]["id"] == call_id and msg["call"]["state"] == "ended":
                            break
                await ws.close()
        finally:
            await runner.cleanup()
            transport.close()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"click-to-call, API request -> INVITE at the agent's phone, {len(latencies)} calls")
    print(f"  p50 {q[49]:.1f} ms   p95 {q[94]:.1f} ms   p99 {q[98]:.1f} ms   "
          f"max {max(latencies):.1f} ms   (goal: p95 <= 50 ms)")
    print(f"  machine: {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    asyncio.run(run(parser.parse_args().calls))


if __name__ == "__main__":
    main()
