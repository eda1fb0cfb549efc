"""Complaint lists and statistics at scale: p50/p95/p99 per query shape.

    python bench/bench_complaints.py [--rows 100000] [--runs 40] [--url postgresql://...]

Generates two years of complaints (20 owners, one customer each with a phone and a
plate; 2 % still unfinished, the rest closed with every step stamped) in a fresh
database of an embedded PostgreSQL (pgserver) with SQL set operations, then times the
server's own service calls (callcenter.services.complaints) per shape, with varied
parameters. Goal: p95 <= 100 ms per shape. The statistics are summed by PostgreSQL for
the calendar clock (the default) and judged in Python for the working clock; both are
timed.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import percentiles, timed
from callcenter.db.complaints import ComplaintStore
from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.domain.complaint_statistics import Period
from callcenter.domain.users import Role, User
from callcenter.services import complaints
from callcenter.services.complaints import Filters, Policy
from callcenter.settings import Settings

OWNERS = 20
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
GENERATE = """
SET session_replication_role = replica;  -- bulk load: no triggers, no FK checks
INSERT INTO users (id, username, display_name, role, password_hash)
SELECT g, 'owner' || g, '专员' || g, 'agent', 'x' FROM generate_series(1, {owners}) g;
INSERT INTO customers (id, name)
SELECT g, (ARRAY['张', '王', '李', '赵', '陈', '刘', '杨', '黄'])[1 + g % 8] || '客户' || g
FROM generate_series(1, {rows}) g;
INSERT INTO customer_phones (customer_id, e164)
SELECT g, '+86139' || lpad(g::text, 8, '0') FROM generate_series(1, {rows}) g;
INSERT INTO vehicles (customer_id, vin, plate)
SELECT g, 'LSV' || lpad(g::text, 14, '0'), '粤B' || lpad(g::text, 6, '0')
FROM generate_series(1, {rows}) g;
INSERT INTO complaints (id, customer_id, source, severity, category, department, owner_id,
    description, status, opened_at, first_contact_at, replied_at, management_reply_at,
    resolved_at, check_call_at, closed_at)
SELECT g, g,
    (ARRAY['followup', 'hotline', 'walk_in', 'online', 'manufacturer', 'other'])[1 + g % 6],
    CASE WHEN g % 10 = 0 THEN 'major' ELSE 'normal' END,
    (ARRAY['service_quality', 'repair_quality', 'sales_promise', 'price', 'parts',
           'attitude', 'other'])[1 + g % 7],
    (ARRAY['service', 'sales', 'parts', 'customer_relations'])[1 + g % 4],
    1 + g % {owners}, '投诉内容 ' || g,
    CASE WHEN unfinished THEN 'contacted' ELSE 'closed' END,
    opened, opened + contact, CASE WHEN unfinished THEN NULL ELSE opened + reply END,
    CASE WHEN g % 10 = 0 AND NOT unfinished THEN opened + interval '30 hours' END,
    CASE WHEN unfinished THEN NULL ELSE opened + reply + interval '6 hours' END,
    CASE WHEN unfinished THEN NULL ELSE opened + reply + interval '2 days' END,
    CASE WHEN unfinished THEN NULL ELSE opened + reply + interval '2 days' END
FROM (SELECT g,
             timestamptz '{now}' - (g::bigint * 7919 % (730 * 86400)) * interval '1 second'
                 AS opened,
             ((g % 180) + 5) * interval '1 minute' AS contact,
             ((g % 40) + 2) * interval '1 hour' AS reply,
             g % 50 = 0 AS unfinished
      FROM generate_series(1, {rows}) g) AS s;
INSERT INTO followup_tasks (kind, source_key, customer_id, due_date, status, result,
                            completed_at, answers, complaint_id)
SELECT 'complaint_check', 'complaint:' || id || ':check:1', customer_id,
       (check_call_at)::date, 'completed',
       CASE WHEN id % 9 = 0 THEN 'dissatisfied' ELSE 'satisfied' END, check_call_at, '{{}}',
       id
FROM complaints WHERE check_call_at IS NOT NULL;
SET session_replication_role = DEFAULT;
SELECT setval('users_id_seq', {owners}), setval('customers_id_seq', {rows}),
       setval('complaints_id_seq', {rows});
ANALYZE;
"""


async def bench(url: str, rows: int, runs: int) -> None:
    conn = await asyncpg.connect(url)
    await migrate(conn)
    started = time.perf_counter()
    await conn.execute(GENERATE.format(rows=rows, owners=OWNERS, now=NOW.isoformat()))
    total, unfinished = await conn.fetchrow(
        "SELECT count(*), count(*) FILTER (WHERE status <> 'closed') FROM complaints")
    await conn.close()
    print(f"generated {total:,} complaints ({unfinished:,} unfinished) over two years in "
          f"{time.perf_counter() - started:.1f} s")
    pool = await create_pool(url, min_size=2, max_size=4)
    store = ComplaintStore(pool)
    settings = Settings()
    policy = Policy(settings.tz)
    rng = random.Random(7)
    owner = User(3, "owner3", "专员3", Role.AGENT, None, "zh-CN")

    def listing(view: str, **filters: Any) -> Callable[[int], Awaitable[Any]]:
        return lambda _n: complaints.list_complaints(store, owner, view, Filters(**filters),
                                                     policy, NOW)

    def month_stats(n: int) -> Awaitable[Any]:
        day = (NOW - timedelta(days=30 * (n % 24))).date()
        return complaints.statistics(store, Period.MONTH, day, policy, NOW)

    working = complaints.policy_of(settings.tz, settings.hours, "working")

    def month_stats_working(n: int) -> Awaitable[Any]:
        day = (NOW - timedelta(days=30 * (n % 24))).date()
        return complaints.statistics(store, Period.MONTH, day, working, NOW)

    def week_stats(n: int) -> Awaitable[Any]:
        day = (NOW - timedelta(days=7 * (n % 100))).date()
        return complaints.statistics(store, Period.WEEK, day, policy, NOW)

    def page(_n: int) -> Awaitable[Any]:
        return complaints.get_complaint(store, rng.randint(1, rows), policy, NOW)

    def month_list(n: int) -> Awaitable[Any]:
        first = date(2026, 11, 1) - timedelta(days=30 * (n % 24))
        starts = datetime(first.year, first.month, 1, tzinfo=settings.tz)
        return complaints.list_complaints(
            store, owner, "all", Filters(opened_from=starts,
                                         opened_before=starts + timedelta(days=31)),
            policy, NOW)

    shapes: list[tuple[str, Callable[[int], Awaitable[Any]]]] = [
        ("open (unfinished) tab", listing("open")),
        ("mine tab", listing("mine")),
        ("overdue tab", listing("overdue")),
        ("all, first page", listing("all")),
        ("all, one department", listing("all", department="parts")),
        ("all, major, from the manufacturer", listing("all", severity="major",
                                                      source="manufacturer")),
        ("all, one month", month_list),
        ("search: customer name", lambda n: complaints.list_complaints(
            store, owner, "all", Filters(text=f"客户{rng.randint(1, rows)}"), policy, NOW)),
        ("search: phone digits", lambda n: complaints.list_complaints(
            store, owner, "all", Filters(text=f"{rng.randint(1, rows):08d}"[-7:]), policy,
            NOW)),
        ("search: plate", lambda n: complaints.list_complaints(
            store, owner, "all", Filters(text=f"B{rng.randint(1, rows):06d}"), policy, NOW)),
        ("complaint page", page),
        ("statistics: a month and the one before", month_stats),
        ("statistics: a week and the one before", week_stats),
        ("statistics: a month, working clock", month_stats_working),
    ]
    print(f"{'shape':42} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, call in shapes:
        await call(0)  # warm the plan cache
        p50, p95, p99 = percentiles(await timed(runs, call))
        print(f"{name:42} {p50:8.1f} {p95:8.1f} {p99:8.1f}", flush=True)
    await pool.close()


async def main(rows: int, runs: int, url: str | None) -> None:
    print(f"complaints benchmark, {time.strftime('%Y-%m-%d')}: "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {rows:,} complaints, {runs} runs per shape")
    if url:
        await bench(url, rows, runs)
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-complaints-pg-") as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="delete")
        try:
            await bench(server.get_uri(), rows, runs)
        finally:
            server.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--url")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rows, arguments.runs, arguments.url))
