"""Abandoned callers to call back, end to end on the real Asterisk: a sipp caller hangs
up while waiting in the queue (no agent logged in), GET /api/callbacks lists it, and
POST /api/callbacks/{call_id}/call rings the supervisor's sipp phone, then the caller's
number through the trunk (a sipp phone on TRUNK_PORT); answered, the list is empty."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.console import AgentSession, ConsoleServer, running_server
from tests.harness.sipp import TRUNK_PORT, phone_port, start_caller, start_phone
from tests.waiting import first_result

pytestmark = pytest.mark.asterisk

CALLER, E164 = "13800138000", "+8613800138000"
SUPERVISOR_PHONE = "1003"


@pytest.fixture
async def server(db_url: str, sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    async with running_server(db_url, sandbox_env) as srv:
        await srv.quiet_asterisk()
        await srv.add_agent("zhao", SUPERVISOR_PHONE, role="supervisor")
        yield srv


@pytest.fixture
async def zhao(server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await server.login("zhao")
    await session.open_ws()
    yield session
    await session.close()


async def _callbacks(session: AgentSession) -> list[dict]:
    status, body = await session.get("/api/callbacks")
    assert status == 200, body
    return body["callbacks"]


async def test_an_abandoned_caller_is_called_back_and_leaves_the_list(
        server: ConsoleServer, zhao: AgentSession) -> None:
    seeded = await server.seed_followup(phone=E164, name="王芳")
    # Nobody in the queue: the caller chooses an agent, waits and hangs up.
    async with await start_caller("127.0.0.1", 15060, caller_id=CALLER, keys="0",
                                  hold=4) as caller:
        await caller.wait(30)
    abandoned = await first_result(lambda: server.pool.fetchval(
        "SELECT id FROM calls WHERE direction = 'inbound' AND disposition = 'abandoned'"),
        15)
    listed = await _callbacks(zhao)
    assert [(c["phone"], c["call_id"], c["customer_id"], c["abandoned_count"])
            for c in listed] == [(E164, abandoned, seeded.customer_id, 1)]
    assert listed[0]["customer_name"] == "王芳" and listed[0]["longest_wait_seconds"] >= 4

    async with await start_phone(phone_port(SUPERVISOR_PHONE), "uas_answer", hold=8) as _, \
            await start_phone(TRUNK_PORT, "uas_answer", hold=4) as customer:
        status, body = await zhao.post(f"/api/callbacks/{abandoned}/call", {})
        assert status == 202, body
        call_id = body["call"]["id"]
        await zhao.wait_state(call_id, "agent_answered", 15)
        await zhao.wait_state(call_id, "answered", 15)
        assert await _callbacks(zhao) == []  # reached: off the list while still talking
        await zhao.wait_state(call_id, "ended", 20)
        await customer.wait(20)
    row = await server.pool.fetchrow(
        "SELECT callback_of, customer_id, callee_number, disposition FROM calls WHERE id = $1",
        call_id)
    assert dict(row) == {"callback_of": abandoned, "customer_id": seeded.customer_id,
                         "callee_number": E164, "disposition": "answered"}
    assert await _callbacks(zhao) == []
