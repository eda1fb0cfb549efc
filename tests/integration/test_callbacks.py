"""Abandoned callers to call back, on a real PostgreSQL: call rows in, GET /api/callbacks
out, and POST /api/callbacks/{call_id}/call placing the call back (the AMI peer is the
loopback fake; the real call is in tests/e2e/test_callbacks.py)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from callcenter.services.callbacks import day_span
from tests.console import AgentSession, ConsoleServer
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually

A, B = "+8613800138001", "+8613900139002"
_linkedids = itertools.count(1)


@pytest.fixture
async def zhao(agent_server: ConsoleServer) -> AgentSession:
    """Supervisor zhao, whose phone is 1003 (agent li, 1001, is agent_server's)."""
    await agent_server.add_agent("zhao", "1003", role="supervisor")
    return await agent_server.login("zhao")


def _base(server: ConsoleServer) -> datetime:
    """A moment of today, some minutes ago, that later offsets keep within today."""
    now = datetime.now(server.settings.tz)
    since, _ = day_span(now, server.settings.tz)
    return max(since + timedelta(seconds=1), now - timedelta(minutes=10))


async def _customer(server: ConsoleServer, name: str, phone: str) -> int:
    customer: int = await server.pool.fetchval(
        "INSERT INTO customers (name) VALUES ($1) RETURNING id", name)
    await server.pool.execute(
        "INSERT INTO customer_phones (customer_id, e164, label) VALUES ($1, $2, 'mobile')",
        customer, phone)
    return customer


async def _call(server: ConsoleServer, direction: str, number: str, started: datetime,
                seconds: float, disposition: str, *, customer_id: int | None = None,
                ivr_choice: str | None = None, answered: bool = False) -> int:
    """An ended call row: inbound from ``number`` or outbound to it."""
    ended = started + timedelta(seconds=seconds)
    call_id: int = await server.pool.fetchval(
        "INSERT INTO calls (linkedid, direction, caller_number, callee_number, started_at,"
        " answered_at, ended_at, disposition, customer_id, ivr_choice, state)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'ended') RETURNING id",
        f"test-{next(_linkedids)}", direction,
        number if direction == "inbound" else None,
        number if direction == "outbound" else None, started,
        started + timedelta(seconds=1) if answered else None, ended, disposition,
        customer_id, ivr_choice)
    return call_id


async def _listed(session: AgentSession) -> list[dict[str, object]]:
    status, body = await session.get("/api/callbacks")
    assert status == 200, body
    return body["callbacks"]


async def test_one_entry_per_abandoned_number_latest_first(agent_server: ConsoleServer,
                                                           zhao: AgentSession) -> None:
    base = _base(agent_server)
    wang = await _customer(agent_server, "王芳", A)
    first = await _call(agent_server, "inbound", A, base, 40, "abandoned", customer_id=wang,
                        ivr_choice="complaint")
    second = await _call(agent_server, "inbound", A, base + timedelta(seconds=60), 25,
                         "abandoned", customer_id=wang)
    other = await _call(agent_server, "inbound", B, base + timedelta(seconds=30), 12,
                        "abandoned")
    # not to call back: a withheld number, a call served in the IVR, an answered one
    await _call(agent_server, "inbound", "anonymous", base, 30, "abandoned")
    await _call(agent_server, "inbound", "+8613700137003", base, 30, "ivr")
    await _call(agent_server, "inbound", "+8613600136004", base, 30, "answered",
                answered=True)

    listed = await _listed(zhao)
    assert [c["phone"] for c in listed] == [A, B]
    assert listed[0] == {
        "phone": A, "customer_id": wang, "customer_name": "王芳", "abandoned_count": 2,
        "last_abandoned_at": listed[0]["last_abandoned_at"], "longest_wait_seconds": 40,
        "ivr_choice": "complaint", "call_id": second, "call_ids": [second, first]}
    assert datetime.fromisoformat(str(listed[0]["last_abandoned_at"])) == \
        base + timedelta(seconds=85)
    assert listed[1] | {"last_abandoned_at": None} == {
        "phone": B, "customer_id": None, "customer_name": None, "abandoned_count": 1,
        "last_abandoned_at": None, "longest_wait_seconds": 12, "ivr_choice": None,
        "call_id": other, "call_ids": [other]}


async def test_a_caller_answered_when_calling_again_leaves_the_list(
        agent_server: ConsoleServer, zhao: AgentSession) -> None:
    base = _base(agent_server)
    await _call(agent_server, "inbound", A, base, 20, "abandoned")
    await _call(agent_server, "inbound", B, base, 20, "abandoned")
    # B calls again and abandons again: still listed, twice
    await _call(agent_server, "inbound", B, base + timedelta(seconds=30), 5, "abandoned")
    await _call(agent_server, "inbound", A, base + timedelta(seconds=30), 90, "answered",
                answered=True)
    assert [(c["phone"], c["abandoned_count"]) for c in await _listed(zhao)] == [(B, 2)]


async def test_reached_by_an_answered_call_back_leaves_unanswered_stays(
        agent_server: ConsoleServer, zhao: AgentSession) -> None:
    base = _base(agent_server)
    await _call(agent_server, "inbound", A, base, 20, "abandoned")
    await _call(agent_server, "inbound", B, base, 20, "abandoned")
    await _call(agent_server, "outbound", A, base + timedelta(seconds=40), 60, "answered",
                answered=True)
    await _call(agent_server, "outbound", B, base + timedelta(seconds=40), 30, "no_answer")
    assert [c["phone"] for c in await _listed(zhao)] == [B]
    # an answered call to B *before* it abandoned does not count
    await _call(agent_server, "outbound", B, base - timedelta(seconds=1), 0.5, "answered",
                answered=True)
    assert [c["phone"] for c in await _listed(zhao)] == [B]


async def test_another_day_is_not_on_the_list(agent_server: ConsoleServer,
                                              zhao: AgentSession) -> None:
    since, until = day_span(datetime.now(agent_server.settings.tz), agent_server.settings.tz)
    await _call(agent_server, "inbound", A, since - timedelta(minutes=5), 20, "abandoned")
    await _call(agent_server, "inbound", B, until + timedelta(minutes=5), 20, "abandoned")
    assert await _listed(zhao) == []


async def test_agents_may_not_see_the_list(agent_server: ConsoleServer,
                                           li: AgentSession) -> None:
    status, body = await li.get("/api/callbacks")
    assert (status, body["error_id"]) == (403, "forbidden")


async def test_call_back_rings_the_users_phone_then_the_caller(
        agent_server: ConsoleServer, zhao: AgentSession, li: AgentSession,
        fake_ami: FakeAmi) -> None:
    base = _base(agent_server)
    wang = await _customer(agent_server, "王芳", A)
    abandoned = await _call(agent_server, "inbound", A, base, 20, "abandoned",
                            customer_id=wang)
    status, body = await zhao.post(f"/api/callbacks/{abandoned}/call", {})
    assert status == 202, body
    call_id = body["call"]["id"]
    await eventually(lambda: any(a["Action"] == "Originate" for a in fake_ami.received))
    originate = next(a for a in fake_ami.received if a["Action"] == "Originate")
    assert (originate["Channel"], originate["Exten"]) == ("PJSIP/1003", "13800138001")
    assert originate["CallerID"] == f'"王芳" <{A}>'
    row = await agent_server.pool.fetchrow(
        "SELECT callback_of, customer_id, callee_number, agent_id FROM calls WHERE id = $1",
        call_id)
    assert (row["callback_of"], row["customer_id"], row["callee_number"]) == (
        abandoned, wang, A)
    assert [c["phone"] for c in await _listed(zhao)] == [A]  # ringing: not reached yet
    await agent_server.pool.execute("UPDATE calls SET answered_at = now() WHERE id = $1",
                                    call_id)
    assert await _listed(zhao) == []
    # an agent may call back too; only abandoned inbound calls can be called back
    other = await _call(agent_server, "inbound", B, base, 20, "abandoned")
    status, body = await li.post(f"/api/callbacks/{other}/call", {})
    assert status == 202, body
    status, body = await li.post(f"/api/callbacks/{call_id}/call", {})
    assert (status, body["error_id"]) == (404, "not_found")
