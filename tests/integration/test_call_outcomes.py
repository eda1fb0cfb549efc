"""The call scripts' outcomes through the API (real PostgreSQL; the loopback AMI peer
takes the Originates): callback, someone else answered, call-again spacing enforced at
POST /api/calls, a wrong number's phone, do-not-disturb, the worklist's sections and
the supervisors' assignments. The real calls are in tests/e2e/test_call_outcomes.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.calls import CallState, OutboundCall
from callcenter.keys import CALL_STORE
from tests.console import AgentSession, ConsoleServer, Seeded
from tests.integration.fake_ami import FakeAmi

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def server(agent_server: ConsoleServer) -> ConsoleServer:
    await agent_server.add_agent("wang", "1002")
    await agent_server.add_agent("zhao", None, role="supervisor")
    return agent_server


async def _user(server: ConsoleServer, name: str) -> int:
    return await server.pool.fetchval("SELECT id FROM users WHERE username = $1", name)


async def _ended_call(server: ConsoleServer, seeded: Seeded, disposition: str = "answered",
                      phone: str | None = None) -> int:
    """A call of the task that has ended, with its attempt, as the registry writes it."""
    agent = await _user(server, "li")
    now = datetime.now(UTC)
    call = await server.pool.fetchval(
        "INSERT INTO calls (linkedid, direction, customer_id, agent_id, callee_number,"
        " started_at, answered_at, ended_at, disposition, state, followup_task_id)"
        " VALUES ($1, 'outbound', $2, $3, $4, $5, $5, $6, $7, 'ended', $8) RETURNING id",
        f"cc-{seeded.followup_id}-{now.timestamp()}", seeded.customer_id, agent,
        phone or seeded.phone, now - timedelta(minutes=3), now, disposition,
        seeded.followup_id)
    await server.pool.execute(
        "INSERT INTO followup_attempts (task_id, call_id, agent_id, result)"
        " VALUES ($1, $2, $3, $4)", seeded.followup_id, call, agent, disposition)
    return call


async def _task(server: ConsoleServer, task_id: int) -> dict:
    return dict(await server.pool.fetchrow("SELECT * FROM followup_tasks WHERE id = $1",
                                           task_id))


async def _ids(session: AgentSession, section: str) -> list[int]:
    status, body = await session.get(f"/api/followups?list={section}")
    assert status == 200, body
    return [t["id"] for t in body["items"]]


async def test_callback_leaves_the_lists_until_its_time_for_that_agent(
        server: ConsoleServer, li: AgentSession, fake_ami: FakeAmi) -> None:
    seeded = await server.seed_followup()
    call = await _ended_call(server, seeded)
    at = (datetime.now(SHANGHAI) + timedelta(hours=3)).replace(microsecond=0)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome", {
        "call_id": call, "result": "callback", "spoke_with": "妻子",
        # without a zone: the center's
        "callback_at": at.replace(tzinfo=None).isoformat()})
    assert status == 200, body
    task = body["task"]
    assert datetime.fromisoformat(task["callback_at"]) == at
    assert task["spoke_with"] == "妻子" and task["status"] == "open"
    assert task["assigned_to"] == await _user(server, "li")
    attempt = await server.pool.fetchrow(
        "SELECT outcome, spoke_with, callback_at FROM followup_attempts WHERE call_id = $1",
        call)
    assert (attempt["outcome"], attempt["spoke_with"], attempt["callback_at"]) == (
        "callback", "妻子", at)
    for section in ("today", "overdue", "call_again", "callbacks"):
        assert seeded.followup_id not in await _ids(li, section), section
    assert seeded.followup_id in await _ids(li, "coming")
    # Calling before the time the customer named is refused, saying when.
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert (status, body["error_id"]) == (409, "too_early")
    assert datetime.fromisoformat(body["details"]["not_before"]) == at
    # Its time comes: it is in li's callbacks section, not in wang's lists.
    await server.pool.execute(
        "UPDATE followup_tasks SET callback_at = now() - interval '1 second',"
        " next_attempt_at = now() - interval '1 second' WHERE id = $1", seeded.followup_id)
    assert await _ids(li, "callbacks") == [seeded.followup_id]
    wang = await server.login("wang")
    try:
        for section in ("today", "callbacks", "coming"):
            assert seeded.followup_id not in await _ids(wang, section)
    finally:
        await wang.close()
    # The call back is placed: the task is on the ordinary lists again.
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert status == 202, body
    assert (await _task(server, seeded.followup_id))["callback_at"] is None


@pytest.mark.parametrize("offset", [timedelta(minutes=-5), timedelta(days=15)])
async def test_callback_in_the_past_or_too_far_is_refused(
        server: ConsoleServer, li: AgentSession, offset: timedelta) -> None:
    seeded = await server.seed_followup()
    call = await _ended_call(server, seeded)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome", {
        "call_id": call, "result": "callback",
        "callback_at": (datetime.now(SHANGHAI) + offset).isoformat()})
    assert (status, body["error_id"]) == (422, "bad_callback_time"), body
    assert body["details"]["field"] == "callback_at" and body["details"]["not_after"]
    assert (await _task(server, seeded.followup_id))["callback_at"] is None
    # A callback needs its time; a time needs result callback.
    for bad in ({"call_id": call, "result": "callback"},
                {"call_id": call, "result": "wrong_number",
                 "callback_at": datetime.now(SHANGHAI).isoformat()}):
        status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome", bad)
        assert (status, body["error_id"]) == (400, "invalid_input"), body


async def test_someone_else_answered_then_the_questionnaire(
        server: ConsoleServer, li: AgentSession) -> None:
    seeded = await server.seed_followup()
    call = await _ended_call(server, seeded)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome", {
        "call_id": call, "spoke_with": "儿子", "answers": {f"q{n}": 9 for n in range(1, 9)}})
    assert status == 200, body
    assert body["task"]["status"] == "completed" and body["task"]["spoke_with"] == "儿子"
    assert await server.pool.fetchval(
        "SELECT outcome FROM followup_attempts WHERE call_id = $1", call) == "completed"


async def test_not_reached_is_called_again_the_next_day_not_a_minute_later(
        server: ConsoleServer, li: AgentSession) -> None:
    seeded = await server.seed_followup()
    # The registry finishing a busy call moves the task, as after a real one.
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert status == 202, body
    call_id = body["call"]["id"]
    await server.app[CALL_STORE].finish_outbound(
        call_id, await _user(server, "li"), seeded.followup_id, seeded.customer_id,
        _busy_call(body["call"]["linkedid"]))
    task = await _task(server, seeded.followup_id)
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    assert task["status"] == "call_again" and task["attempts"] == 1
    assert task["next_attempt_at"] == datetime.combine(tomorrow, datetime.min.time(), SHANGHAI)
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert (status, body["error_id"]) == (409, "too_early")
    assert datetime.fromisoformat(body["details"]["not_before"]) == task["next_attempt_at"]
    assert await server.pool.fetchval("SELECT count(*) FROM calls") == 1
    # Not in "call again" before its time: in the coming days.
    assert seeded.followup_id not in await _ids(li, "call_again")
    assert seeded.followup_id in await _ids(li, "coming")


def _busy_call(linkedid: str) -> OutboundCall:
    now = datetime.now(UTC).timestamp()
    return OutboundCall(linkedid, now - 10, CallState.ENDED, CallState.BUSY, now - 8,
                        ended_at=now)


async def test_wrong_number_marks_that_phone_and_offers_the_others(
        server: ConsoleServer, li: AgentSession) -> None:
    seeded = await server.seed_followup()
    other = "+8613900139001"
    await server.pool.execute("INSERT INTO customer_phones (customer_id, e164, label, position)"
                              " VALUES ($1, $2, 'home', 1)", seeded.customer_id, other)
    call = await _ended_call(server, seeded)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome",
                                 {"call_id": call, "result": "wrong_number"})
    assert status == 200, body
    phones = {p["e164"]: p["invalid"] for p in body["task"]["phones"]}
    assert phones == {seeded.phone: True, other: False}
    marked = await server.pool.fetchrow(
        "SELECT invalid_at, invalid_by, invalid_call_id FROM customer_phones WHERE e164 = $1",
        seeded.phone)
    assert marked["invalid_at"] and marked["invalid_by"] == await _user(server, "li")
    assert marked["invalid_call_id"] == call
    # The customer card says so too.
    status, card = await li.get(f"/api/customers/{seeded.customer_id}")
    assert status == 200
    assert {p["e164"]: p["invalid"] for p in card["customer"]["phones"]} == phones
    # The wrong number is refused; the other one may be called at once.
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert (status, body["error_id"]) == (409, "phone_invalid")
    assert seeded.followup_id in await _ids(li, "call_again")
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": other})
    assert status == 202, body


async def test_wrong_number_on_the_last_phone_closes_without_sms(
        server: ConsoleServer, li: AgentSession) -> None:
    seeded = await server.seed_followup()
    call = await _ended_call(server, seeded)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome",
                                 {"call_id": call, "result": "wrong_number"})
    assert status == 200, body
    assert body["task"]["status"] == "unreachable"
    assert await server.pool.fetchval("SELECT count(*) FROM sms_outbox") == 0


async def test_do_not_disturb_on_the_call_closes_every_open_task_as_sms(
        server: ConsoleServer, li: AgentSession) -> None:
    seeded = await server.seed_followup()
    second = await server.pool.fetchval(
        "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date)"
        " VALUES ('service', 'service:x', $1, current_date) RETURNING id", seeded.customer_id)
    call = await _ended_call(server, seeded)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome",
                                 {"call_id": call, "result": "do_not_disturb"})
    assert status == 200, body
    assert body["task"]["status"] == "sms" and body["task"]["customer"]["do_not_disturb"]
    assert (await _task(server, second))["status"] == "sms"
    sms = await server.pool.fetch("SELECT dedupe_key, phone FROM sms_outbox ORDER BY id")
    assert [(s["dedupe_key"], s["phone"]) for s in sms] == [
        (f"followup:{seeded.followup_id}", seeded.phone), (f"followup:{second}", seeded.phone)]
    audit = await server.pool.fetchrow(
        "SELECT actor_id, action, target_id, details FROM audit_log"
        " WHERE action = 'customer.do_not_disturb'")
    assert audit["actor_id"] == await _user(server, "li")
    assert audit["target_id"] == str(seeded.customer_id)
    assert sorted(audit["details"]["closed_tasks"]) == sorted([seeded.followup_id, second])
    assert audit["details"]["call_id"] == call
    assert await server.pool.fetchval(
        "SELECT outcome FROM followup_attempts WHERE call_id = $1", call) == "do_not_disturb"


async def test_do_not_disturb_from_the_console(server: ConsoleServer, li: AgentSession) -> None:
    seeded = await server.seed_followup()
    status, body = await li.post(f"/api/customers/{seeded.customer_id}/do-not-disturb", {})
    assert status == 200, body
    assert body == {"customer_id": seeded.customer_id, "do_not_disturb": True,
                    "closed_tasks": [seeded.followup_id], "sms_queued": 1}
    # Again: nothing more to do, nothing audited twice.
    status, body = await li.post(f"/api/customers/{seeded.customer_id}/do-not-disturb", {})
    assert status == 200 and body["closed_tasks"] == []
    assert await server.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'customer.do_not_disturb'") == 1
    status, body = await li.post("/api/customers/999999/do-not-disturb", {})
    assert (status, body["error_id"]) == (404, "not_found")


async def test_supervisors_assign_round_robin_and_see_the_load(
        server: ConsoleServer, li: AgentSession) -> None:
    tasks = [(await server.seed_followup(phone=f"+861380013810{n}")).followup_id
             for n in range(5)]
    li_id, wang_id = await _user(server, "li"), await _user(server, "wang")
    # An agent may not assign.
    status, body = await li.post("/api/followups/assign",
                                 {"task_ids": tasks, "agent_ids": [li_id]})
    assert (status, body["error_id"]) == (403, "forbidden")
    status, body = await li.get("/api/followups/load")
    assert (status, body["error_id"]) == (403, "forbidden")
    boss = await server.login("zhao")
    try:
        status, body = await boss.post("/api/followups/assign",
                                       {"task_ids": tasks, "agent_ids": [li_id, wang_id]})
        assert status == 200, body
        assert body["assigned"] == [
            {"task_id": t, "agent_id": (li_id, wang_id)[n % 2]} for n, t in enumerate(tasks)]
        # Wang sees his three and not li's two.
        wang = await server.login("wang")
        try:
            assert sorted(await _ids(wang, "today")) == sorted(tasks[1::2])
        finally:
            await wang.close()
        status, load = await boss.get("/api/followups/load")
        assert status == 200, load
        counts = {a["agent_id"]: (a["open"], a["today"]) for a in load["agents"]}
        assert counts == {li_id: (3, 3), wang_id: (2, 2)} and load["unassigned"] == 0
        # Reassign one to wang; unknown or non-agent ids are refused.
        status, body = await boss.post("/api/followups/assign",
                                       {"task_ids": [tasks[0]], "agent_ids": [wang_id]})
        assert body["assigned"] == [{"task_id": tasks[0], "agent_id": wang_id}]
        zhao = await _user(server, "zhao")
        status, body = await boss.post("/api/followups/assign",
                                       {"task_ids": [tasks[0]], "agent_ids": [zhao, 99999]})
        assert (status, body["error_id"]) == (422, "unknown_agents")
        assert body["details"]["agent_ids"] == sorted([zhao, 99999])
        status, body = await boss.post("/api/followups/assign",
                                       {"task_ids": [], "agent_ids": [wang_id]})
        assert (status, body["error_id"]) == (400, "invalid_input")
    finally:
        await boss.close()


async def test_a_complaint_call_to_a_wrong_number_is_refused(
        server: ConsoleServer, li: AgentSession) -> None:
    seeded = await server.seed_followup()
    await server.pool.execute("UPDATE customer_phones SET invalid_at = now() WHERE e164 = $1",
                              seeded.phone)
    complaint = await server.pool.fetchval(
        "INSERT INTO complaints (customer_id, source, description)"
        " VALUES ($1, 'hotline', 'noise') RETURNING id", seeded.customer_id)
    status, body = await li.post("/api/calls", {"complaint_id": complaint,
                                                "phone": seeded.phone})
    assert (status, body["error_id"]) == (409, "phone_invalid")
    assert await server.pool.fetchval("SELECT count(*) FROM calls") == 0
