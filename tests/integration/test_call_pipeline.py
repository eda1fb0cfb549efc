"""The calls recorded from the real Asterisk 22 (tests/fixtures/ami/), replayed byte for
byte through the whole live-call pipeline: the AMI client's protocol and filter, the
translation, the Dispatcher, the real LiveState, CallRegistry and AgentStates on a test
database, and the Notifier into a capturing publish (tests/pipeline.py).

Each capture is replayed as if it happened two minutes ago (every Timestamp moved by
the same whole number of seconds), so the rules that compare Asterisk's clock with
PostgreSQL's (an answered inbound call awaits its wrap-up for 30 minutes) hold as they
would live. The outbound captures were recorded by a client that did not choose the
ActionID: it is rewritten to the call's Linkedid, as place_call sends it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from callcenter.db.calls import CallStore
from callcenter.domain.calls import OutboundCall
from callcenter.services.calls import LiveOutbound
from tests.integration.test_recordings import write_wav
from tests.pipeline import CallPipeline, Capture, add_agents
from tests.waiting import first_result

CALLER = "+8613800138000"  # the number every capture dials or is called from
AGO = 120  # seconds before now that each replayed capture starts


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _iso(ts: float) -> str:
    return _dt(ts).isoformat()


@dataclass
class Seeded:
    users: dict[str, int]  # extension -> user id
    customer_id: int


async def _seed(pool: asyncpg.Pool) -> Seeded:
    """Three agents (extensions 1001-1003) and the customer whose number the captures
    dial and are called from."""
    async with pool.acquire() as conn, conn.transaction():
        users = await add_agents(conn)
        customer = await conn.fetchval(
            "INSERT INTO customers (external_ref, name, value_level) VALUES"
            " ('C00001', '张伟', 'vip') RETURNING id")
        await conn.execute("INSERT INTO customer_phones (customer_id, e164, label)"
                           " VALUES ($1, $2, 'mobile')", customer, CALLER)
    return Seeded(users, customer)


async def _followup(pool: asyncpg.Pool, customer_id: int, key: str) -> int:
    return await pool.fetchval(
        "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date)"
        " VALUES ('sales', $1, $2, current_date) RETURNING id", key, customer_id)


def _replayed(name: str, *, outbound: bool = False) -> tuple[bytes, Capture]:
    """The capture moved to AGO seconds ago: the bytes, and the capture they make. An
    outbound call's Originate (the first reply of the capture) gets its Linkedid as
    ActionID, as place_call sends it."""
    capture = Capture(name)
    shift = int(time.time() - AGO - min(capture.timestamps("Newchannel")))
    originate = ({capture.values("ActionID")[0]: capture.values("Linkedid")[0]}
                 if outbound else {})
    data = capture.render(action_ids=originate, shift=shift)
    return data, Capture(name, data.decode("utf-8"))




def _with_chan_variable(data: bytes, event: str, variable: str) -> bytes:
    """The first ``event`` frame with a ChanVariable header, as manager.conf's
    channelvars (CC_IVR_CHOICE, CC_RECORDING) adds; the captures predate that setting."""
    text = data.decode("utf-8")
    start = text.index(f"Event: {event}\r\n")
    end = text.index("\r\n\r\n", start)
    return (text[:end] + f"\r\nChanVariable: {variable}" + text[end:]).encode("utf-8")


def _call_states(messages: list[dict[str, Any]]) -> list[str]:
    return [m["call"]["state"] for m in messages if m["type"] == "call"]


async def _row(pool: asyncpg.Pool, linkedid: str) -> asyncpg.Record:
    return await pool.fetchrow("SELECT * FROM calls WHERE linkedid = $1", linkedid)


async def _legs(pool: asyncpg.Pool, call_id: int) -> dict[str, asyncpg.Record]:
    rows = await pool.fetch("SELECT * FROM call_legs WHERE call_id = $1", call_id)
    return {r["role"]: r for r in rows}


# -- outbound: click-to-call ------------------------------------------------------------


@dataclass(frozen=True)
class Outbound:
    capture: str
    extension: str
    disposition: str
    states: tuple[str, ...]  # what the agent's console is told, in order
    attempt_counts: bool  # a not-reached attempt (the customer's line was tried)
    task_status: str


OUTBOUND = [
    Outbound("click_to_call", "1001", "answered",
             ("agent_ringing", "agent_answered", "customer_ringing", "answered", "ended"),
             True, "open"),
    Outbound("click_to_call_busy", "1001", "busy",
             ("agent_ringing", "agent_answered", "customer_ringing", "busy", "ended"),
             True, "call_again"),
    Outbound("click_to_call_agent_unavailable", "1001", "agent_no_answer",
             ("agent_ringing", "ended"), False, "open"),
    Outbound("click_to_call_agent_no_answer", "1003", "agent_no_answer",
             ("agent_ringing", "ended"), False, "open"),
]


@pytest.mark.parametrize("case", OUTBOUND, ids=[c.capture for c in OUTBOUND])
async def test_click_to_call_replayed(case: Outbound, pool: asyncpg.Pool,
                                      tmp_path: Path) -> None:
    seeded = await _seed(pool)
    agent = seeded.users[case.extension]
    task = await _followup(pool, seeded.customer_id, case.capture)
    data, capture = _replayed(case.capture, outbound=True)
    linkedid = capture.values("Linkedid")[0]
    # The Originate went out just before Asterisk created the agent's channel.
    started_at = min(capture.timestamps("Newchannel")) - 0.05
    store = CallStore(pool)
    row = await store.start_followup_call(task, agent, linkedid, CALLER, _dt(started_at),
                                          lambda task: None)
    answered = case.disposition == "answered"
    if answered:  # where MixMonitor writes it (dialplans/extensions.conf)
        write_wav(tmp_path / f"{_dt(started_at):%Y/%m/%d}" / f"{linkedid}.wav", 1.5)

    async with CallPipeline(pool, tmp_path) as pipeline:
        pipeline.registry.track(LiveOutbound(row.call_id, agent, task, row.customer_id,
                                             CALLER, OutboundCall(linkedid, started_at)))
        pipeline.receive(data)
        await pipeline.drained()
        if answered:
            await first_result(lambda: pool.fetchval(
                "SELECT count(*) FROM recordings WHERE call_id = $1", row.call_id))

        # The agent's console, in order; nobody else hears of the call.
        messages = pipeline.messages(agent)
        assert [m["type"] for m in messages] == ["call"] * len(case.states)
        assert _call_states(messages) == list(case.states)
        assert {p.user_id for p in pipeline.published} == {agent}
        assert pipeline.registry.live_calls() == 0

    call = await _row(pool, linkedid)
    hangup = capture.timestamps("Hangup", Uniqueid=linkedid)
    origination = capture.timestamps("OriginateResponse")
    if answered or case.disposition == "busy":
        agent_up = capture.timestamps("Newstate", Uniqueid=linkedid, ChannelState="6")[0]
        assert call["agent_answered_at"] == _dt(agent_up)
        assert call["ended_at"] == _dt(hangup[0])  # the agent's leg hung up
    else:  # the Originate's failure ends it; the agent's phone never answered
        assert call["agent_answered_at"] is None
        assert call["ended_at"] == _dt(origination[0])
    assert call["disposition"] == case.disposition and call["state"] == "ended"
    assert not call["ended_unseen"]
    final = messages[-1]["call"]
    assert final["disposition"] == case.disposition
    assert final["ended_at"] == call["ended_at"].isoformat()

    legs = await _legs(pool, row.call_id)
    assert legs["agent"]["uniqueid"] == linkedid
    assert legs["agent"]["hungup_at"] == call["ended_at"]
    customer_legs = [u for u in capture.ids if u != linkedid]
    if customer_legs:  # the Dial the dialplan ran once the agent answered
        dial = capture.timestamps("DialEnd", DestUniqueid=customer_legs[0])[0]
        assert legs["customer"]["uniqueid"] == customer_legs[0]
        assert legs["customer"]["channel"].startswith("PJSIP/trunk-")
        assert call["customer_uniqueid"] == customer_legs[0]
        if answered:
            assert call["answered_at"] == _dt(dial)
            assert legs["customer"]["answered_at"] == _dt(dial)
            assert final["answered_at"] == _iso(dial)
            assert final["duration"] == pytest.approx(hangup[0] - dial, abs=1e-6)
        else:
            assert call["answered_at"] is None
    else:
        assert set(legs) == {"agent"} and call["answered_at"] is None

    # The follow-up attempt: every call is one; only a tried customer line counts.
    attempts = await pool.fetch("SELECT * FROM followup_attempts WHERE task_id = $1", task)
    assert [(a["call_id"], a["agent_id"], a["result"], a["attempted_at"])
            for a in attempts] == [(row.call_id, agent, case.disposition, call["ended_at"])]
    followup = await pool.fetchrow("SELECT * FROM followup_tasks WHERE id = $1", task)
    assert followup["attempts"] == (1 if case.attempt_counts else 0)
    assert followup["status"] == case.task_status
    if case.task_status == "call_again":
        assert followup["next_attempt_at"] is not None

    recordings = await pool.fetch("SELECT * FROM recordings WHERE call_id = $1", row.call_id)
    if answered:
        [recording] = recordings
        assert recording["status"] == "ready" and recording["duration_ms"] == 1500
        assert recording["path"] == f"{_dt(started_at):%Y/%m/%d}/{linkedid}.wav"
    else:
        assert recordings == []


# -- inbound: the hotline ---------------------------------------------------------------


async def test_queue_call_answered_replayed(pool: asyncpg.Pool,
                                            tmp_path: Path) -> None:
    """The caller queues, the queue rings 1002, who answers; the agent hangs up. No
    recording file was written in tmp_path: the recording is filed as missing."""
    seeded = await _seed(pool)
    agent = seeded.users["1002"]
    data, capture = _replayed("queue_answered")
    linkedid = capture.values("Linkedid")[0]
    agent_leg = capture.values("DestUniqueid")[0]
    arrived = capture.timestamps("Newchannel", Uniqueid=linkedid)[0]
    rung = capture.timestamps("AgentCalled")[0]
    connected = capture.timestamps("AgentConnect")[0]
    caller_gone = capture.timestamps("Hangup", Uniqueid=linkedid)[0]

    async with CallPipeline(pool, tmp_path) as pipeline:
        pipeline.receive(data)
        await pipeline.drained()
        call = await _row(pool, linkedid)
        await first_result(lambda: pool.fetchval(
            "SELECT count(*) FROM recordings WHERE call_id = $1", call["id"]), timeout=10)
        messages = pipeline.messages(agent)
        assert {p.user_id for p in pipeline.published} == {agent}
        assert pipeline.registry.live_calls() == 0
        assert pipeline.live.summary()["channels"] == 0

    # What 1002's console was told. The dispatcher keeps order within a lane: the
    # queue member's states (log-in, pause, resume, ringing, on the call, idle, log-out)
    # come in Asterisk's order, the call's pop and states in theirs, and the two lanes
    # interleave as they are handled. The registry tells the agent's state once more
    # when it has closed the call (wrap-up): before or after the log-out.
    # "QueueMember" is the answer to the recording client's own QueueStatus, which
    # reaches our reader as an event like any other.
    states = [m for m in messages if m["type"] == "agent_state"]
    of_call = [m for m in messages if m["type"] != "agent_state"]
    assert [m["type"] for m in of_call] == ["pop", "call", "call"]
    told = [m["state"] for m in states]
    assert told[:7] == ["available", "paused", "available", "available", "ringing",
                        "on_call", "available"]
    assert told[7] in ("wrap_up", "logged_out") and told[8:] == ["logged_out"]
    assert states[1]["paused_reason"] == "break"
    pop = of_call[0]
    assert pop["call_id"] == call["id"] and pop["linkedid"] == linkedid
    assert pop["queue"] == "hotline" and pop["rung_at"] == rung
    assert pop["caller"] == {"raw": "13800138000", "e164": CALLER, "withheld": False}
    assert pop["match"] == "one"
    assert [c["id"] for c in pop["candidates"]] == [seeded.customer_id]
    answered, ended = of_call[1]["call"], of_call[2]["call"]
    assert answered["state"] == "answered" and answered["agent_id"] == agent
    assert answered["answered_at"] == _iso(connected) and answered["ended_at"] is None
    assert ended["state"] == "ended" and ended["disposition"] == "answered"
    assert ended["ended_at"] == _iso(caller_gone)
    assert ended["duration"] == pytest.approx(caller_gone - connected, abs=1e-6)
    # Once the call is closed the agent owes its wrap-up, also after leaving the queue.
    assert states[-1]["wrap_up_call_id"] == call["id"]

    assert call["direction"] == "inbound" and call["disposition"] == "answered"
    assert call["customer_id"] == seeded.customer_id and call["caller_number"] == CALLER
    assert call["started_at"] == _dt(arrived)
    assert call["answered_at"] == _dt(connected)
    assert call["ended_at"] == _dt(caller_gone)
    assert call["agent_id"] == agent and call["agent_interface"] == "PJSIP/1002"
    assert call["agent_uniqueid"] == agent_leg
    assert call["ivr_choice"] is None and not call["ended_unseen"]
    assert call["hangup_cause"] == 16  # the caller's Hangup: Normal Clearing
    legs = await _legs(pool, call["id"])
    assert set(legs) == {"caller", "agent"}
    assert legs["caller"]["uniqueid"] == linkedid
    assert legs["agent"]["uniqueid"] == agent_leg
    assert legs["agent"]["answered_at"] == _dt(connected)
    # Each leg with its own channel's name and hang-up time.
    assert legs["caller"]["hungup_at"] == _dt(caller_gone)
    assert legs["agent"]["hungup_at"] == _dt(
        capture.timestamps("Hangup", Uniqueid=agent_leg)[0])
    assert legs["caller"]["channel"].startswith("PJSIP/trunk-")
    assert legs["agent"]["channel"].startswith("PJSIP/1002-")
    [recording] = await pool.fetch("SELECT * FROM recordings WHERE call_id = $1", call["id"])
    assert recording["status"] == "missing"
    assert recording["path"] == f"missing/{linkedid}.wav"


async def test_caller_served_in_the_ivr_replayed(pool: asyncpg.Pool,
                                                 tmp_path: Path) -> None:
    """The caller hangs up in the IVR: the row is filed as 'ivr'; no console hears."""
    await _seed(pool)
    data, capture = _replayed("hotline_ivr")
    linkedid = capture.values("Linkedid")[0]
    async with CallPipeline(pool, tmp_path) as pipeline:
        pipeline.receive(data)
        await pipeline.drained()
        assert pipeline.published == []
        assert pipeline.registry.live_calls() == 0
    call = await _row(pool, linkedid)
    assert call["direction"] == "inbound" and call["disposition"] == "ivr"
    assert call["state"] == "ended" and call["answered_at"] is None
    assert call["started_at"] == _dt(capture.timestamps("Newchannel")[0])
    assert call["ended_at"] == _dt(capture.timestamps("Hangup")[0])
    assert call["agent_id"] is None and call["customer_id"] is not None
    legs = await _legs(pool, call["id"])
    assert set(legs) == {"caller"} and legs["caller"]["uniqueid"] == linkedid
    assert legs["caller"]["hungup_at"] == call["ended_at"]
    assert await pool.fetchval("SELECT count(*) FROM recordings") == 0


async def test_caller_who_gave_up_waiting_replayed(pool: asyncpg.Pool,
                                                   tmp_path: Path) -> None:
    """hotline_agi_down: the caller waits in the queue with nobody to ring, then gives
    up: abandoned at QueueCallerAbandon's time."""
    await _seed(pool)
    data, capture = _replayed("hotline_agi_down")
    linkedid = capture.values("Linkedid")[0]
    async with CallPipeline(pool, tmp_path) as pipeline:
        pipeline.receive(data)
        await pipeline.drained()
        assert pipeline.published == []
        assert pipeline.registry.live_calls() == 0
    call = await _row(pool, linkedid)
    assert call["disposition"] == "abandoned" and call["answered_at"] is None
    assert call["started_at"] == _dt(capture.timestamps("Newchannel")[0])
    assert call["ended_at"] == _dt(capture.timestamps("QueueCallerAbandon")[0])
    assert set(await _legs(pool, call["id"])) == {"caller"}


async def test_the_ivr_choice_reaches_the_row_and_the_pop(pool: asyncpg.Pool,
                                                         tmp_path: Path) -> None:
    """With manager.conf's channelvars the queue join carries what the caller chose in
    the IVR (the captures predate that setting: the header is added as Asterisk adds it)."""
    seeded = await _seed(pool)
    data, capture = _replayed("queue_answered")
    data = _with_chan_variable(data, "QueueCallerJoin", "CC_IVR_CHOICE=complaint")
    async with CallPipeline(pool, tmp_path) as pipeline:
        pipeline.receive(data)
        await pipeline.drained()
        messages = pipeline.messages(seeded.users["1002"])
    [pop] = [m for m in messages if m["type"] == "pop"]
    assert pop["ivr_choice"] == "complaint"
    assert {m["call"]["ivr_choice"] for m in messages if m["type"] == "call"} == {"complaint"}
    row = await _row(pool, capture.values("Linkedid")[0])
    assert row["ivr_choice"] == "complaint"


# -- facts these replays found missing once, kept since --------------------------------


async def test_an_inbound_call_keeps_the_recording_file_the_dialplan_named(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    await _seed(pool)
    data, capture = _replayed("queue_answered")
    linkedid = capture.values("Linkedid")[0]
    day = f"{_dt(capture.timestamps('MixMonitorStart')[0]):%Y/%m/%d}"
    data = _with_chan_variable(data, "MixMonitorStart", "CC_RECORDING=/var/spool/asterisk/"
                               f"recordings/{day}/{linkedid}.wav")
    write_wav(tmp_path / day / f"{linkedid}.wav", 1.0)
    async with CallPipeline(pool, tmp_path) as pipeline:
        pipeline.receive(data)
        await pipeline.drained()
    assert (await _row(pool, linkedid))["recording_file"] == f"{day}/{linkedid}.wav"


async def test_console_and_row_agree_on_when_an_inbound_call_started(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    seeded = await _seed(pool)
    data, _ = _replayed("queue_answered")
    async with CallPipeline(pool, tmp_path) as pipeline:
        pipeline.receive(data)
        await pipeline.drained()
        calls = [m["call"] for m in pipeline.messages(seeded.users["1002"])
                 if m["type"] == "call"]
    row = await CallStore(pool).call(calls[0]["id"])
    assert row is not None
    assert [c["started_at"] for c in calls] == [row["started_at"].isoformat()] * 2


async def test_legs_carry_each_channels_name_and_times(pool: asyncpg.Pool,
                                                       tmp_path: Path) -> None:
    seeded = await _seed(pool)
    agent = seeded.users["1001"]
    task = await _followup(pool, seeded.customer_id, "legs")
    data, capture = _replayed("click_to_call_busy", outbound=True)
    linkedid = capture.values("Linkedid")[0]
    customer_leg = capture.values("DestUniqueid")[-1]
    started_at = min(capture.timestamps("Newchannel")) - 0.05
    row = await CallStore(pool).start_followup_call(task, agent, linkedid, CALLER,
                                                    _dt(started_at), lambda task: None)
    async with CallPipeline(pool, tmp_path) as pipeline:
        pipeline.registry.track(LiveOutbound(row.call_id, agent, task, row.customer_id,
                                             CALLER, OutboundCall(linkedid, started_at)))
        pipeline.receive(data)
        await pipeline.drained()
    legs = await _legs(pool, row.call_id)
    assert legs["agent"]["channel"] == "PJSIP/1001-00000012"
    assert legs["customer"]["created_at"] == _dt(
        capture.timestamps("Newchannel", Uniqueid=customer_leg)[0])
    assert legs["customer"]["hungup_at"] == _dt(
        capture.timestamps("Hangup", Uniqueid=customer_leg)[0])
