"""Click-to-call refusals: a clear error and nothing changed. The AMI peer is a loopback
fake here (it counts the Originates it is sent); the real calls are in tests/e2e."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from callcenter.keys import AMI
from tests.console import AgentSession, ConsoleServer
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually


@pytest.fixture
async def server(agent_server: ConsoleServer) -> ConsoleServer:
    """agent_server (agent li, tests/integration/conftest.py), agent wang, supervisor
    zhao."""
    await agent_server.add_agent("wang", "1002")
    await agent_server.add_agent("zhao", None, role="supervisor")
    return agent_server


def _originates(peer: FakeAmi) -> list[dict[str, str]]:
    return [a for a in peer.received if a["Action"] == "Originate"]


async def _state_unchanged(server: ConsoleServer, task_id: int) -> None:
    calls = await server.pool.fetchval("SELECT count(*) FROM calls")
    attempts = await server.pool.fetchval("SELECT count(*) FROM followup_attempts")
    task = await server.pool.fetchrow("SELECT status, attempts FROM followup_tasks WHERE id=$1",
                                      task_id)
    assert (calls, attempts, task["attempts"]) == (0, 0, 0)


async def test_unauthenticated_requests_are_refused(server: ConsoleServer) -> None:
    async with aiohttp.ClientSession(server.base_url) as anonymous:
        resp = await anonymous.post("/api/calls", json={"followup_id": 1, "phone": "1"})
        assert resp.status == 401
        assert (await resp.json())["error_id"] == "unauthorized"
        resp = await anonymous.post("/api/login", json={"username": "li", "password": "nope"})
        assert (resp.status, (await resp.json())["error_id"]) == (401, "bad_credentials")


async def test_do_not_disturb_is_never_called(server: ConsoleServer, li: AgentSession,
                                              fake_ami: FakeAmi) -> None:
    seeded = await server.seed_followup(do_not_disturb=True)
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert (status, body["error_id"]) == (409, "do_not_disturb")
    assert "SMS" in body["message"]
    assert _originates(fake_ami) == []
    await _state_unchanged(server, seeded.followup_id)


async def test_double_click_makes_exactly_one_call(server: ConsoleServer, li: AgentSession,
                                                   fake_ami: FakeAmi) -> None:
    seeded = await server.seed_followup()
    body = {"followup_id": seeded.followup_id, "phone": seeded.phone}
    results = await asyncio.gather(*(li.post("/api/calls", body) for _ in range(5)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [202, 409, 409, 409, 409], results
    assert {b["error_id"] for s, b in results if s == 409} == {"agent_busy"}
    await eventually(lambda: len(_originates(fake_ami)) == 1)
    await asyncio.sleep(0.2)
    assert len(_originates(fake_ami)) == 1
    originate = _originates(fake_ami)[0]
    assert originate["Channel"] == "PJSIP/1001" and originate["Exten"] == "13800138001"
    assert originate["Async"] == "true" and originate["ChannelId"].startswith("cc-")
    assert await server.pool.fetchval("SELECT count(*) FROM calls") == 1
    # Still on that call: a different task is refused too.
    other = await server.seed_followup(phone="+8613900139000")
    status, body = await li.post("/api/calls", {"followup_id": other.followup_id,
                                                "phone": other.phone})
    assert (status, body["error_id"]) == (409, "agent_busy")


@pytest.mark.parametrize("phone", ["12345", "not a number", "+8613800138999"])
async def test_invalid_or_foreign_number(server: ConsoleServer, li: AgentSession,
                                         fake_ami: FakeAmi, phone: str) -> None:
    seeded = await server.seed_followup()
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": phone})
    assert (status, body["error_id"]) == (400, "invalid_number")
    assert _originates(fake_ami) == []
    await _state_unchanged(server, seeded.followup_id)


async def test_ami_down_is_503(server: ConsoleServer, li: AgentSession,
                               fake_ami: FakeAmi) -> None:
    seeded = await server.seed_followup()
    fake_ami.answer_pings = False
    await eventually(lambda: not server.app[AMI].connected, 10)
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert status == 503 and body["error_id"] == "telephony_unavailable"
    await _state_unchanged(server, seeded.followup_id)


async def test_completed_task_is_refused(server: ConsoleServer, li: AgentSession) -> None:
    seeded = await server.seed_followup(status="unreachable")
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert (status, body["error_id"]) == (409, "followup_closed")


async def test_another_agents_task_needs_the_supervisor_role(
        server: ConsoleServer, li: AgentSession, fake_ami: FakeAmi) -> None:
    seeded = await server.seed_followup()
    wang = await server.pool.fetchval("SELECT id FROM users WHERE username='wang'")
    await server.pool.execute("UPDATE followup_tasks SET assigned_to=$1 WHERE id=$2",
                              wang, seeded.followup_id)
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert (status, body["error_id"]) == (403, "forbidden")
    supervisor = await server.login("zhao")
    try:
        status, body = await supervisor.post("/api/calls", {
            "followup_id": seeded.followup_id, "phone": seeded.phone})
        # Allowed by role; this supervisor simply has no phone of their own.
        assert (status, body["error_id"]) == (409, "no_extension")
    finally:
        await supervisor.close()
    assert _originates(fake_ami) == []


@pytest.mark.parametrize("raw", [b"{", b"[]", b'{"followup_id": "7", "phone": "1"}',
                                 b'{"followup_id": true, "phone": "1"}'])
async def test_malformed_bodies_are_400(server: ConsoleServer, li: AgentSession,
                                        raw: bytes) -> None:
    resp = await li.http.post("/api/calls", data=raw,
                              headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["error_id"] == "invalid_input"


async def test_a_complaints_customer_is_called_by_its_owner(
        server: ConsoleServer, li: AgentSession, fake_ami: FakeAmi) -> None:
    """From the complaint page: the owner (or anyone while nobody owns it) calls the
    customer; another agent, a closed complaint or a number not the customer's is
    refused with nothing written or dialed."""
    seeded = await server.seed_followup(do_not_disturb=True)  # a complaint overrides it
    li_id, wang_id = [await server.pool.fetchval(
        "SELECT id FROM users WHERE username = $1", name) for name in ("li", "wang")]
    complaint = await server.pool.fetchval(
        "INSERT INTO complaints (customer_id, source, description, owner_id)"
        " VALUES ($1, 'hotline', 'noise', $2) RETURNING id", seeded.customer_id, wang_id)
    wrong = {"complaint_id": complaint, "phone": seeded.phone}
    status, body = await li.post("/api/calls", wrong)
    assert (status, body["error_id"]) == (403, "forbidden")
    both = {"complaint_id": complaint, "followup_id": seeded.followup_id,
            "phone": seeded.phone}
    assert (await li.post("/api/calls", both))[0] == 400
    await server.pool.execute("UPDATE complaints SET owner_id = $1", li_id)
    status, body = await li.post("/api/calls", {"complaint_id": complaint,
                                                "phone": "+8613900000000"})
    assert (status, body["error_id"]) == (400, "invalid_number")
    await server.pool.execute("UPDATE complaints SET status = 'closed'")
    assert (await li.post("/api/calls", wrong))[0] == 409
    assert await server.pool.fetchval("SELECT count(*) FROM calls") == 0
    assert _originates(fake_ami) == []

    await server.pool.execute("UPDATE complaints SET status = 'contacted'")
    status, body = await li.post("/api/calls", wrong)
    assert status == 202, body
    row = await server.pool.fetchrow("SELECT category, customer_id, followup_task_id,"
                                     " agent_id FROM calls")
    assert tuple(row) == ("complaint", seeded.customer_id, None, li_id)
    await eventually(lambda: len(_originates(fake_ami)) == 1)
