"""Customer search at scale: p50/p95/p99 per query shape on 1,000,000 customers.

    python bench/bench_customer_search.py [--customers 1000000] [--runs 60]
                                          [--url postgresql://...] [--explain]

Makes the customers with PostgreSQL's own set operations (tests/customer_population.py:
realistic Chinese names, a mobile each, landlines for 40 %, 1.2 vehicles each with plates
like 粤B·12345 and unique VINs) in an embedded PostgreSQL (pgserver), or in the database
--url names (populated once: a later run with the same --url reuses the rows). Then
times the server's own search path (callcenter.db.customers CustomerStore.search: every
search of the query's shapes and the result rows in one read-only transaction) with the
text an agent would type, drawn from random customers, and checks that the customer the
text was drawn from is among the results where it must be (a whole number, a plate, a
VIN's end). --explain prints each shape's statements' plans once.
Goal: every shape p95 <= 50 ms at 1,000,000 customers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import embedded_postgres, percentiles, timed
from callcenter.db.customers import CustomerStore, searches_of
from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.db.queries import load_queries
from callcenter.domain.customer_search import parse_query
from tests.customer_population import populate

GOAL_MS = 50.0
Q = load_queries("customers")


def national(e164: str) -> str:
    """As people read it (migration 0019 phone_national_digits)."""
    rest = e164[3:]
    return rest if rest.startswith("1") else "0" + rest


# shape -> (the text typed, from one customer's row; must that customer be found?)
Shape = Callable[[asyncpg.Record, random.Random], str]
SHAPES: dict[str, tuple[Shape, bool]] = {
    "whole mobile 189 0342 3667": (
        lambda c, r: " ".join((c["mobile"][3:6], c["mobile"][6:10], c["mobile"][10:])), True),
    "7 digits inside a mobile": (lambda c, r: c["mobile"][5:12], True),
    "last 4 of a mobile": (lambda c, r: c["mobile"][-4:], False),
    "landline 0755-8135 1929": (
        lambda c, r: national(c["landline"]) if c["landline"] else national(c["mobile"]), True),
    "plate 粤B·12345": (lambda c, r: c["plate"], True),
    "plate without province": (lambda c, r: c["plate"][1:].replace("·", ""), True),
    "VIN last 8": (lambda c, r: c["vin"][-8:], True),
    "VIN last 6 (digits)": (lambda c, r: c["vin"][-6:], False),
    "name: surname": (lambda c, r: c["name"][0], False),
    "name: full": (lambda c, r: c["name"], False),
}

SAMPLE = """
SELECT c.id, c.name,
       (SELECT e164 FROM customer_phones p WHERE p.customer_id = c.id AND label = 'mobile')
           AS mobile,
       (SELECT e164 FROM customer_phones p WHERE p.customer_id = c.id AND label = 'home')
           AS landline,
       v.plate, v.vin
FROM customers c JOIN vehicles v ON v.customer_id = c.id
WHERE c.id = ANY($1::bigint[])
"""


async def ensure_population(url: str, count: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SELECT to_regclass('customers') IS NOT NULL") and \
                await conn.fetchval("SELECT count(*) FROM customers") == count:
            print(f"reusing {count:,} customers (the schema as it was migrated then)")
            return
        await migrate(conn)
        have = await conn.fetchval("SELECT count(*) FROM customers")
        if have:
            raise SystemExit(f"the database has {have:,} customers, not {count:,}: "
                             "give an empty one")
        started = time.perf_counter()
        await populate(conn, count)
        print(f"populated {count:,} customers in {time.perf_counter() - started:.0f} s")
        sizes = await conn.fetch(
            "SELECT relname, reltuples::bigint AS rows,"
            " pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class"
            " WHERE relname IN ('customers', 'customer_phones', 'vehicles',"
            " 'customer_phones_digit_grams')")
        for row in sizes:
            print(f"  {row['relname']}: {row['rows']:,} rows, {row['size']}")
    finally:
        await conn.close()


async def explain(pool: asyncpg.Pool, text: str) -> None:
    async with pool.acquire() as conn:
        for name, args in searches_of(parse_query(text)):
            plan = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + Q[name], *args,
                                    21)
            print(f"    {name}:")
            for line in plan:
                print("      " + line[0])


async def run(url: str, count: int, runs: int, show_plans: bool) -> bool:
    await ensure_population(url, count)
    rng = random.Random(13)
    pool = await create_pool(url, min_size=1, max_size=2)
    store = CustomerStore(pool)
    ok = True
    try:
        ids = [rng.randint(1, count) for _ in range(runs * 2)]
        customers = await pool.fetch(SAMPLE, ids)
        # Warm up: the first statements of a connection are planned and its caches filled.
        for row in customers[:20]:
            await store.search(parse_query(row["name"]), 20)
        print(f"\n{'shape':<28} {'p50':>7} {'p95':>7} {'p99':>7}  found  results")
        for shape, (make, must_find) in SHAPES.items():
            texts = [make(row, rng) for row in customers[:runs]]
            owners = [row["id"] for row in customers[:runs]]
            found = sizes = 0

            async def one(n: int, texts: list[str] = texts, owners: list[int] = owners,
                          must_find: bool = must_find) -> None:
                nonlocal found, sizes
                results, _ = await store.search(parse_query(texts[n]), 20)
                sizes += len(results)
                found += owners[n] in {r["id"] for r in results}

            times = await timed(runs, one)
            p50, p95, p99 = percentiles(times)
            missing = must_find and found < runs
            ok = ok and p95 <= GOAL_MS and not missing
            print(f"{shape:<28} {p50:7.1f} {p95:7.1f} {p99:7.1f}  {found:>3}/{runs}"
                  f"  {sizes / runs:5.1f}{'  MISSING' if missing else ''}"
                  f"{'  OVER GOAL' if p95 > GOAL_MS else ''}")
            if show_plans:
                await explain(pool, texts[0])
    finally:
        await pool.close()
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--url", help="a database to use (and keep) instead of a fresh one")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, Python "
          f"{platform.python_version()}")
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(embedded_postgres("bench-customers-"))
        ok = asyncio.run(run(url, args.customers, args.runs, args.explain))
    print("\nall shapes within the goal" if ok else "\nGOAL MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
