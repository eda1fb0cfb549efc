"""The IVR hotline end to end: sipp callers pressing RFC 4733 keys through the sandbox's
Asterisk 22 into our FastAGI route, with a real PostgreSQL behind it.

Keys are sent at fixed times, whatever the caller hears; every prompt of the flow can be
interrupted by a key which then answers the current question, and a key typed ahead
answers the next one, so the key sequence alone drives the call (see
telephony/hotline.py). The hotline takes its keys from AMI (the ``keypad`` fixture)
as the server does; one test runs it without, on keys from AGI alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from callcenter.services import appointments
from callcenter.settings import Settings
from callcenter.telephony.agi import FastAgiServer
from callcenter.telephony.hotline import IvrTimings, make_hotline
from callcenter.telephony.keypad import Keypad
from tests.harness.ami import AmiClient
from tests.harness.sipp import start_keypad_caller
from tests.integration.test_appointments import TZ, add_customer, week_of_slots
from tests.waiting import first_result

pytestmark = pytest.mark.asterisk

CALLER = "13800138000"
E164 = "+8613800138000"
# Short waits for keys: a test that goes wrong fails in seconds, not minutes.
TIMINGS = IvrTimings(choice_ms=2500, entry_ms=3000)
FIRST_KEY_AFTER = 1.5
KEY_GAP = 0.8


def _sip(env: dict[str, str]) -> tuple[str, int]:
    return env.get("CALLCENTER_SIP_HOST", "127.0.0.1"), int(env["CALLCENTER_SIP_PORT"])


@asynccontextmanager
async def _serving(env: dict[str, str], pool: asyncpg.Pool | _SlowPool,
                   keypad: Keypad | None) -> AsyncIterator[FastAgiServer]:
    hotline = make_hotline(pool, Settings(), keypad=keypad,  # type: ignore[arg-type]
                           timings=TIMINGS)
    server = FastAgiServer({"hotline": hotline})
    await server.start(env["CALLCENTER_AGI_HOST"], int(env["CALLCENTER_AGI_PORT"]))
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def hotline(pool: asyncpg.Pool, sandbox_env: dict[str, str],
                  keypad: Keypad) -> AsyncIterator[FastAgiServer]:
    async with _serving(sandbox_env, pool, keypad) as server:
        yield server


class _SlowPool:
    """The pool, answering every query ``delay`` seconds late (a database under load)."""

    def __init__(self, pool: asyncpg.Pool, delay: float) -> None:
        self._pool, self._delay = pool, delay

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._pool, name)
        if name not in ("fetch", "fetchrow", "fetchval", "execute"):
            return attribute

        async def slow(*args: Any) -> Any:
            await asyncio.sleep(self._delay)
            return await attribute(*args)
        return slow


async def _call(env: dict[str, str], keys: str, *, caller: str = CALLER,
                hold: float = 6.0, timeout: float = 40.0,
                first_key_after: float = FIRST_KEY_AFTER,
                key_gap: float | Sequence[float] = KEY_GAP) -> None:
    async with await start_keypad_caller(*_sip(env), caller_id=caller, keys=keys,
                                  first_key_after=first_key_after, key_gap=key_gap,
                                  hold=hold) as phone:
        await phone.expect_success(timeout=timeout)


async def _session(pool: asyncpg.Pool, caller: str = CALLER) -> asyncpg.Record:
    async def fetch() -> asyncpg.Record | None:
        return await pool.fetchrow(
            "SELECT * FROM ivr_sessions WHERE caller_number = $1 AND ended_at IS NOT NULL",
            caller)
    return await first_result(fetch, timeout=10)


async def _first_offer(pool: asyncpg.Pool) -> appointments.Slot:
    now = datetime.now(UTC)
    day = (await appointments.free_days(pool, now, TZ))[0]
    return (await appointments.free_slots(pool, day, now, TZ))[0]


async def test_known_caller_books_and_the_sms_is_queued(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], hotline: FastAgiServer) -> None:
    await week_of_slots(pool, capacity=4)
    customer, (car,) = await add_customer(pool, "张伟", E164, ["京A12345"])
    offered = await _first_offer(pool)
    # 1 book, 1 first day, 1 first time, 1 confirm (one car: no vehicle question)
    await _call(sandbox_env, "1111")
    session = await _session(pool)
    assert session["result"] == "booked", session["path"]
    row = await pool.fetchrow("SELECT * FROM appointments")
    assert (row["slot_id"], row["vehicle_id"], row["customer_id"], row["channel"],
            row["status"]) == (offered.id, car.id, customer.id, "ivr", "booked")
    sms = await pool.fetchrow("SELECT * FROM sms_outbox")
    assert (sms["phone"], sms["kind"], sms["dedupe_key"]) == (
        E164, "appointment_confirmation", f"appointment:{row['id']}:confirmation")
    assert session["customer_id"] == customer.id
    assert session["linkedid"] and session["path"][0] == "known"
    assert f"booked:{row['id']}" in session["path"]


async def test_keys_typed_ahead_through_a_slow_database_book(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], keypad: Keypad) -> None:
    """Every query takes 0.4 s and the caller types 1 1 1 1 in under a second, mostly
    while no AGI command is running (Asterisk drops those keys; AMI has them)."""
    await week_of_slots(pool, capacity=4)
    await add_customer(pool, "张伟", E164, ["京A12345"])
    offered = await _first_offer(pool)
    async with _serving(sandbox_env, _SlowPool(pool, 0.4), keypad):
        await _call(sandbox_env, "1111", first_key_after=0.6, key_gap=0.3)
    session = await _session(pool)
    assert session["result"] == "booked", session["path"]
    assert await pool.fetchval("SELECT slot_id FROM appointments") == offered.id
    # The keys came before the questions: the menu and the lists were never played.
    assert "main-menu" not in session["said"] and "choose-day" not in session["said"]


async def test_without_ami_keys_come_from_agi_alone(
        pool: asyncpg.Pool, sandbox_env: dict[str, str]) -> None:
    """No AMI link (keypad=None): each key cuts a prompt or answers GET DATA."""
    await week_of_slots(pool, capacity=4)
    await add_customer(pool, "张伟", E164, ["京A12345"])
    async with _serving(sandbox_env, pool, None):
        await _call(sandbox_env, "1111")
    assert (await _session(pool))["result"] == "booked"


def _in_order(said: list[str], expected: list[str]) -> bool:
    """Whether ``expected`` occurs in ``said`` in this order (other items between)."""
    remaining = iter(said)
    return all(item in remaining for item in expected)


async def test_a_mandarin_caller_books_and_hears_the_readback(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], hotline: FastAgiServer) -> None:
    """Mandarin by default: the greeting, the menu, the day and time choices and the
    readback of date, time and plate (粤 as its prompt, then B12345 spelled) in order,
    every file found by Asterisk in the zh folders."""
    await week_of_slots(pool, capacity=4)
    await add_customer(pool, "陈静", E164, ["粤B12345"])
    offered = await _first_offer(pool)
    starts = offered.starts_at.astimezone(TZ)
    # the greeting and the English offer play out; the last key waits for the readback
    await _call(sandbox_env, "1111", first_key_after=7.5, key_gap=[5.5, 5.5, 13.0],
                hold=8.0, timeout=80.0)
    session = await _session(pool)
    assert session["result"] == "booked", (session["path"], session["said"])
    assert session["language"] == "zh"
    said = session["said"]
    assert not [s for s in said if s.startswith("missing:")], said
    # a known caller (closed-now after hours); the first key cuts the greeting short
    greeting = said[:said.index("choose-day")]
    assert greeting[0] == "welcome-back", said
    assert _in_order(["welcome-back", "other-language", "closed-now", "main-menu"],
                     greeting), said
    date_said, time_said = f"date:{starts.date().isoformat()}", f"time:{starts:%H:%M}"
    assert _in_order(said, ["choose-day", "press", "number:1", "for", date_said,
                            "choose-time", "press", "number:1", "for", time_said,
                            "appointment", date_said, "at", time_said, "car",
                            "province-guangdong", "plate:B12345", "booked"]), said
    # the readback was heard whole before the key confirmed it
    readback = said.index("appointment", said.index("choose-time"))
    assert said[readback:readback + 7] == ["appointment", date_said, "at", time_said, "car",
                                           "province-guangdong", "plate:B12345"], said


async def test_a_caller_pressing_9_at_the_greeting_is_served_in_english(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], ami: AmiClient,
        hotline: FastAgiServer) -> None:
    since = len(ami.frames)
    # 9 while the English offer plays, then 0 for an agent once the English menu runs
    await _call(sandbox_env, "90", first_key_after=5.5, key_gap=[6.0], hold=5.0)
    await ami.wait_event("QueueCallerJoin", since=since, Queue="hotline", CallerIDNum=CALLER)
    session = await _session(pool)
    assert session["language"] == "en"
    assert session["path"] == ["language:en", "menu:0", "queue:agent"]
    said = [s for s in session["said"] if s != "closed-now"]
    assert not [s for s in said if s.startswith("missing:")], said
    # the Mandarin greeting (the 9 may cut it before the offer), the English greeting
    # (the 0 may cut it before the menu), the transfer
    assert said[0] == "welcome" and said[-1] == "transfer" and said.count("welcome") == 2
    assert _in_order(["welcome", "other-language", "welcome", "main-menu", "transfer"],
                     said), said
    language = await pool.fetchval("SELECT language FROM ivr_sessions")
    assert language == "en"


async def test_unknown_caller_identified_by_plate_digits_books(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], hotline: FastAgiServer) -> None:
    await week_of_slots(pool, capacity=4)
    customer, (_, second) = await add_customer(pool, "王芳", "+8613700137000",
                                               ["粤B54321", "粤B67890"])
    # 1 book, plate digits + #, 2 the second car, 1 day, 1 time, 1 confirm
    await _call(sandbox_env, "167890#2111", caller="13900000001")
    session = await _session(pool, "13900000001")
    assert session["result"] == "booked", session["path"]
    row = await pool.fetchrow("SELECT * FROM appointments")
    assert (row["vehicle_id"], row["customer_id"]) == (second.id, customer.id)
    # the confirmation goes to the number on record (the caller's own is unknown)
    assert await pool.fetchval("SELECT phone FROM sms_outbox") == "+8613700137000"


async def test_caller_hears_and_cancels_the_appointment(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], hotline: FastAgiServer) -> None:
    await week_of_slots(pool, capacity=4)
    customer, (car,) = await add_customer(pool, "李娜", E164, ["沪A88888"])
    slot = await _first_offer(pool)
    booked = await appointments.book(pool, customer=customer, vehicle=car, slot=slot, tz=TZ,
                                     channel="agent")
    # 2 my appointment (read back), 1 cancel
    await _call(sandbox_env, "21")
    session = await _session(pool)
    assert session["result"] == "cancelled", session["path"]
    assert await pool.fetchval("SELECT status FROM appointments WHERE id = $1",
                               booked.appointment_id) == "cancelled"
    assert await pool.fetchval("SELECT booked FROM appointment_slots WHERE id = $1",
                               slot.id) == 0
    assert await pool.fetchval(
        "SELECT count(*) FROM sms_outbox WHERE kind = 'appointment_cancelled'") == 1


async def test_three_wrong_keys_reach_the_queue(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], ami: AmiClient,
        hotline: FastAgiServer) -> None:
    since = len(ami.frames)
    # (9 is no wrong key at the greeting: it switches the language)
    await _call(sandbox_env, "787", hold=6.0)
    join = await ami.wait_event("QueueCallerJoin", since=since, Queue="hotline",
                                CallerIDNum=CALLER)
    session = await _session(pool)
    assert session["result"] == "agent_wrong_keys"
    assert session["uniqueid"] == join.get("Uniqueid")
    assert session["path"] == ["wrong:7", "wrong:8", "wrong:7", "queue:agent"]


async def test_complaint_goes_to_the_queue_flagged(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], ami: AmiClient,
        hotline: FastAgiServer) -> None:
    since = len(ami.frames)
    # the Mandarin transfer sentence plays before the queue
    await _call(sandbox_env, "3", hold=6.0)
    await ami.wait_event("QueueCallerJoin", since=since, Queue="hotline", CallerIDNum=CALLER)
    assert (await _session(pool))["result"] == "complaint"


async def test_hang_up_mid_flow_books_nothing_and_is_recorded(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], hotline: FastAgiServer) -> None:
    await week_of_slots(pool, capacity=4)
    await add_customer(pool, "张伟", E164, ["京A12345"])
    # book, first day, then hang up while the times are read out
    await _call(sandbox_env, "11", hold=0.5)
    session = await _session(pool)
    assert session["result"] == "hangup"
    assert session["path"][:3] == ["known", "menu:1", session["path"][2]]
    assert session["path"][2].startswith("day:")
    assert await pool.fetchval("SELECT count(*) FROM appointments") == 0
    assert await pool.fetchval("SELECT count(*) FROM sms_outbox") == 0


async def test_callers_racing_for_the_last_places_get_the_next_slot(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], hotline: FastAgiServer) -> None:
    await week_of_slots(pool, capacity=4)
    offered = await _first_offer(pool)
    await pool.execute("UPDATE appointment_slots SET capacity = 2 WHERE id = $1", offered.id)
    callers = [f"1380013801{n}" for n in range(4)]
    for n, number in enumerate(callers):
        await add_customer(pool, f"caller {n}", f"+86{number}", [f"京D1000{n}"])
    # book, day, time, confirm; the losers hear "just taken" and the next free time, and
    # the fifth key confirms it (for the winners it only skips the goodbye)
    await asyncio.gather(*(_call(sandbox_env, "11111", caller=c, hold=6.0) for c in callers))
    for number in callers:
        assert (await _session(pool, number))["result"] == "booked"
    rows = await pool.fetch("SELECT slot_id, count(*) AS n FROM appointments GROUP BY slot_id")
    counts = {r["slot_id"]: r["n"] for r in rows}
    assert counts[offered.id] == 2
    assert sum(counts.values()) == 4
    assert await pool.fetchval("SELECT count(*) FROM sms_outbox") == 4


async def test_fastagi_server_stopped_the_call_reaches_the_queue(
        pool: asyncpg.Pool, sandbox_env: dict[str, str], ami: AmiClient) -> None:
    async with _serving(sandbox_env, pool, None):
        pass
    since = len(ami.frames)
    await _call(sandbox_env, "1", hold=3.0)
    await ami.wait_event("QueueCallerJoin", since=since, Queue="hotline", CallerIDNum=CALLER)
    assert await pool.fetchval("SELECT count(*) FROM ivr_sessions") == 0
