"""Stopping the server: consoles are told it is going away (WebSocket close 1001) and
the stop does not wait for them, in-process (the runner ``serve`` uses) and as the
``callcenter serve`` process on SIGTERM.

A live call at the stop keeps its row as the registry wrote it: the next start's
reconcile finishes it (tests/e2e/test_server_crash.py shows that part).
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

import aiohttp

from callcenter.db.database import create_pool
from callcenter.services.users import add_user
from tests.console import AGENT_PASSWORD, AgentSession, ConsoleServer, login, seed_followup
from tests.harness.server_process import ServerProcess
from tests.integration.fake_ami import FakeAmi

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


async def test_serve_stops_on_sigterm_with_consoles_and_a_live_call(
        db_url: str, fake_ami: FakeAmi) -> None:
    """``callcenter serve`` with two consoles open and a click-to-call whose agent has
    answered: SIGTERM stops it in under 2 s, exit 0, the consoles told, and the call's
    row holds what was known (the next start's reconcile finishes it)."""
    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        for username, extension in (("li", "1001"), ("wang", "1002")):
            await add_user(pool, username=username, display_name=username, role="agent",
                           password=AGENT_PASSWORD, extension=extension, locale="en")
        seeded = await seed_followup(pool, date.today(), 1)
        server = ServerProcess({"CALLCENTER_DATABASE_URL": db_url,
                                "CALLCENTER_AMI_PORT": str(fake_ami.port),
                                "CALLCENTER_AGI_PORT": "0",
                                "CALLCENTER_RECORDINGS_TRANSCRIBER": "none"})
        await server.start()
        consoles = await _consoles(server.base_url, "li", "wang")
        try:
            status, body = await consoles[0].post(
                "/api/calls", {"followup_id": seeded.followup_id, "phone": seeded.phone})
            assert status == 202, body
            linkedid = body["call"]["linkedid"]
            fake_ami.emit(Event="Newstate", Timestamp=f"{time.time():.6f}",
                          Channel="PJSIP/1001-00000001", ChannelState="6",
                          ChannelStateDesc="Up", Uniqueid=linkedid, Linkedid=linkedid)
            await consoles[0].wait_state(body["call"]["id"], "agent_answered", 5)
            started = time.monotonic()
            code = await server.stop()
            took = time.monotonic() - started
            assert code == 0, server.output()[-2000:]
            for console in consoles:
                await _closed_going_away(console)
            assert took < STOP_BUDGET, f"callcenter serve took {took:.1f}s to stop"
        finally:
            for console in consoles:
                await console.close()
        row = await pool.fetchrow("SELECT * FROM calls WHERE linkedid = $1", linkedid)
        assert row["state"] == "agent_answered" and row["agent_answered_at"] is not None
        assert row["ended_at"] is None
    finally:
        await pool.close()
