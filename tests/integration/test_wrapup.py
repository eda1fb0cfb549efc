"""Wrap-ups, complaints opened from a call and quick-created customers over HTTP (real
PostgreSQL; the browser side is in tests/e2e/test_inbound_browser.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.console import AgentSession, ConsoleServer


async def _inbound_call(server: ConsoleServer, agent: str, customer_id: int | None, *,
                        ended: bool = True) -> int:
    agent_id = await server.pool.fetchval("SELECT id FROM users WHERE username = $1", agent)
    now = datetime.now(UTC)
    return await server.pool.fetchval(
        "INSERT INTO calls (linkedid, direction, customer_id, agent_id, caller_number,"
        " started_at, answered_at, ended_at, disposition, state) VALUES ($1, 'inbound', $2, $3,"
        " '+8613800138001', $4, $4, $5, $6, $7) RETURNING id",
        f"in-{now.timestamp()}", customer_id, agent_id, now - timedelta(minutes=2),
        now if ended else None, "answered" if ended else None,
        "ended" if ended else "talking")


async def test_a_complaint_wrap_up_notes_the_customers_open_complaints(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    seeded = await agent_server.seed_followup()
    call = await _inbound_call(agent_server, "li", None)
    status, body = await li.post("/api/complaints", {
        "customer_id": seeded.customer_id, "call_id": call, "description": "noise again"})
    assert status == 201, body
    complaint = body["complaint"]["id"]
    status, body = await li.post(f"/api/calls/{call}/wrapup", {
        "category": "complaint", "notes": "called back about the noise",
        "customer_id": seeded.customer_id})
    assert status == 200, body
    row = await agent_server.pool.fetchrow(
        "SELECT category, notes, customer_id FROM calls WHERE id = $1", call)
    assert tuple(row) == ("complaint", "called back about the noise", seeded.customer_id)
    source = await agent_server.pool.fetchval(
        "SELECT source FROM complaints WHERE id = $1", complaint)
    events = await agent_server.pool.fetch(
        "SELECT kind, call_id, note FROM complaint_events WHERE complaint_id = $1"
        " ORDER BY id", complaint)
    assert source == "hotline"
    assert [tuple(e) for e in events] == [("opened", call, "noise again"),
                                          ("wrap_up", call, "called back about the noise")]


async def test_refused_wrap_ups_change_nothing(agent_server: ConsoleServer,
                                               li: AgentSession) -> None:
    await agent_server.add_agent("wang", "1002")
    seeded = await agent_server.seed_followup()
    talking = await _inbound_call(agent_server, "li", seeded.customer_id, ended=False)
    others = await _inbound_call(agent_server, "wang", seeded.customer_id)
    own = await _inbound_call(agent_server, "li", None)
    for call, body, expected in (
            (talking, {"category": "other"}, (409, "call_in_progress")),
            (others, {"category": "other"}, (403, "forbidden")),
            (own + 1000, {"category": "other"}, (404, "not_found")),
            (own, {"category": "other", "customer_id": seeded.customer_id + 1000},
             (400, "invalid_input")),
            (own, {"category": "nuisance"}, (400, "invalid_input")),
            (own, {"category": "other", "flag": "threat"}, (400, "invalid_input"))):
        status, reply = await li.post(f"/api/calls/{call}/wrapup", body)
        assert (status, reply["error_id"]) == expected, (call, body)
    assert await agent_server.pool.fetchval(
        "SELECT count(*) FROM calls WHERE category IS NOT NULL") == 0


async def test_complaints_without_a_call_and_refused_ones(agent_server: ConsoleServer,
                                                          li: AgentSession) -> None:
    seeded = await agent_server.seed_followup()
    status, body = await li.post("/api/complaints", {
        "customer_id": seeded.customer_id, "description": "rude advisor",
        "severity": "major"})
    assert status == 201, body
    row = await agent_server.pool.fetchrow(
        "SELECT source, severity, call_id FROM complaints WHERE id = $1",
        body["complaint"]["id"])
    assert tuple(row) == ("other", "major", None)
    for bad in ({"customer_id": seeded.customer_id, "call_id": "7", "description": "x"},
                {"customer_id": seeded.customer_id + 1000, "description": "x"},
                {"customer_id": seeded.customer_id}):
        status, reply = await li.post("/api/complaints", bad)
        assert (status, reply["error_id"]) == (400, "invalid_input"), bad
    assert await agent_server.pool.fetchval("SELECT count(*) FROM complaints") == 1


async def test_a_new_caller_gets_a_customer_with_their_number(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    status, body = await li.post("/api/customers", {"name": "赵敏", "phone": "13912345678"})
    assert status == 201, body
    phones = await agent_server.pool.fetch(
        "SELECT e164, label FROM customer_phones WHERE customer_id = $1",
        body["customer"]["id"])
    assert [tuple(p) for p in phones] == [("+8613912345678", "caller ID")]
