"""A year of the scheduler's generation for 200,000 customers with 250,000 vehicles.

Builds the database in an embedded PostgreSQL (pgserver) with SQL set operations:
deliveries spread over the three years before the year, a maintenance order for half
of the vehicles with its mileage, a reading told during a call for a tenth, then runs
the scheduler (the server's own rules, callcenter.app.scheduler_rules) day by day under
an injected clock for 365 days and prints the run time, the first day (every vehicle's
maintenance day computed) and the slowest of the others. Goal: under 60 s for the year.

    .venv/bin/python -m bench.bench_scheduler [--customers N] [--vehicles N] [--days N]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import asyncpg

from callcenter.app import scheduler_rules
from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.db.scheduler import RunLedger
from callcenter.services.scheduler import Scheduler
from callcenter.settings import Settings

START = date(2025, 1, 1)

# Generated with the triggers off (the data is consistent by construction): the other
# features' row triggers on customers and vehicles (the customers report's summaries,
# migration 0016) upsert one summary row per inserted row, over 10 minutes for 200,000
# customers in one statement, and what they keep is not what this benchmark reads. The
# vehicles are stale by default, as the rule's first run on an imported database finds
# them.
GENERATE = """
SET session_replication_role = replica;
INSERT INTO customers (name, address)
SELECT 'customer ' || n, 'address ' || n FROM generate_series(1, {customers}) n;
INSERT INTO vehicles (customer_id, vin, delivery_date, mileage_km)
SELECT 1 + (n - 1) % {customers}, 'LSV' || lpad(n::text, 14, '0'),
       DATE '{start}' - (1 + (n * 7919) % 1095), NULL
FROM generate_series(1, {vehicles}) n;
INSERT INTO service_orders (order_no, visit_no, customer_id, vehicle_id, kind, settled_at,
                            mileage_km)
SELECT 'O' || v.id, 'V' || v.id, v.customer_id, v.id, 'maintenance',
       (v.delivery_date + (DATE '{start}' - v.delivery_date) / 2)::timestamp
           AT TIME ZONE 'Asia/Shanghai' + interval '10 hours',
       ((DATE '{start}' - v.delivery_date) / 2) * (20 + v.id % 60)
FROM vehicles v WHERE v.id % 2 = 0;
INSERT INTO vehicle_mileage_readings (vehicle_id, km, read_at)
SELECT v.id, (DATE '{start}' - v.delivery_date - 10) * (20 + v.id % 60),
       (DATE '{start}' - 10)::timestamp AT TIME ZONE 'Asia/Shanghai'
FROM vehicles v WHERE v.id % 10 = 1 AND DATE '{start}' - v.delivery_date > 10;
RESET session_replication_role;
ANALYZE;
"""


async def bench(url: str, customers: int, vehicles: int, days: int) -> None:
    conn = await asyncpg.connect(url)
    await migrate(conn)
    started = time.perf_counter()
    await conn.execute(GENERATE.format(customers=customers, vehicles=vehicles,
                                       start=START.isoformat()))
    print(f"generated {customers:,} customers, {vehicles:,} vehicles in "
          f"{time.perf_counter() - started:.1f} s")
    settings = Settings()
    pool = await create_pool(url, min_size=1, max_size=2)
    now = [datetime.combine(START, clock_time(3), settings.tz)]
    daily = Scheduler(RunLedger(pool), scheduler_rules(settings), settings.tz,
                      now=lambda: now[0])
    per_day = []
    year_started = time.perf_counter()
    for offset in range(days):
        now[0] = datetime.combine(START + timedelta(days=offset), clock_time(3), settings.tz)
        day_started = time.perf_counter()
        results = await daily.wake()
        per_day.append(time.perf_counter() - day_started)
        failed = [r for r in results if r.error]
        if failed:
            sys.exit(f"rule failed: {failed}")
    total = time.perf_counter() - year_started
    made = await conn.fetch("SELECT kind, count(*) FROM followup_tasks GROUP BY kind"
                            " ORDER BY kind")
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, "
          f"Python {platform.python_version()}, PostgreSQL "
          f"{await conn.fetchval('SHOW server_version')}")
    print(f"{days} days of generation: {total:.1f} s (goal < 60 s); first day "
          f"{per_day[0]:.2f} s, other days max {max(per_day[1:], default=0):.3f} s, "
          f"mean {sum(per_day[1:]) / max(1, len(per_day) - 1):.3f} s")
    print("tasks made: " + ", ".join(f"{r['kind']} {r['count']:,}" for r in made))
    await pool.close()
    await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--vehicles", type=int, default=250_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-scheduler-pg-") as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="delete")
        try:
            await bench(server.get_uri(), args.customers, args.vehicles, args.days)
        finally:
            server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
