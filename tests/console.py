"""The real server for tests: the composed app on a real PostgreSQL, logged in to an
AMI (the sandbox Asterisk, or a loopback peer for fault injection), plus an HTTP client
with a session and seeding helpers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from callcenter.app import build_app
from callcenter.cli import make_runner
from callcenter.keys import AMI, POOL
from callcenter.services.users import add_user
from callcenter.settings import Settings, load_settings
from callcenter.telephony.ami import AmiActionFailed
from tests.waiting import eventually

AGENT_PASSWORD = "agent-password-1"


@dataclass
class Seeded:
    customer_id: int
    followup_id: int
    phone: str


@dataclass
class ConsoleServer:
    app: web.Application
    base_url: str
    settings: Settings
    runner: web.AppRunner
    _counter: int = 0
    _stopped: bool = False

    @property
    def pool(self) -> asyncpg.Pool:
        return self.app[POOL]

    @property
    def today(self) -> date:
        """Today in the center's time zone: what "due today" means to the lists."""
        return datetime.now(self.settings.tz).date()

    async def stop(self) -> None:
        """Stop the server as ``callcenter serve`` does on SIGTERM (sites, on_shutdown,
        in-flight handlers, then the cleanup contexts); leaving ``running_server``
        afterwards does nothing more."""
        if not self._stopped:
            self._stopped = True
            await self.runner.cleanup()

    async def quiet_asterisk(self) -> None:
        """No call up and an empty hotline queue: what an earlier test left (a caller
        killed without a BYE, an agent still logged in) must not ring this test's phones."""
        ami = self.app[AMI]
        for channel in await ami.send({"Action": "CoreShowChannels"}, as_list=True):
            if channel.get("Event") == "CoreShowChannel":
                with contextlib.suppress(AmiActionFailed):  # gone meanwhile
                    await ami.send({"Action": "Hangup", "Channel": channel["Channel"]})
        status = await ami.send({"Action": "QueueStatus", "Queue": "hotline"}, as_list=True)
        for member in status:
            if member.get("Event") == "QueueMember":
                await ami.send({"Action": "QueueRemove", "Queue": "hotline",
                                "Interface": member["Location"]})

    async def add_agent(self, username: str, extension: str | None,
                        role: str = "agent") -> int:
        return await add_user(self.pool, username=username, display_name=username.title(),
                              role=role, password=AGENT_PASSWORD, extension=extension,
                              locale="en")

    async def seed_followup(self, *, phone: str = "+8613800138001", kind: str = "sales",
                            do_not_disturb: bool = False, name: str = "张伟",
                            status: str = "open") -> Seeded:
        self._counter += 1
        return await seed_followup(self.pool, self.today, self._counter, phone=phone,
                                   kind=kind, do_not_disturb=do_not_disturb, name=name,
                                   status=status)

    async def login(self, username: str) -> AgentSession:
        return await login(self.base_url, username)


async def seed_followup(pool: asyncpg.Pool, today: date, n: int, *,
                        phone: str = "+8613800138001", kind: str = "sales",
                        do_not_disturb: bool = False, name: str = "张伟",
                        status: str = "open") -> Seeded:
    """A customer with a phone and a vehicle, and a follow-up task due ``today``; ``n``
    keeps the references of one test's seeds apart."""
    async with pool.acquire() as conn, conn.transaction():
        customer = await conn.fetchval(
            "INSERT INTO customers (external_ref, name, do_not_disturb, value_level)"
            " VALUES ($1, $2, $3, 'vip') RETURNING id", f"C{n:05d}", name, do_not_disturb)
        await conn.execute("INSERT INTO customer_phones (customer_id, e164, label)"
                           " VALUES ($1, $2, 'mobile')", customer, phone)
        vehicle = await conn.fetchval(
            "INSERT INTO vehicles (customer_id, vin, plate, model, delivery_date)"
            " VALUES ($1, $2, $3, 'Model Y', $4) RETURNING id",
            customer, f"LSVAU2180N{n:07d}", f"沪A{n:05d}", today)
        visit = f"V{n:05d}" if kind == "service" else None
        if visit:
            for order in (1, 2):
                await conn.execute(
                    "INSERT INTO service_orders (order_no, visit_no, customer_id,"
                    " vehicle_id, kind, settled_at) VALUES ($1, $2, $3, $4,"
                    " 'maintenance', $5)", f"O{n:05d}-{order}", visit, customer, vehicle,
                    datetime.now(UTC))
        task = await conn.fetchval(
            "INSERT INTO followup_tasks (kind, source_key, customer_id, vehicle_id,"
            " visit_no, due_date, status) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " RETURNING id", kind, f"{kind}:{n}", customer, vehicle, visit, today,
            status)
    return Seeded(customer, task, phone)


async def login(base_url: str, username: str) -> AgentSession:
    """A session of ``username`` (password AGENT_PASSWORD) on the server at ``base_url``."""
    # unsafe=True: aiohttp keeps no cookies for IP-address hosts otherwise.
    session = aiohttp.ClientSession(base_url, cookie_jar=aiohttp.CookieJar(unsafe=True))
    resp = await session.post("/api/login", json={"username": username,
                                                  "password": AGENT_PASSWORD})
    assert resp.status == 200, await resp.text()
    return AgentSession(session)


@dataclass
class AgentSession:
    http: aiohttp.ClientSession
    ws: aiohttp.ClientWebSocketResponse | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    async def open_ws(self) -> None:
        self.ws = await self.http.ws_connect("/api/ws")
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.messages.append(json.loads(msg.data))

    def states(self, call_id: int) -> list[str]:
        return [m["call"]["state"] for m in self.messages
                if m.get("type") == "call" and m["call"]["id"] == call_id]

    async def wait_state(self, call_id: int, state: str, timeout: float = 30) -> None:
        await eventually(lambda: state in self.states(call_id), timeout)

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        resp = await self.http.post(path, json=body)
        return resp.status, (await resp.json() if resp.status != 204 else {})

    async def get(self, path: str) -> tuple[int, dict[str, Any]]:
        resp = await self.http.get(path)
        return resp.status, await resp.json()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await self._reader
        await self.http.close()


@contextlib.asynccontextmanager
async def running_server(db_url: str, env: dict[str, str],
                         recordings_dir: Path | None = None) -> AsyncIterator[ConsoleServer]:
    """The server on a free HTTP port, logged in to the AMI that ``env`` names."""
    env = {**env, "CALLCENTER_DATABASE_URL": db_url, "CALLCENTER_HTTP_PORT": "0"}
    if recordings_dir is not None:
        env["CALLCENTER_RECORDINGS_DIR"] = str(recordings_dir)
    settings = load_settings({k: v for k, v in env.items() if k.startswith("CALLCENTER_")})
    app = build_app(settings)
    runner = make_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server = ConsoleServer(app, f"http://127.0.0.1:{port}", settings, runner)
    try:
        await app[AMI].wait_connected(15)
        yield server
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def center_server(db_url: str, ami_port: int, supervisor: str = "chen",
                        ) -> AsyncIterator[ConsoleServer]:
    """``running_server`` on a loopback AMI peer (no FastAGI) with agent "li" (extension
    1001) and a supervisor (no phone): the pages' and the reports' tests' center."""
    env = {"CALLCENTER_AMI_PORT": str(ami_port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        await srv.add_agent(supervisor, None, role="supervisor")
        yield srv
