"""IVR booking under load: sipp callers pressing keys through the sandbox's Asterisk 22
into the hotline's FastAGI route, at rising concurrency.

    python bench/bench_ivr.py [--levels 5,10,25,50]

Needs root (the Asterisk sandbox) and sipp. Every caller is a known customer with one car
who books the first free time (keys 1 1 1 1); all callers of a level call at once. Per
level it prints how many bookings are correct (the caller's car in the first offered
slot, one SMS each, the session recorded as booked) and the round trip of AGI commands
that do not wait for the caller (GET FULL VARIABLE, SET VARIABLE), measured inside the
server from writing the command to reading its result: p50/p95/p99 and max.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.services import appointments
from callcenter.settings import Settings
from callcenter.telephony.agi import FastAgiServer
from callcenter.telephony.hotline import IvrTimings, make_hotline
from tests.e2e.test_ivr import start_keypad_caller
from tests.harness import sandbox

SETTINGS = Settings()
KEYS = "1111"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def add_callers(pool: asyncpg.Pool, count: int) -> dict[str, tuple[int, int]]:
    """caller ID -> (customer id, vehicle id)"""
    callers = {}
    for n in range(count):
        number = f"139{n:08d}"
        customer = await pool.fetchval(
            "INSERT INTO customers (name) VALUES ($1) RETURNING id", f"bench {n}")
        await pool.execute("INSERT INTO customer_phones (customer_id, e164) VALUES ($1, $2)",
                           customer, f"+86{number}")
        vehicle = await pool.fetchval(
            "INSERT INTO vehicles (customer_id, vin, plate) VALUES ($1, $2, $3) RETURNING id",
            customer, f"LBV{n:014d}", f"京Q{n:05d}")
        callers[number] = (customer, vehicle)
    return callers


async def run_level(pool: asyncpg.Pool, env: dict[str, str], size: int,
                    callers: dict[str, tuple[int, int]], timings: list[float]) -> None:
    await pool.execute("TRUNCATE appointments, sms_outbox, ivr_sessions")
    await pool.execute("UPDATE appointment_slots SET booked = 0")
    now = datetime.now(UTC)
    day = (await appointments.free_days(pool, now, SETTINGS.tz))[0]
    expected_slot = (await appointments.free_slots(pool, day, now, SETTINGS.tz))[0].id
    chosen = dict(list(callers.items())[:size])
    timings.clear()
    started = time.perf_counter()
    phones = [await start_keypad_caller(env["CALLCENTER_SIP_HOST"],
                                        int(env["CALLCENTER_SIP_PORT"]), caller_id=number,
                                        keys=KEYS, first_key_after=1.5, key_gap=0.8,
                                        hold=8.0) for number in chosen]
    codes = await asyncio.gather(*(phone.wait(60) for phone in phones), return_exceptions=True)
    for phone in phones:
        phone.cleanup()
    elapsed = time.perf_counter() - started
    rows = await pool.fetch("SELECT customer_id, vehicle_id, slot_id, channel FROM appointments")
    booked = {(r["customer_id"], r["vehicle_id"]) for r in rows
              if r["slot_id"] == expected_slot and r["channel"] == "ivr"}
    correct = sum(1 for ids in chosen.values() if ids in booked)
    sms = await pool.fetchval("SELECT count(*) FROM sms_outbox")
    sessions = await pool.fetchval(
        "SELECT count(*) FROM ivr_sessions WHERE result = 'booked'")
    sipp_ok = sum(1 for code in codes if code == 0)
    ms = [t * 1000 for t in timings]
    print(f"{size:>5} {correct:>4}/{size:<4} {len(rows):>6} {sms:>4} {sessions:>8} "
          f"{sipp_ok:>4} {elapsed:7.1f} {len(ms):>6} "
          f"{percentile(ms, .50):7.2f} {percentile(ms, .95):7.2f} {percentile(ms, .99):7.2f} "
          f"{max(ms):7.2f}", flush=True)


async def main(levels: list[int]) -> None:
    import pgserver

    with sandbox.exclusive():
        env = sandbox.start()
        with tempfile.TemporaryDirectory(prefix="bench-ivr-pg-") as folder:
            server = pgserver.get_server(Path(folder), cleanup_mode="delete")
            try:
                await bench(server.get_uri(), env, levels)
            finally:
                server.cleanup()


async def bench(url: str, env: dict[str, str], levels: list[int]) -> None:
    conn = await asyncpg.connect(url)
    await migrate(conn)
    await conn.close()
    pool = await create_pool(url, min_size=10, max_size=20)
    timings: list[float] = []
    hotline = make_hotline(pool, SETTINGS, timings=IvrTimings(choice_ms=3000, entry_ms=3000),
                           on_command=lambda _verb, seconds: timings.append(seconds))
    server = FastAgiServer({"hotline": hotline})
    await server.start(env["CALLCENTER_AGI_HOST"], int(env["CALLCENTER_AGI_PORT"]))
    try:
        today = datetime.now(UTC).astimezone(SETTINGS.tz).date()
        await appointments.create_slots(pool, first_day=today,
                                        last_day=today + timedelta(days=8), tz=SETTINGS.tz,
                                        capacity=max(levels))
        callers = await add_callers(pool, max(levels))
        print(f"IVR booking benchmark: {platform.python_implementation()} "
              f"{platform.python_version()}, {platform.machine()}, keys {KEYS}")
        print("level correct    rows  sms sessions sipp   secs   cmds  p50 ms  p95 ms"
              "  p99 ms  max ms")
        for size in levels:
            await run_level(pool, env, size, callers, timings)
    finally:
        await server.close()
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="5,10,25,50")
    arguments = parser.parse_args()
    asyncio.run(main([int(level) for level in arguments.levels.split(",")]))
