"""A year of the greetings rule for 200,000 customers, each with a mobile and a birthday.

Builds the customers in an embedded PostgreSQL (pgserver) with SQL set operations
(birthdays spread over every day of the year, 29 February included; every twentieth
customer do-not-disturb, every tenth with a landline before the mobile), then runs the
rule (services/greetings.py) for each day of the year in its own transaction, as the
scheduler does, and prints the year's time, the slowest day (a holiday: every customer
is read and greeted) and an ordinary day. Then runs a holiday again (nothing new).

    .venv/bin/python -m bench.bench_greetings [--customers N] [--year Y]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg

from callcenter.db.migrations import migrate
from callcenter.domain.greetings import Occasion, holidays
from callcenter.services.greetings import GreetingsRule

# The customers' own triggers (the customer report's summaries, migration 0016) are
# not what is measured: they are off while the customers are made.
GENERATE = """
SET session_replication_role = replica;
INSERT INTO customers (name, birthday, do_not_disturb)
SELECT '客户' || n, DATE '1960-01-01' + (n * 7919) % 14610, n % 20 = 0
FROM generate_series(1, {customers}) n;
INSERT INTO customer_phones (customer_id, e164, position)
SELECT id, '+8610' || lpad(id::text, 8, '0'), 0 FROM customers WHERE id % 10 = 0;
INSERT INTO customer_phones (customer_id, e164, position)
SELECT id, '+86139' || lpad(id::text, 8, '0'), 1 FROM customers;
SET session_replication_role = DEFAULT;
ANALYZE;
"""


async def bench(url: str, customers: int, year: int) -> None:
    conn = await asyncpg.connect(url)
    await migrate(conn)
    started = time.perf_counter()
    await conn.execute(GENERATE.format(customers=customers))
    print(f"generated {customers:,} customers in {time.perf_counter() - started:.1f} s")
    today = [date(year, 1, 1)]
    rule = GreetingsRule(dealer="华通汽车", hotline="400-800-1234", region="CN",
                         today=lambda: today[0])
    per_day: dict[date, tuple[float, int]] = {}
    day = date(year, 1, 1)
    year_started = time.perf_counter()
    while day.year == year:
        today[0] = day
        day_started = time.perf_counter()
        async with conn.transaction():
            made = await rule.run(conn, day)
        per_day[day] = (time.perf_counter() - day_started, made)
        day += timedelta(days=1)
    total = time.perf_counter() - year_started
    spring = holidays(year)[Occasion.SPRING_FESTIVAL]
    today[0] = spring
    again_started = time.perf_counter()
    async with conn.transaction():
        again = await rule.run(conn, spring)
    again_time = time.perf_counter() - again_started
    ordinary = [t for d, (t, _) in per_day.items() if d not in holidays(year).values()]
    slowest = max(per_day, key=lambda d: per_day[d][0])
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}, "
          f"Python {platform.python_version()}, PostgreSQL "
          f"{await conn.fetchval('SHOW server_version')}")
    print(f"{len(per_day)} days of greetings: {total:.1f} s, "
          f"{sum(m for _, m in per_day.values()):,} SMS queued")
    print(f"slowest day {slowest} ({per_day[slowest][1]:,} SMS): {per_day[slowest][0]:.2f} s;"
          f" ordinary days mean {sum(ordinary) / len(ordinary) * 1000:.0f} ms, "
          f"max {max(ordinary) * 1000:.0f} ms")
    print(f"Spring Festival run again: {again} new SMS in {again_time:.2f} s")
    await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--year", type=int, default=2027)
    args = parser.parse_args()
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-greetings-pg-") as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="delete")
        try:
            await bench(server.get_uri(), args.customers, args.year)
        finally:
            server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
