"""IVR booking under load: sipp callers pressing keys through the sandbox's Asterisk 22
into the hotline's FastAGI route (Mandarin, the default), at rising concurrency.

    python bench/bench_ivr.py [--levels 50,100,150] [--modes ami,agi] [--typing steady,fast]
                              [--rate 25]

Needs root (the Asterisk sandbox) and sipp. Every caller is a known customer with one car
who books the first free time with keys 1 1 1 1, pressed whatever the caller hears:
``steady``, the first 1.5 s after the answer, then one every 0.8 s; ``fast``, a regular
caller typing ahead, the first after 0.6 s, then one every 0.25 s, mostly while the flow
is between two AGI commands. All callers of a level call within a second, from one sipp
process. Each level runs in two modes, in the same run:

- ``ami``: as the server runs it, keys from AMI through the keypad (telephony/keypad.py);
- ``agi``: the baseline, keys from AGI alone (a key pressed between two commands is lost).

Per level and mode it prints how many bookings are correct (the caller's car in the
first offered slot, one SMS each, the session recorded as booked), the round trip of
AGI commands that do not wait for the caller (GET FULL VARIABLE, SET VARIABLE), measured
inside the server from writing the command to reading its result (p50/p95/p99, max), and
the CPU used meanwhile by this process (the hotline server) and by Asterisk, in % of
one core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import CpuMeter, asterisk_pid, embedded_postgres, percentile
from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.services import appointments
from callcenter.settings import Settings
from callcenter.telephony.agi import FastAgiServer
from callcenter.telephony.ami import AmiClient, AmiItem
from callcenter.telephony.hotline import IvrTimings, make_hotline
from callcenter.telephony.keypad import Keypad
from tests.harness import sandbox
from tests.harness.sipp import keypad_scenario, start_callers

SETTINGS = Settings()
KEYS = "1111"
# seconds to the first key after the answer, then between keys
TYPING = {"steady": (1.5, 0.8), "fast": (0.6, 0.25)}


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


async def peak_sessions(pool: asyncpg.Pool) -> int:
    """The most hotline sessions that were open at the same moment."""
    return await pool.fetchval("""
        SELECT coalesce(max(open), 0) FROM (
            SELECT sum(delta) OVER (ORDER BY at, delta) AS open
            FROM (SELECT started_at AS at, 1 AS delta FROM ivr_sessions
                  UNION ALL SELECT ended_at, -1 FROM ivr_sessions) AS moments) AS running""")


async def run_level(pool: asyncpg.Pool, env: dict[str, str], size: int, mode: str,
                    typing: str, rate: int, keypad: Keypad,
                    callers: dict[str, tuple[int, int]]) -> None:
    await pool.execute("TRUNCATE appointments, sms_outbox, ivr_sessions")
    await pool.execute("UPDATE appointment_slots SET booked = 0")
    now = datetime.now(UTC)
    day = (await appointments.free_days(pool, now, SETTINGS.tz))[0]
    expected_slot = (await appointments.free_slots(pool, day, now, SETTINGS.tz))[0].id
    chosen = dict(list(callers.items())[:size])
    timings: list[float] = []
    hotline = make_hotline(pool, SETTINGS, keypad=keypad if mode == "ami" else None,
                           timings=IvrTimings(choice_ms=3000, entry_ms=3000),
                           on_command=lambda _verb, seconds: timings.append(seconds))
    server = FastAgiServer({"hotline": hotline})
    await server.start(env["CALLCENTER_AGI_HOST"], int(env["CALLCENTER_AGI_PORT"]))
    with tempfile.TemporaryDirectory(prefix="bench-ivr-sipp-") as folder:
        first, gap = TYPING[typing]
        scenario = keypad_scenario(KEYS, Path(folder), first_key_after=first, key_gap=gap,
                                   hold=8.0)
        meter, started = CpuMeter(server=os.getpid(), asterisk=asterisk_pid()), time.time()
        meter.start()
        phones = await start_callers(env["CALLCENTER_SIP_HOST"], int(env["CALLCENTER_SIP_PORT"]),
                                     scenario, list(chosen), rate=rate, workdir=Path(folder))
        try:
            await phones.wait(90)
        finally:
            await phones.stop()
        elapsed = time.time() - started
        cpu = meter.stop()
    await server.close()
    rows = await pool.fetch("SELECT customer_id, vehicle_id, slot_id, channel FROM appointments")
    booked = {(r["customer_id"], r["vehicle_id"]) for r in rows
              if r["slot_id"] == expected_slot and r["channel"] == "ivr"}
    correct = sum(1 for ids in chosen.values() if ids in booked)
    sms = await pool.fetchval("SELECT count(*) FROM sms_outbox")
    sessions = await pool.fetchval(
        "SELECT count(*) FROM ivr_sessions WHERE result = 'booked' AND language = 'zh'")
    ms = [t * 1000 for t in timings]
    print(f"{size:>5} {typing:>6} {mode:>4} {correct:>4}/{size:<4} {len(rows):>5} {sms:>4} "
          f"{sessions:>8} {await peak_sessions(pool):>4} {elapsed:6.1f} {len(ms):>5} "
          f"{percentile(ms, .50):7.2f} {percentile(ms, .95):7.2f} {percentile(ms, .99):7.2f} "
          f"{max(ms, default=float('nan')):7.2f} "
          f"{cpu['server']:7.1f} {cpu['asterisk']:8.1f}", flush=True)


async def main(levels: list[int], modes: list[str], typings: list[str], rate: int) -> None:
    with sandbox.exclusive():
        env = sandbox.start()
        with embedded_postgres("bench-ivr-pg-") as url:
            await bench(url, env, levels, modes, typings, rate)


async def bench(url: str, env: dict[str, str], levels: list[int], modes: list[str],
                typings: list[str], rate: int) -> None:
    conn = await asyncpg.connect(url)
    await migrate(conn)
    await conn.close()
    pool = await create_pool(url, min_size=10, max_size=20)

    async def ignore(_item: AmiItem) -> None:
        pass

    keypad = Keypad()
    ami = AmiClient(env["CALLCENTER_AMI_HOST"], int(env["CALLCENTER_AMI_PORT"]),
                    env["CALLCENTER_AMI_USERNAME"], env["CALLCENTER_AMI_SECRET"], ignore,
                    events=frozenset(), tap=keypad)
    ami.start()
    try:
        await ami.wait_connected(10)
        today = datetime.now(UTC).astimezone(SETTINGS.tz).date()
        await appointments.create_slots(pool, first_day=today,
                                        last_day=today + timedelta(days=8), tz=SETTINGS.tz,
                                        capacity=max(levels))
        callers = await add_callers(pool, max(levels))
        print(f"IVR booking benchmark, {time.strftime('%Y-%m-%d')}: "
              f"{platform.python_implementation()} {platform.python_version()}, "
              f"{platform.machine()}, {os.cpu_count()} cores, keys {KEYS}, "
              f"language {SETTINGS.hotline_language}, {rate} calls/s")
        print("level typing mode correct  rows  sms sessions peak   secs  cmds  p50 ms  p95 ms"
              "  p99 ms  max ms  cpu % ast cpu %")
        for size in levels:
            for typing in typings:
                for mode in modes:
                    await run_level(pool, env, size, mode, typing, rate, keypad, callers)
    finally:
        await ami.close()
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="50,100,150")
    parser.add_argument("--modes", default="ami,agi")
    parser.add_argument("--typing", default="steady,fast")
    parser.add_argument("--rate", type=int, default=25, help="calls a second")
    arguments = parser.parse_args()
    asyncio.run(main([int(level) for level in arguments.levels.split(",")],
                     arguments.modes.split(","), arguments.typing.split(","), arguments.rate))
