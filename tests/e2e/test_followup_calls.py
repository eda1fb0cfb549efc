"""Click-to-call follow-ups end to end: the server, the sandbox Asterisk, sipp phones.

Agent 1001's softphone is a sipp UAS on 16001 (its static contact); the customer
behind the trunk is a sipp UAS on 16100 answering, busy (486), unavailable (480) or
never answering.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.console import AgentSession, ConsoleServer, running_server
from tests.harness.sipp import start_phone
from tests.waiting import first_result

AGENT_PORT, CUSTOMER_PORT = 16001, 16100
SATISFIED = {f"q{n}": 9 for n in range(1, 9)}


@pytest.fixture
async def server(db_url: str, sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    # A short call-again gap: the three-failures test calls one task three times.
    env = {**sandbox_env, "CALLCENTER_AGENT_RING_SECONDS": "4",
           "CALLCENTER_CUSTOMER_RING_SECONDS": "4", "CALLCENTER_CALL_AGAIN_GAP": "3s"}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        yield srv


@pytest.fixture
async def agent(server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await server.login("li")
    await session.open_ws()
    yield session
    await session.close()


async def _call(server: ConsoleServer, agent: AgentSession, customer: str,
                agent_scenario: str = "uas_answer", hold: float = 3.0) -> dict:
    seeded = await server.seed_followup()
    async with await start_phone(AGENT_PORT, agent_scenario, hold=hold + 2) as _, \
            await start_phone(CUSTOMER_PORT, customer, hold=hold) as _:
        status, body = await agent.post("/api/calls", {"followup_id": seeded.followup_id,
                                                       "phone": seeded.phone})
        assert status == 202, body
        call_id = body["call"]["id"]
        await agent.wait_state(call_id, "ended", timeout=30)
    return {"seeded": seeded, "call_id": call_id, "states": agent.states(call_id)}


async def _task(server: ConsoleServer, task_id: int) -> dict:
    row = await server.pool.fetchrow("SELECT * FROM followup_tasks WHERE id = $1", task_id)
    return dict(row)


async def test_answered_call_is_recorded_and_the_questionnaire_completes_it(
        server: ConsoleServer, agent: AgentSession) -> None:
    done = await _call(server, agent, "uas_answer")
    states = done["states"]
    for state in ("agent_ringing", "agent_answered", "customer_ringing", "answered", "ended"):
        assert state in states, states
    call = await server.pool.fetchrow("SELECT * FROM calls WHERE id = $1", done["call_id"])
    assert call["disposition"] == "answered" and call["answered_at"] and call["ended_at"]
    # The recording is linked once MixMonitor has closed the file.
    recording = await first_result(lambda: server.pool.fetchrow(
        "SELECT * FROM recordings WHERE call_id = $1", done["call_id"]))
    assert recording["status"] == "ready", recording
    assert recording["size_bytes"] > 1000 and recording["duration_ms"] > 500
    path = Path(server.settings.recordings_dir) / recording["path"]
    assert path.is_file()

    status, body = await agent.post(f"/api/followups/{done['seeded'].followup_id}/outcome",
                                    {"call_id": done["call_id"], "answers": SATISFIED})
    assert status == 200, body
    assert body["task"]["status"] == "completed" and body["task"]["result"] == "satisfied"
    assert body["complaint"] is None
    attempts = await server.pool.fetch("SELECT result FROM followup_attempts WHERE task_id=$1",
                                       done["seeded"].followup_id)
    assert [a["result"] for a in attempts] == ["answered"]
    # A completed follow-up is never called again.
    status, body = await agent.post("/api/calls", {"followup_id": done["seeded"].followup_id,
                                                   "phone": done["seeded"].phone})
    assert (status, body["error_id"]) == (409, "followup_closed")


async def test_dissatisfied_answer_opens_a_linked_complaint(
        server: ConsoleServer, agent: AgentSession) -> None:
    done = await _call(server, agent, "uas_answer")
    answers = {**SATISFIED, "q2": 3}
    status, body = await agent.post(f"/api/followups/{done['seeded'].followup_id}/outcome",
                                    {"call_id": done["call_id"], "answers": answers})
    assert status == 200, body
    assert body["task"]["status"] == "completed"
    assert body["task"]["result"] == "dissatisfied"
    complaint = await server.pool.fetchrow("SELECT * FROM complaints WHERE id = $1",
                                           body["complaint"]["id"])
    assert complaint["followup_task_id"] == done["seeded"].followup_id
    assert complaint["call_id"] == done["call_id"]
    assert complaint["customer_id"] == done["seeded"].customer_id
    # The original answers are kept exactly and can never be edited.
    task = await _task(server, done["seeded"].followup_id)
    assert task["answers"] == answers


@pytest.mark.parametrize(("scenario", "result"), [
    ("uas_busy", "busy"), ("uas_noanswer", "no_answer"), ("uas_unavailable", None)])
async def test_not_reached_goes_to_call_again(server: ConsoleServer, agent: AgentSession,
                                              scenario: str, result: str | None) -> None:
    done = await _call(server, agent, scenario)
    task = await _task(server, done["seeded"].followup_id)
    assert task["status"] == "call_again" and task["attempts"] == 1
    assert task["next_attempt_at"] is not None
    attempt = await server.pool.fetchval(
        "SELECT result FROM followup_attempts WHERE task_id = $1", done["seeded"].followup_id)
    if result is None:  # 480: Asterisk's word for it may vary; it is a not-reached one
        assert attempt in ("unreachable", "no_answer", "busy")
    else:
        assert attempt == result
    # Due again once the call-again gap (3 s here) has passed.
    task_id = done["seeded"].followup_id
    await asyncio.sleep(3.5)
    status, body = await agent.get("/api/followups?list=call_again")
    assert status == 200
    assert task_id in [t["id"] for t in body["items"]]


async def test_third_failure_sends_the_sms_and_closes_the_task(
        server: ConsoleServer, agent: AgentSession) -> None:
    seeded = await server.seed_followup(phone="+8613800138009")
    for attempt in range(3):
        if attempt:
            await asyncio.sleep(3.5)  # the call-again gap (3 s here)
        async with await start_phone(AGENT_PORT, "uas_answer", hold=5) as _, \
                await start_phone(CUSTOMER_PORT, "uas_busy") as _:
            status, body = await agent.post("/api/calls", {"followup_id": seeded.followup_id,
                                                           "phone": seeded.phone})
            assert status == 202, body
            await agent.wait_state(body["call"]["id"], "ended")
    task = await _task(server, seeded.followup_id)
    assert task["status"] == "unreachable" and task["attempts"] == 3
    sms = await server.pool.fetch("SELECT phone, kind FROM sms_outbox WHERE customer_id=$1",
                                  seeded.customer_id)
    assert [(s["phone"], s["kind"]) for s in sms] == [(seeded.phone, "followup")]


async def test_agent_who_never_answers_leaves_the_task_unchanged(
        server: ConsoleServer, agent: AgentSession) -> None:
    done = await _call(server, agent, "uas_answer", agent_scenario="uas_noanswer")
    assert "agent_no_answer" in done["states"] or "ended" in done["states"]
    call = await server.pool.fetchrow("SELECT * FROM calls WHERE id=$1", done["call_id"])
    assert call["disposition"] == "agent_no_answer"
    task = await _task(server, done["seeded"].followup_id)
    assert task["status"] == "open" and task["attempts"] == 0
    attempt = await server.pool.fetchval(
        "SELECT result FROM followup_attempts WHERE task_id = $1", done["seeded"].followup_id)
    assert attempt == "agent_no_answer"
