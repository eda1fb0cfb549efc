"""Stopping the server: consoles are told it is going away (WebSocket close 1001) and
the stop does not wait for them, in-process (the runner ``serve`` uses) and as the
``callcenter serve`` process on SIGTERM.

To check more of the stop (a live call's row written, say), start what it needs
before ``_stop`` and assert on the database after it: ``agent_server.pool`` is closed
by then, so read with a connection of its own to ``db_url``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from callcenter.db.database import create_pool
from callcenter.services.users import add_user
from tests.console import AGENT_PASSWORD, AgentSession, ConsoleServer, login
from tests.integration.fake_ami import FakeAmi
from tests.waiting import first_result

GOING_AWAY = aiohttp.WSCloseCode.GOING_AWAY
STOP_BUDGET = 2.0  # seconds: well inside docker's grace period, whatever the consoles do


async def _consoles(base_url: str, *usernames: str) -> list[AgentSession]:
    sessions = []
    for username in usernames:
        session = await login(base_url, username)
        await session.open_ws()
        sessions.append(session)
    return sessions


async def _stop(server: ConsoleServer) -> float:
    started = time.monotonic()
    await server.stop()
    return time.monotonic() - started


async def _closed_going_away(console: AgentSession) -> None:
    assert console._reader is not None and console.ws is not None
    await asyncio.wait_for(console._reader, 1)
    assert console.ws.close_code == GOING_AWAY


async def test_stop_closes_consoles_with_going_away(agent_server: ConsoleServer) -> None:
    await agent_server.add_agent("wang", "1002")
    consoles = await _consoles(agent_server.base_url, "li", "wang")
    try:
        took = await _stop(agent_server)
        for console in consoles:
            await _closed_going_away(console)
        assert took < STOP_BUDGET, f"the server took {took:.1f}s to stop"
    finally:
        for console in consoles:
            await console.close()


async def test_a_console_that_never_answers_does_not_hold_the_stop(
        agent_server: ConsoleServer) -> None:
    mute = await agent_server.login("li")
    ws = await mute.http.ws_connect("/api/ws")  # never read: the close frame is not answered
    try:
        took = await _stop(agent_server)
        assert took < STOP_BUDGET, f"the server took {took:.1f}s to stop"
    finally:
        await ws.close()
        await mute.close()


# -- the real process --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def serve_process(db_url: str,
                        fake_ami: FakeAmi) -> AsyncIterator[tuple[asyncio.subprocess.Process,
                                                                  str]]:
    """``callcenter serve`` on a free port, answering /healthz; killed if still up."""
    port = _free_port()
    env = {**os.environ, "CALLCENTER_DATABASE_URL": db_url, "CALLCENTER_HTTP_PORT": str(port),
           "CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0",
           "CALLCENTER_RECORDINGS_TRANSCRIBER": "none"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "callcenter", "serve", env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(base_url) as http:
            async def healthy() -> bool:
                try:
                    async with http.get("/healthz") as resp:
                        return resp.status == 200
                except aiohttp.ClientConnectionError:
                    return False

            await first_result(healthy, timeout=30)
        yield proc, base_url
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_serve_stops_on_sigterm_with_consoles_open(
        db_url: str, serve_process: tuple[asyncio.subprocess.Process, str]) -> None:
    proc, base_url = serve_process
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        for username, extension in (("li", "1001"), ("wang", "1002")):
            await add_user(pool, username=username, display_name=username, role="agent",
                           password=AGENT_PASSWORD, extension=extension, locale="en")
    finally:
        await pool.close()
    consoles = await _consoles(base_url, "li", "wang")
    try:
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 10)
        took = time.monotonic() - started
        assert code == 0
        for console in consoles:
            await _closed_going_away(console)
        assert took < STOP_BUDGET, f"callcenter serve took {took:.1f}s to stop"
    finally:
        for console in consoles:
            await console.close()
