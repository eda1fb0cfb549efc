"""Inbound calls end to end: sipp callers through the hotline and the agents' queue to
sipp agent phones, and the screen-pop at the agents' WebSocket clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.console import AgentSession, ConsoleServer, running_server
from tests.harness.sipp import start_caller, start_phone
from tests.waiting import eventually, first_result


@pytest.fixture
async def server(db_url: str, sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    async with running_server(db_url, sandbox_env) as srv:
        await srv.quiet_asterisk()
        await srv.add_agent("li", "1001")
        await srv.add_agent("wang", "1002")
        yield srv


@pytest.fixture
async def li(server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await server.login("li")
    await session.open_ws()
    yield session
    await session.post("/api/agent/logout", {})
    await session.close()


@pytest.fixture
async def wang(server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await server.login("wang")
    await session.open_ws()
    yield session
    await session.post("/api/agent/logout", {})
    await session.close()


def _pops(session: AgentSession) -> list[dict]:
    return [m for m in session.messages if m.get("type") == "pop"]


async def _log_in(session: AgentSession, expected: str = "available") -> None:
    resp = await session.http.post("/api/agent/login", json={})
    assert resp.status == 204, await resp.text()
    await eventually(lambda: any(m.get("type") == "agent_state" and m["state"] == expected
                                 for m in session.messages), 10)


async def _known_customer(server: ConsoleServer, phone: str = "+8613800138000") -> int:
    seeded = await server.seed_followup(phone=phone, name="王芳")
    return seeded.customer_id


async def test_only_the_rung_agent_gets_the_card(server: ConsoleServer, li: AgentSession,
                                                 wang: AgentSession) -> None:
    customer_id = await _known_customer(server)
    await _log_in(li)
    await _log_in(wang)
    await wang.post("/api/agent/pause", {"reason": "lunch"})
    await eventually(lambda: any(m.get("state") == "paused" for m in wang.messages), 10)
    async with await start_phone(16001, "uas_answer", hold=2) as _, \
            await start_phone(16002, "uas_answer", hold=2) as _, \
            await start_caller("127.0.0.1", 15060, caller_id="13800138000", keys="0",
                               hold=6) as caller:
        await eventually(lambda: _pops(li), 15)
        pop = _pops(li)[0]
        assert pop["match"] == "one"
        assert pop["caller"]["e164"] == "+8613800138000"
        card = pop["candidates"][0]
        assert card["id"] == customer_id and card["name"] == "王芳"
        assert card["value_level"] == "vip" and card["vehicles"] and card["open_followups"]
        assert pop["ivr_choice"] in ("agent", "")
        # Answered: the call is linked to the customer and the agent.
        await eventually(lambda: any(m.get("type") == "call" and m["call"]["state"] ==
                                     "answered" for m in li.messages), 15)
        await eventually(lambda: any(m.get("type") == "call" and m["call"]["state"] ==
                                     "ended" for m in li.messages), 15)
        await caller.wait(30)  # let the caller hang up: no call outlives the test
    assert _pops(wang) == []  # paused: never rung, never popped
    call = await server.pool.fetchrow("SELECT * FROM calls WHERE id = $1", pop["call_id"])
    assert call["direction"] == "inbound" and call["customer_id"] == customer_id
    assert call["agent_id"] is not None and call["disposition"] == "answered"
    # The agent is in wrap-up until the call's category and notes are saved.
    await eventually(lambda: any(m.get("type") == "agent_state" and m["state"] == "wrap_up"
                                 for m in li.messages), 10)
    status, body = await li.post(f"/api/calls/{pop['call_id']}/wrapup",
                                 {"category": "inquiry", "notes": "问保养价格"})
    assert status == 200, body
    assert body["call"]["disposition"] == "answered"
    await eventually(lambda: li.messages[-1].get("state") == "available", 10)
    assert await server.pool.fetchval("SELECT notes FROM calls WHERE id=$1",
                                      pop["call_id"]) == "问保养价格"


@pytest.mark.parametrize(("caller_id", "match"), [
    ("+8613800138000", "one"), ("008613800138000", "one"), ("138-0013-8000", "one"),
    ("13900000000", "none"), ("anonymous", "withheld")])
async def test_caller_id_formats(server: ConsoleServer, li: AgentSession, caller_id: str,
                                 match: str) -> None:
    await _known_customer(server)
    await _log_in(li)
    async with await start_phone(16001, "uas_noanswer") as _, \
            await start_caller("127.0.0.1", 15060, caller_id=caller_id, keys="0",
                               hold=4) as caller:
        await eventually(lambda: _pops(li), 15)
        await caller.wait(30)  # let the caller hang up: no call outlives the test
    pop = _pops(li)[0]
    assert pop["match"] == match, pop
    if match == "withheld":
        assert pop["caller"]["withheld"] and pop["candidates"] == []


async def test_a_shared_number_offers_every_customer(server: ConsoleServer,
                                                     li: AgentSession) -> None:
    first = await _known_customer(server, "+8613800138000")
    second = await _known_customer(server, "+8613800138000")
    await _log_in(li)
    async with await start_phone(16001, "uas_noanswer") as _, \
            await start_caller("127.0.0.1", 15060, caller_id="13800138000", keys="0",
                               hold=4) as caller:
        await eventually(lambda: _pops(li), 15)
        await caller.wait(30)  # let the caller hang up: no call outlives the test
    pop = _pops(li)[0]
    assert pop["match"] == "several"
    assert sorted(c["id"] for c in pop["candidates"]) == sorted([first, second])


async def test_the_pop_is_withdrawn_when_the_caller_hangs_up(server: ConsoleServer,
                                                             li: AgentSession) -> None:
    await _known_customer(server)
    await _log_in(li)
    async with await start_phone(16001, "uas_noanswer") as _, \
            await start_caller("127.0.0.1", 15060, caller_id="13800138000", keys="0",
                               hold=3) as caller:
        await eventually(lambda: _pops(li), 15)
        await caller.wait(20)
        await eventually(lambda: any(m.get("type") == "pop_withdrawn" for m in li.messages),
                         15)
    withdrawn = next(m for m in li.messages if m.get("type") == "pop_withdrawn")
    assert withdrawn["reason"] == "caller_hung_up"
    assert withdrawn["call_id"] == _pops(li)[0]["call_id"]
    call_id = _pops(li)[0]["call_id"]
    disposition = await first_result(lambda: server.pool.fetchval(
        "SELECT disposition FROM calls WHERE id=$1", call_id))
    assert disposition == "abandoned"


async def test_a_console_reconnecting_while_ringing_gets_the_pop(
        server: ConsoleServer, li: AgentSession) -> None:
    await _known_customer(server)
    await _log_in(li)
    await li.ws.close()  # the console drops before the call comes in
    async with await start_phone(16001, "uas_noanswer") as _, \
            await start_caller("127.0.0.1", 15060, caller_id="13800138000", keys="0",
                               hold=8) as caller:
        await asyncio.sleep(4)  # ringing by now, nobody listening
        li.messages.clear()
        await li.open_ws()
        await eventually(lambda: _pops(li), 5)
        await caller.wait(30)  # let the caller hang up: no call outlives the test
    assert _pops(li)[0]["match"] == "one"


async def test_logging_out_changes_who_is_rung(server: ConsoleServer, li: AgentSession,
                                               wang: AgentSession) -> None:
    await _known_customer(server)
    await _log_in(li)
    await _log_in(wang)
    await li.post("/api/agent/logout", {})
    await eventually(lambda: any(m.get("state") == "logged_out" for m in li.messages), 10)
    async with await start_phone(16001, "uas_noanswer") as _, \
            await start_phone(16002, "uas_noanswer") as _, \
            await start_caller("127.0.0.1", 15060, caller_id="13800138000", keys="0",
                               hold=5) as caller:
        await eventually(lambda: _pops(wang), 15)
        await caller.wait(30)  # let the caller hang up: no call outlives the test
    assert _pops(li) == []


async def test_a_complaint_chosen_in_the_ivr_is_flagged_on_the_pop(
        server: ConsoleServer, li: AgentSession) -> None:
    await _known_customer(server)
    await _log_in(li)
    async with await start_phone(16001, "uas_noanswer") as _, \
            await start_caller("127.0.0.1", 15060, caller_id="13800138000", keys="3",
                               hold=5) as caller:
        await eventually(lambda: _pops(li), 20)
        await caller.wait(30)  # let the caller hang up: no call outlives the test
    assert _pops(li)[0]["ivr_choice"] == "complaint"
    call_id = _pops(li)[0]["call_id"]
    assert await server.pool.fetchval("SELECT ivr_choice FROM calls WHERE id=$1",
                                      call_id) == "complaint"
