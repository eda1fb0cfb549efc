"""Outcomes of answered follow-up calls (real PostgreSQL; the calls themselves are in
tests/e2e/test_followup_calls.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.console import AgentSession, ConsoleServer, Seeded

SERVICE_ANSWERS = {f"q{n}": 9 for n in range(1, 7)}


async def _answered_call(server: ConsoleServer, seeded: Seeded,
                         disposition: str = "answered") -> int:
    agent = await server.pool.fetchval("SELECT id FROM users WHERE username = 'li'")
    now = datetime.now(UTC)
    call = await server.pool.fetchval(
        "INSERT INTO calls (linkedid, direction, customer_id, agent_id, started_at,"
        " answered_at, ended_at, disposition, state, followup_task_id)"
        " VALUES ($1, 'outbound', $2, $3, $4, $4, $5, $6, 'ended', $7) RETURNING id",
        f"cc-{seeded.followup_id}", seeded.customer_id, agent, now - timedelta(minutes=3),
        now, disposition, seeded.followup_id)
    await server.pool.execute(
        "INSERT INTO followup_attempts (task_id, call_id, agent_id, result)"
        " VALUES ($1, $2, $3, $4)", seeded.followup_id, call, agent, disposition)
    return call


async def test_service_follow_up_settles_the_visit_and_schedules_maintenance(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    seeded = await agent_server.seed_followup(kind="service")
    call = await _answered_call(agent_server, seeded)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome",
                                 {"call_id": call, "answers": SERVICE_ANSWERS})
    assert status == 200, body
    assert body["task"]["result"] == "satisfied"
    orders = await agent_server.pool.fetch(
        "SELECT followed_up_at FROM service_orders WHERE customer_id = $1",
        seeded.customer_id)
    assert len(orders) == 2 and all(o["followed_up_at"] for o in orders)
    next_date = await agent_server.pool.fetchval(
        "SELECT next_maintenance_date FROM customers WHERE id = $1", seeded.customer_id)
    assert next_date is not None and next_date > datetime.now(UTC).date() + timedelta(days=150)


async def test_wrong_number_counts_as_not_reached(agent_server: ConsoleServer,
                                                  li: AgentSession) -> None:
    seeded = await agent_server.seed_followup()
    call = await _answered_call(agent_server, seeded)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome",
                                 {"call_id": call, "result": "wrong_number"})
    assert status == 200, body
    assert body["task"]["status"] == "call_again"
    result = await agent_server.pool.fetchval(
        "SELECT result FROM followup_attempts WHERE call_id = $1", call)
    assert result == "wrong_number"


async def test_bad_outcomes_change_nothing(agent_server: ConsoleServer, li: AgentSession) -> None:
    seeded = await agent_server.seed_followup()
    busy = await _answered_call(agent_server, seeded, disposition="busy")
    path = f"/api/followups/{seeded.followup_id}/outcome"
    status, body = await li.post(path, {"call_id": busy, "answers": {"q1": 9}})
    assert (status, body["error_id"]) == (409, "call_not_answered")
    other = await agent_server.seed_followup(phone="+8613900139002")
    call = await _answered_call(agent_server, other)
    for answers, problem in (({"q1": 9}, "missing"), ({**{f"q{n}": 9 for n in range(1, 9)},
                                                      "q3": 11}, "range")):
        status, body = await li.post(f"/api/followups/{other.followup_id}/outcome",
                                     {"call_id": call, "answers": answers})
        assert (status, body["error_id"]) == (400, "invalid_answers"), problem
    # Not a JSON integer: refused by the body's model, which names the answer.
    status, body = await li.post(f"/api/followups/{other.followup_id}/outcome",
                                 {"call_id": call, "answers": {f"q{n}": "9" for n in range(1, 9)}})
    assert (status, body["error_id"], body["details"]["field"]) == (400, "invalid_input",
                                                                    "answers.q1")
    task = await agent_server.pool.fetchrow(
        "SELECT status, answers FROM followup_tasks WHERE id=$1", other.followup_id)
    assert task["status"] == "open" and task["answers"] is None
    assert await agent_server.pool.fetchval("SELECT count(*) FROM complaints") == 0


async def test_agent_state_is_rebuilt_from_asterisk_after_a_restart(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    # The loopback Asterisk reports PJSIP/1001 as a member of the hotline queue in its
    # QueueStatus: a freshly started server knows the agent is logged in.
    status, body = await li.get("/api/agent/state")
    assert status == 200 and body["state"] == "available"
