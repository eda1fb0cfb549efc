"""Management reports over a year of a dealership group: p50/p95/p99 per report, over
the whole year and over one month.

    python bench/bench_reports.py [--scale 1.0] [--runs 40] [--keep DIR] [--url postgresql://...]

Builds, set-based (generate_series, a few minutes), a year (December 2025 to November
2026) of 50 agents: 300,000 customers, 2,000,000 calls (ended, 55 % inbound), 600,000
follow-up tasks (sales and service, 85 % completed with every question answered; the
salesperson or service advisor concerned one of 300 and 200) and their 1,200,000
attempts, and 8 pauses a day of each agent in queue_log (292,000 lines), in an embedded
PostgreSQL (pgserver). The rows are loaded without the summary triggers and the
summaries then made by ``reports_rebuild()``, the function a migration or a change of
time zone runs (its time is printed); then the triggers' cost on live writes is measured
(calls ended, follow-ups completed, pause lines inserted, one by one). Then each report
is called as the HTTP handler calls it (callcenter.services.reports and
.satisfaction), with months varied. ``--keep DIR`` keeps the database folder and
reuses the year it holds.
Goal: p95 <= 200 ms per report.
The customers report's rows, rebuild, write cost and shapes: bench/customer_year.py.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import customer_year
from bench.measure import percentiles, timed
from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.db.reports import ReportStore
from callcenter.db.satisfaction import SatisfactionStore
from callcenter.services import reports, satisfaction

AGENTS = 50
# the group's staff the follow-ups' answers concern: 25 dealerships of 12 salespeople and
# 8 service advisors
SALESPEOPLE, ADVISORS = 300, 200
YEAR = (date(2025, 12, 1), date(2026, 11, 30))
TODAY = date(2026, 12, 1)
# the start of the year in Shanghai, and its length in days
EPOCH = "timestamptz '2025-12-01 00:00:00+08'"
DAYS = (YEAR[1] - YEAR[0]).days + 1

GENERATE = f"""
SET session_replication_role = replica;  -- bulk load: no triggers, no FK checks
SELECT setseed(0.14);  -- random() below: independent keys, the same year every time
INSERT INTO users (id, username, display_name, role, password_hash)
SELECT g, 'agent' || g, '坐席' || g, 'agent', 'x' FROM generate_series(1, {AGENTS}) g;
INSERT INTO customers (id, name)
SELECT g, (ARRAY['张', '王', '李', '赵', '陈', '刘', '杨', '黄'])[1 + g % 8] || '客户' || g
FROM generate_series(1, {{customers}}) g;
INSERT INTO calls (linkedid, direction, customer_id, agent_id, started_at, answered_at,
                   ended_at, wrapped_up_at, disposition, category, state)
SELECT 'bench.' || g, direction, 1 + (random() * ({{customers}} - 1))::int,
       CASE WHEN answered OR direction = 'outbound' THEN 1 + (random() * 49)::int END,
       started,
       CASE WHEN answered THEN started + (5 + random() * 40) * interval '1 second' END,
       started + length,
       -- the answered ones wrapped up within 90 s of their end
       CASE WHEN answered THEN started + length + random() * interval '90 seconds' END,
       CASE WHEN answered THEN 'answered'
            WHEN direction = 'inbound' THEN 'abandoned'
            ELSE (ARRAY['busy', 'no_answer', 'unreachable', 'wrong_number'])[
                     1 + (random() * 3)::int] END,
       CASE WHEN answered THEN (ARRAY['inquiry', 'complaint', 'appointment', 'followup',
                                      'other'])[1 + (random() * 4)::int] END,
       'ended'
FROM (SELECT g, CASE WHEN random() < 0.55 THEN 'inbound' ELSE 'outbound' END AS direction,
             random() < 0.8 AS answered, random() AS r,
             -- office hours: 08:00-20:00 in Shanghai, any day of the year
             {EPOCH} + (random() * {DAYS - 1})::int * interval '1 day'
                 + interval '8 hours' + random() * interval '12 hours' AS started
      FROM generate_series(1, {{calls}}) g) AS s,
     LATERAL (SELECT (CASE WHEN answered THEN 45 + r * 600 ELSE 20 + r * 40 END)
                     * interval '1 second' AS length) AS l;
INSERT INTO followup_tasks (id, kind, source_key, customer_id, due_date, status,
                            assigned_to, attempts, template_id, answers, score, result,
                            completed_at, completed_by, staff)
SELECT g, kind, kind || ':bench:' || g, 1 + (random() * ({{customers}} - 1))::int, due,
       status, agent,
       CASE status WHEN 'cancelled' THEN 0 WHEN 'sms' THEN 0 WHEN 'unreachable' THEN 3
                   ELSE 1 + (random() * 2)::int END,
       CASE WHEN status = 'completed' THEN template END,
       a.answers, a.total,
       CASE WHEN status = 'completed' THEN
            CASE WHEN a.low OR a.total < a.pass THEN 'dissatisfied' ELSE 'satisfied' END END,
       CASE WHEN status = 'completed' THEN
            due::timestamp AT TIME ZONE 'Asia/Shanghai'
            + (random() * 4 - 3)::int * interval '1 day' + interval '10 hours' END,
       CASE WHEN status = 'completed' THEN agent END,
       -- the salesperson or service advisor the answers concern (3 %: not known)
       CASE WHEN random() < 0.03 THEN NULL WHEN kind = 'sales'
            THEN '销售' || (1 + (random() * {SALESPEOPLE - 1})::int)
            ELSE '顾问' || (1 + (random() * {ADVISORS - 1})::int) END
FROM (SELECT g, kind, agent, due, status,
             (SELECT id FROM questionnaire_templates q WHERE q.kind = k.kind AND q.active)
                 AS template
      FROM (SELECT g, CASE WHEN random() < 0.35 THEN 'sales' ELSE 'service' END AS kind,
                   1 + (random() * 49)::int AS agent,
                   date '{YEAR[0]}' + (random() * {DAYS - 1})::int AS due, random() AS r
            FROM generate_series(1, {{tasks}}) g) AS k,
           LATERAL (SELECT CASE WHEN r < 0.85 THEN 'completed' WHEN r < 0.90 THEN 'unreachable'
                                WHEN r < 0.93 THEN 'sms' WHEN r < 0.98 THEN 'call_again'
                                ELSE 'cancelled' END AS status) AS st) AS s
     -- every question of the questionnaire answered 3-10, mostly high
     LEFT JOIN LATERAL (
         SELECT jsonb_object_agg(id, v) AS answers, sum(v) AS total,
                bool_or(v <= floor) AS low, min(pass) AS pass
         FROM (SELECT q ->> 'id' AS id, (q ->> 'floor')::int AS floor, qt.pass_score AS pass,
                      least((q ->> 'max')::int, 10 - floor(7 * random() ^ 8)::int) AS v
               FROM questionnaire_templates qt, jsonb_array_elements(qt.questions) q
               WHERE qt.id = s.template) AS each_answer) AS a ON s.status = 'completed';
INSERT INTO followup_attempts (task_id, agent_id, attempted_at, result)
SELECT t.id, t.assigned_to,
       t.due_date::timestamp AT TIME ZONE 'Asia/Shanghai' + (n - 4) * interval '1 day'
           + interval '9 hours' + random() * interval '9 hours',
       CASE WHEN n = t.attempts AND t.status = 'completed' THEN 'answered'
            ELSE (ARRAY['busy', 'no_answer', 'unreachable'])[1 + (random() * 2)::int] END
FROM followup_tasks t, generate_series(1, t.attempts) n;
INSERT INTO queue_log (time, callid, queuename, agent, event, data1)
SELECT CASE WHEN line.event = 'PAUSE' THEN p.starts ELSE p.starts + p.length END,
       'NONE', 'hotline', 'PJSIP/' || (1000 + p.agent), line.event, line.reason
FROM (SELECT a AS agent, k,
             {EPOCH} + d * interval '1 day' + interval '8 hours' + k * interval '80 minutes'
                 + random() * interval '20 minutes' AS starts,
             (2 + random() * 38) * interval '1 minute' AS length,
             (ARRAY['lunch', 'break', 'training', 'meeting', ''])[1 + (random() * 4)::int]
                 AS reason
      FROM generate_series(1, {AGENTS}) a, generate_series(0, {DAYS - 1}) d,
           generate_series(1, {{pauses_a_day}}) k) AS p,
     LATERAL (VALUES ('PAUSE', p.reason), ('UNPAUSE', '')) AS line (event, reason);
UPDATE users SET extension = (1000 + id)::text;
SET session_replication_role = DEFAULT;
SELECT setval('users_id_seq', {AGENTS}), setval('customers_id_seq', {{customers}}),
       setval('followup_tasks_id_seq', {{tasks}});
"""


async def build(url: str, scale: float) -> None:
    """The year, unless the database already holds one."""
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
        held = await conn.fetchval("SELECT count(*) FROM calls")
        if held:
            print(f"reusing the year in the database: {held:,} calls")
            return
        sizes = {"customers": int(300_000 * scale), "calls": int(2_000_000 * scale),
                 "tasks": int(600_000 * scale), "pauses_a_day": max(1, round(8 * scale))}
        started = time.perf_counter()
        async with conn.transaction():  # all or nothing: a kept folder is whole or empty
            await conn.execute(GENERATE.format(**sizes))
            await conn.execute(customer_year.generate(sizes["customers"]))
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute("SELECT reports_rebuild()")
        rebuilt = time.perf_counter() - started
        await customer_year.rebuild(url)
        await conn.execute("ANALYZE")
        attempts = await conn.fetchval("SELECT count(*) FROM followup_attempts")
        lines = await conn.fetchval("SELECT count(*) FROM queue_log")
        print(f"generated {sizes['calls']:,} calls, {sizes['tasks']:,} follow-ups, "
              f"{attempts:,} attempts, {sizes['customers']:,} customers, {lines:,} queue_log "
              f"pause lines in {loaded:.0f} s; reports_rebuild() {rebuilt:.1f} s")
        for table in ("report_followups", "report_completions", "report_attempts",
                      "report_calls", "report_pauses", "report_answers",
                      "report_satisfaction", "report_staff_days", "report_staff_months"):
            rows = await conn.fetchval(f"SELECT count(*) FROM {table}")
            print(f"  {table}: {rows:,} rows")
    finally:
        await conn.close()


async def trigger_cost(url: str, rows: int) -> None:
    """What the summaries cost a live write: calls ending and follow-ups completing one
    statement at a time (each in its own transaction, as the server writes them),
    against the same writes with the triggers off; rolled back afterwards."""
    conn = await asyncpg.connect(url)
    try:
        ids = [r["id"] for r in await conn.fetch(
            "SELECT id FROM calls WHERE ended_at IS NOT NULL ORDER BY id LIMIT $1", rows)]
        tasks = [r["id"] for r in await conn.fetch(
            "SELECT id FROM followup_tasks WHERE status = 'call_again' ORDER BY id LIMIT $1",
            rows)]
        template = await conn.fetchval(
            "SELECT id FROM questionnaire_templates WHERE kind = 'service' AND active")
        end_call = ("UPDATE calls SET ended_at = ended_at + interval '1 second',"
                    " category = 'other' WHERE id = $1")
        complete = ("UPDATE followup_tasks SET status = 'completed', result = 'satisfied',"
                    " score = 54, template_id = $2, completed_at = now(), completed_by = 1,"
                    """ answers = '{"q1": 9, "q2": 9, "q3": 9, "q4": 9, "q5": 9, "q6": 9}'"""
                    " WHERE id = $1")
        pause_line = ("INSERT INTO queue_log (time, callid, queuename, agent, event, data1)"
                      " VALUES (now(), 'NONE', 'hotline', $2, $1, 'break')")
        for role in ("replica", "origin"):  # replica: the triggers do not fire
            tr = conn.transaction()
            await tr.start()
            await conn.execute(f"SET LOCAL session_replication_role = {role}")
            started = time.perf_counter()
            for call_id in ids:
                await conn.execute(end_call, call_id)
            calls_ms = (time.perf_counter() - started) * 1000 / len(ids)
            started = time.perf_counter()
            for task_id in tasks:
                await conn.execute(complete, task_id, template)
            tasks_ms = (time.perf_counter() - started) * 1000 / max(len(tasks), 1)
            started = time.perf_counter()
            for n in range(rows):  # a pause line of a member who has a year of them
                await conn.execute(pause_line, "PAUSE" if n % 2 == 0 else "UNPAUSE",
                                   f"PJSIP/{1001 + n % AGENTS}")
            lines_ms = (time.perf_counter() - started) * 1000 / rows
            await tr.rollback()
            label = "with the summary triggers" if role == "origin" else "without triggers"
            print(f"  {label:26}: a call's wrap-up {calls_ms:.3f} ms, "
                  f"a follow-up's completion {tasks_ms:.3f} ms, a queue_log pause line "
                  f"{lines_ms:.3f} ms (mean of {len(ids):,} / {len(tasks):,} / {rows:,})")
    finally:
        await conn.close()


async def bench(url: str, scale: float, runs: int) -> None:
    await build(url, scale)
    print("write cost:")
    await trigger_cost(url, 2000)
    await customer_year.visit_cost(url, 2000)
    pool = await create_pool(url, min_size=2, max_size=4)
    store = ReportStore(pool)

    def month(n: int) -> tuple[date, date]:
        first = date(2025 + (11 + n % 12) // 12, 1 + (11 + n % 12) % 12, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return first, last

    def followups(by: str, *, one_month: bool = False, kind: str | None = None,
                  agent: bool = False) -> Callable[[int], Awaitable[Any]]:
        return lambda n: reports.followup_completion(
            store, *(month(n) if one_month else YEAR), by, kind,
            1 + n % AGENTS if agent else None, TODAY)

    def calls(*, one_month: bool = False, direction: str | None = None
              ) -> Callable[[int], Awaitable[Any]]:
        return lambda n: reports.calls_and_agents(
            store, *(month(n) if one_month else YEAR), direction)

    answers = SatisfactionStore(pool)

    def liked(by: str, *, one_month: bool = False, kind: str | None = None,
              days: tuple[date, date] | None = None) -> Callable[[int], Awaitable[Any]]:
        return lambda n: satisfaction.satisfaction(
            answers, *(days or (month(n) if one_month else YEAR)), kind, by)

    shapes: list[tuple[str, Callable[[int], Awaitable[Any]]]] = [
        ("follow-ups, year, by week", followups("week")),
        ("follow-ups, year, by month", followups("month")),
        ("follow-ups, year, by agent", followups("agent")),
        ("follow-ups, year, by kind, one agent", followups("kind", agent=True)),
        ("follow-ups, month, by week", followups("week", one_month=True)),
        ("follow-ups, month, by agent, service", followups("agent", one_month=True,
                                                           kind="service")),
        ("calls and agents, year", calls()),
        ("calls and agents, year, outbound", calls(direction="outbound")),
        ("calls and agents, month", calls(one_month=True)),
        ("satisfaction, year, by question", liked("question")),
        ("satisfaction, year, by staff", liked("staff")),
        ("satisfaction, year, by staff, off the months", liked(
            "staff", days=(date(2025, 12, 16), date(2026, 11, 14)))),
        ("satisfaction, year, by department", liked("department")),
        ("satisfaction, year, by month", liked("month")),
        ("satisfaction, year, by staff, sales", liked("staff", kind="sales")),
        ("satisfaction, month, by question", liked("question", one_month=True)),
        ("satisfaction, month, by staff", liked("staff", one_month=True)),
        # a month's length from the 16th (every range of the running totals costs alike)
        ("satisfaction, 16th to 15th, by staff", lambda n: satisfaction.satisfaction(
            answers, month(n % 11)[0] + timedelta(days=15),
            month(n % 11 + 1)[0] + timedelta(days=14), None, "staff")),
    ]
    shapes += customer_year.shapes(pool)
    print(f"{'report':42} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, call in shapes:
        await call(0)  # warm the plan cache
        p50, p95, p99 = percentiles(await timed(runs, call))
        print(f"{name:42} {p50:8.1f} {p95:8.1f} {p99:8.1f}", flush=True)
    await pool.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="a share of the year's rows (0.1: a tenth, for a quick look)")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--url", help="a PostgreSQL database; default: embedded")
    parser.add_argument("--keep", type=Path,
                        help="the embedded database's folder, kept and reused next time")
    args = parser.parse_args()
    print(f"reports benchmark, {time.strftime('%Y-%m-%d %H:%M')}: "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, scale {args.scale}, {args.runs} runs per report")
    if args.url:
        await bench(args.url, args.scale, args.runs)
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as scratch:
        folder = args.keep or Path(scratch) / "pg"
        server = await asyncio.to_thread(pgserver.get_server, folder,
                                         cleanup_mode="stop" if args.keep else "delete")
        try:
            await bench(server.get_uri(), args.scale, args.runs)
        finally:
            server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
