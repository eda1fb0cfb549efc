"""The hotline queue beside "calls and agents" (services/hotline_report.py): a year of a
large group's hotline in queue_log, summed over the year and over one month.

    python bench/bench_hotline.py [--callers 1100000] [--runs 20]

Builds, set-based in an embedded PostgreSQL, one hotline queue's year (December 2025 to
November 2026) of ``--callers`` callers (the 1,100,000 inbound calls of
bench_reports.py's year): each an ENTERQUEUE, then a CONNECT (80 %) and a
COMPLETECALLER, or an ABANDON (the summary's trigger off meanwhile, then the summary
rebuilt from every line at once, timed); then times ``hotline_report.hotline`` as the
calls report's handler calls it, and the queue statistics page
(``queue_statistics.figures``) by day, hour, queue and agent over the year. Both read
the summary of migration 0022. Last, one more day of callers inserted with the trigger
on, timed: what the summary costs the inserts.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import percentiles, timed
from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.services import hotline_report, queue_statistics
from callcenter.settings import Settings

YEAR = (date(2025, 12, 1), date(2026, 11, 30))

GENERATE = """
SELECT setseed({seed});
INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data2, data3)
SELECT c.entered + l.after * interval '1 second', 'bench.{seed}.' || c.g, 'hotline',
       CASE WHEN l.event = 'ENTERQUEUE' THEN 'NONE' ELSE 'PJSIP/' || (1001 + c.g % 50) END,
       l.event, l.data1, l.data2, l.data3
FROM (SELECT g, timestamptz '{start} 08:00:00+08'
                + (random() * {days})::int * interval '1 day' + random() * interval '12 hours'
                AS entered,
             random() < 0.8 AS answered, (3 + random() * 60)::int AS wait,
             (30 + random() * 600)::int AS talk
      FROM generate_series(1, {callers}) g) AS c,
     LATERAL (VALUES ('ENTERQUEUE', 0, '', '', ''),
                     (CASE WHEN c.answered THEN 'CONNECT' ELSE 'ABANDON' END, c.wait,
                      CASE WHEN c.answered THEN c.wait::text ELSE '1' END, '1',
                      CASE WHEN c.answered THEN '' ELSE c.wait::text END),
                     (CASE WHEN c.answered THEN 'COMPLETECALLER' END, c.wait + c.talk,
                      c.wait::text, c.talk::text, '1')) AS l (event, after, data1, data2, data3)
WHERE l.event IS NOT NULL;
"""


async def bench(url: str, callers: int, runs: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
        started = time.perf_counter()
        await conn.execute("ALTER TABLE queue_log DISABLE TRIGGER report_queue_insert")
        await conn.execute(GENERATE.format(callers=callers, seed=0.2, days=364,
                                           start="2025-12-01"))
        await conn.execute("ALTER TABLE queue_log ENABLE TRIGGER report_queue_insert")
        await conn.execute("ANALYZE queue_log")
        lines = await conn.fetchval("SELECT count(*) FROM queue_log")
        print(f"generated {callers:,} callers, {lines:,} queue_log lines in "
              f"{time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        await conn.execute("SELECT report_queue_rebuild()")
        await conn.execute("ANALYZE report_queue")
        rows = await conn.fetchval("SELECT count(*) FROM report_queue")
        print(f"summary rebuilt from every line in {time.perf_counter() - started:.1f} s: "
              f"{rows:,} rows")
    finally:
        await conn.close()
    pool = await create_pool(url, min_size=1, max_size=2)
    settings = Settings()
    month = (date(2026, 6, 1), date(2026, 6, 30))
    print(f"{'report':42} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, days in (("hotline beside the calls, year", YEAR),
                       ("hotline beside the calls, month", month)):
        def call(n: int, days: tuple[date, date] = days) -> Awaitable[Any]:
            return hotline_report.hotline(pool, settings, *days)

        await report(name, runs, call)
    for by in ("day", "hour", "queue", "agent"):
        def page(n: int, by: str = by) -> Awaitable[Any]:
            return queue_statistics.figures(pool, settings, *YEAR, by)

        await report(f"queue statistics by {by}, year", runs, page)
    async with pool.acquire() as conn:
        day_of_callers = callers // 365
        started = time.perf_counter()
        await conn.execute(GENERATE.format(callers=day_of_callers, seed=0.3, days=0,
                                           start="2026-12-01"))
        print(f"one more day, {day_of_callers:,} callers inserted with the summary's "
              f"trigger in {time.perf_counter() - started:.1f} s", flush=True)
    await pool.close()


async def report(name: str, runs: int, call: Callable[[int], Awaitable[Any]]) -> None:
    await call(0)  # warm the plan cache
    p50, p95, p99 = percentiles(await timed(runs, call))
    print(f"{name:42} {p50:8.1f} {p95:8.1f} {p99:8.1f}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--callers", type=int, default=1_100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"hotline benchmark, {time.strftime('%Y-%m-%d %H:%M')}: "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {args.callers:,} callers, {args.runs} runs")
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-hotline-") as scratch:
        server = await asyncio.to_thread(pgserver.get_server, Path(scratch) / "pg",
                                         cleanup_mode="delete")
        try:
            await bench(server.get_uri(), args.callers, args.runs)
        finally:
            server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
