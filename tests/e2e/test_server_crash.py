"""A ``kill -9`` of the server in the middle of calls loses nothing.

The server runs as its own process against the real Asterisk sandbox, with sipp phones
and callers; while it is dead for 8 s calls go on, and one ends. After the restart
every call ends with the right disposition, Asterisk's own times (within 1 s, read from
a raw AMI connection the test keeps open throughout), its legs, recording and
follow-up attempt, one row per Linkedid, and the agents can call again at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest

from callcenter.db.database import create_pool
from callcenter.services.users import add_user
from tests.console import AGENT_PASSWORD, AgentSession, login, seed_followup
from tests.harness.ami import AmiClient, Frame
from tests.harness.server_process import ServerProcess
from tests.harness.sipp import start_caller, start_phone
from tests.waiting import eventually, first_result

pytestmark = pytest.mark.asterisk

AGENTS = {"li": "1001", "wang": "1002", "zhao": "1003", "qian": "1004"}
SIP = ("127.0.0.1", 15060)
CALLERS = {"talking": "13800138101", "waiting": "13800138102", "in_ivr": "13800138103"}


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(db_url)
    for username, extension in AGENTS.items():
        await add_user(pool, username=username, display_name=username.title(), role="agent",
                       password=AGENT_PASSWORD, extension=extension, locale="zh-CN")
    yield pool
    await pool.close()


async def _followup(pool: asyncpg.Pool, n: int) -> tuple[int, str]:
    seeded = await seed_followup(pool, date.today(), n, phone=f"+86139000000{n:02d}",
                                 name=f"客户{n}")
    return seeded.followup_id, seeded.phone


def _at(frame: Frame) -> datetime:
    return datetime.fromtimestamp(float(frame.get("Timestamp")), UTC)


def _close(ours: datetime | None, asterisks: datetime, what: str) -> None:
    assert ours is not None, what
    assert abs((ours - asterisks).total_seconds()) <= 1.0, (what, ours, asterisks)


async def _hang_up_linkedid(ami: AmiClient, linkedid: str) -> None:
    for channel in await ami.send("CoreShowChannels"):
        if channel.event == "CoreShowChannel" and channel.get("Linkedid") == linkedid:
            await ami.send("Hangup", Channel=channel.get("Channel"))


async def _row(pool: asyncpg.Pool, call_id: int) -> asyncpg.Record:
    return await pool.fetchrow("SELECT * FROM calls WHERE id = $1", call_id)


async def _ended(pool: asyncpg.Pool, call_id: int) -> asyncpg.Record:
    return await first_result(lambda: pool.fetchrow(
        "SELECT * FROM calls WHERE id = $1 AND ended_at IS NOT NULL", call_id), 40)


async def test_a_server_killed_mid_call_finishes_every_call_right(
        db_url: str, sandbox_env: dict[str, str], pool: asyncpg.Pool,
        ami: AmiClient) -> None:
    env = {**sandbox_env, "CALLCENTER_DATABASE_URL": db_url,
           "CALLCENTER_AGENT_RING_SECONDS": "60", "CALLCENTER_CUSTOMER_RING_SECONDS": "20",
           "CALLCENTER_RECORDINGS_TRANSCRIBER": "none", "CALLCENTER_AMI_RECONNECT_MAX": "1"}
    server = ServerProcess(env)
    await server.start()
    sessions: dict[str, AgentSession] = {}
    # li's phone and the customer take a call more: the one after the restart.
    phones = [await start_phone(16100, "uas_answer", hold=90, calls=3),
              await start_phone(16001, "uas_answer", hold=90, calls=2),
              await start_phone(16002, "uas_answer", hold=90),
              await start_phone(16003, "uas_noanswer"),
              await start_phone(16004, "uas_answer", hold=90)]
    callers = []
    try:
        for username in AGENTS:
            sessions[username] = await login(server.base_url, username)
            await sessions[username].open_ws()
        # Outbound: two answered (one will end while the server is dead), one ringing.
        outbound = {}
        for n, username in enumerate(("li", "wang", "zhao"), start=1):
            task, phone = await _followup(pool, n)
            status, body = await sessions[username].post(
                "/api/calls", {"followup_id": task, "phone": phone})
            assert status == 202, body
            outbound[username] = (task, body["call"]["id"], body["call"]["linkedid"])
            expected = "agent_ringing" if username == "zhao" else "answered"
            await sessions[username].wait_state(body["call"]["id"], expected, 20)
        # Inbound: one talking to qian, one waiting (qian is busy), one in the IVR.
        status, _ = await sessions["qian"].post("/api/agent/login", {})
        assert status == 204
        callers.append(await start_caller(*SIP, caller_id=CALLERS["talking"], keys="0",
                                          hold=90))
        await eventually(lambda: "answered" in [
            m["call"]["state"] for m in sessions["qian"].messages
            if m.get("type") == "call" and m["call"]["direction"] == "inbound"], 20)
        callers.append(await start_caller(*SIP, caller_id=CALLERS["waiting"], keys="0",
                                          hold=90))
        callers.append(await start_caller(*SIP, caller_id=CALLERS["in_ivr"], keys="",
                                          first_key_after=80, hold=10))

        async def inbound_row(number: str, state: str) -> asyncpg.Record | None:
            return await pool.fetchrow("SELECT * FROM calls WHERE caller_number = $1"
                                       " AND state = $2", f"+86{number}", state)
        talking = await first_result(lambda: inbound_row(CALLERS["talking"], "answered"), 20)
        waiting = await first_result(lambda: inbound_row(CALLERS["waiting"], "queued"), 20)
        in_ivr = await first_result(lambda: inbound_row(CALLERS["in_ivr"], "ivr"), 20)
        # What the server knew before it died is in the rows already.
        li_call = await _row(pool, outbound["li"][1])
        assert li_call["state"] == "answered" and li_call["answered_at"] is not None
        assert li_call["recording_file"], "the recording's file is written as it starts"

        await server.kill()
        since = len(ami.frames)
        # wang's call ends while no server watches.
        await _hang_up_linkedid(ami, outbound["wang"][2])
        await asyncio.sleep(8)
        await server.start()

        # The agents' consoles reconnect and see their calls where they are.
        for session in sessions.values():
            await session.close()
        for username in AGENTS:
            sessions[username] = await login(server.base_url, username)
            await sessions[username].open_ws()
        await eventually(lambda: "answered" in sessions["li"].states(outbound["li"][1]), 10)
        # The IVR caller lost its FastAGI with the server and went to the queue.
        await first_result(lambda: inbound_row(CALLERS["in_ivr"], "queued"), 10)

        for linkedid in (outbound["li"][2], outbound["zhao"][2], talking["linkedid"],
                         waiting["linkedid"], in_ivr["linkedid"]):
            await _hang_up_linkedid(ami, linkedid)
        rows = {name: await _ended(pool, call_id) for name, call_id in (
            ("li", outbound["li"][1]), ("wang", outbound["wang"][1]),
            ("zhao", outbound["zhao"][1]), ("talking", talking["id"]),
            ("waiting", waiting["id"]), ("in_ivr", in_ivr["id"]))}
        # The restarted server converts the recordings, the one cut off from it too.
        recordings = {name: await first_result(lambda name=name: pool.fetchrow(
            "SELECT * FROM recordings WHERE call_id = $1 AND format = 'mp3'",
            rows[name]["id"]), 30) for name in ("li", "wang", "talking")}
        # The agents are free again at once.
        again, phone = await _followup(pool, 9)
        status, body = await sessions["li"].post("/api/calls",
                                                 {"followup_id": again, "phone": phone})
        assert status == 202, body
        await sessions["li"].wait_state(body["call"]["id"], "answered", 20)
        await _hang_up_linkedid(ami, body["call"]["linkedid"])
        await sessions["li"].wait_state(body["call"]["id"], "ended", 20)
    finally:
        for sipp in [*callers, *phones]:
            await sipp.stop()
        for session in sessions.values():
            await session.close()
        await ami.send("QueueRemove", Queue="hotline", Interface="PJSIP/1004")
        await server.stop()

    assert {k: r["disposition"] for k, r in rows.items()} == {
        "li": "answered", "wang": "answered", "zhao": "agent_no_answer",
        "talking": "answered", "waiting": "abandoned", "in_ivr": "abandoned"}
    assert rows["wang"]["ended_unseen"] and not rows["li"]["ended_unseen"]
    assert rows["talking"]["agent_id"] == await pool.fetchval(
        "SELECT id FROM users WHERE username = 'qian'")

    # Asterisk's own times, from the frames the test's AMI connection saw.
    def hangup(linkedid: str) -> datetime:
        return _at(next(f for f in ami.frames if f.event == "Hangup"
                        and f.get("Uniqueid") == linkedid))

    for name in rows:
        _close(rows[name]["ended_at"], hangup(rows[name]["linkedid"]), f"{name} ended_at")
    for name in ("li", "wang"):
        answer = next(f for f in ami.frames if f.event == "DialEnd"
                      and f.get("DialStatus") == "ANSWER"
                      and f.get("Linkedid") == rows[name]["linkedid"]
                      and f.get("DestUniqueid") != rows[name]["linkedid"])
        _close(rows[name]["answered_at"], _at(answer), f"{name} answered_at")
    connect = next(f for f in ami.frames if f.event == "AgentConnect"
                   and f.get("Linkedid") == rows["talking"]["linkedid"])
    _close(rows["talking"]["answered_at"], _at(connect), "talking answered_at")
    assert any(f.event == "Hangup" for f in ami.frames[since:])

    # One row per call, legs, recordings linked and converted, attempts recorded.
    assert await pool.fetchval("SELECT count(*) FROM calls") == 7
    for name in ("li", "wang", "talking"):
        legs = await pool.fetchval("SELECT count(*) FROM call_legs WHERE call_id = $1",
                                   rows[name]["id"])
        assert legs == 2, name
        recording = recordings[name]
        assert recording["status"] == "ready" and recording["duration_ms"] > 1000, name
    attempts = {r["task_id"]: r["result"] for r in await pool.fetch(
        "SELECT task_id, result FROM followup_attempts")}
    assert attempts == {outbound["li"][0]: "answered", outbound["wang"][0]: "answered",
                        outbound["zhao"][0]: "agent_no_answer", again: "answered"}
    assert await pool.fetchval("SELECT count(*) FROM calls WHERE ended_at IS NULL") == 0
