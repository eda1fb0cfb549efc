"""Recording search at scale: p50/p95/p99 and the plan per supervisor query shape.

    python bench/bench_recordings.py [--rows 1000000,5000000] [--runs 60]
                                     [--keep DIR | --url postgresql://...] [--explain]

Generates the recordings (a year of calls, 50 agents, 200,000 customers, segmented notes)
with SQL set operations (INSERT ... SELECT FROM generate_series, the search indexes
dropped during the load and built after it) in an embedded PostgreSQL (pgserver), then
times the server's own search path (callcenter.db.recordings.search: the page and the
bounded total in one read-only transaction) with varied parameters per shape. Each size
of --rows is reached by adding rows to the previous one, and measured in turn.
--keep DIR keeps the database folder: a later run with DIR reuses the rows already
there (and adds any missing). --explain prints each shape's EXPLAIN (ANALYZE, BUFFERS)
as a tree at the largest size, beside the one-line plan summary always printed (a word
search's plans are those of its first date range).
Goal: every shape p95 <= 50 ms at 5,000,000 rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.db.recordings import explain_search, search
from callcenter.domain.recordings import SearchFilters

AGENTS, CUSTOMERS = 50, 200_000
# Segmented words as the pipeline stores them (space-separated, jieba's cut).
WORDS = ("客户 反映 刹车 异响 保养 预约 下周 满意 不满意 投诉 销售 顾问 态度 价格 优惠 "
         "试驾 交车 配置 空调 发动机 轮胎 更换 机油 保险 理赔 洗车 等待 时间 太 长 服务 "
         "很好 一般 回访 电话 短信 提醒 里程 公里 首保 延保 贷款 上牌 导航 音响 座椅 "
         "异味 漏水 噪音 抖动 油耗 高 续航 充电 电池 车机 升级 召回 配件 缺货").split()
GENERATE = """
SET session_replication_role = replica;  -- bulk load: no triggers, no FK checks
INSERT INTO users (id, username, display_name, role, password_hash, extension)
SELECT g, 'agent' || g, '坐席' || g, 'agent', 'x', (1000 + g)::text
FROM generate_series(1, {agents}) g
ON CONFLICT DO NOTHING;
INSERT INTO recordings (call_id, path, format, size_bytes, duration_ms, sha256, status,
    agent_id, customer_id, direction, disposition, category, followup_kind,
    followup_result, followup_task_id, complaint_id, started_at, customer_name, phone,
    phone_rev, search_tsv)
SELECT NULL, 'bench/' || g || '.mp3', 'mp3', 100000, dur, 'x', 'ready',
    1 + (g::bigint * 7919) % {agents}, cust, dir, disp, cat,
    CASE WHEN cat = 'followup'
         THEN (ARRAY['sales', 'service', 'maintenance_reminder'])[1 + g % 3] END,
    CASE WHEN cat = 'followup'
         THEN (ARRAY['satisfied', 'satisfied', 'satisfied', 'dissatisfied'])[1 + g % 4] END,
    CASE WHEN cat = 'followup' THEN g END,
    CASE WHEN g % 97 = 0 THEN g END,
    started, name, phone, reverse(phone),
    recording_search_words(notes, started)
FROM (
    SELECT g,
        1 + (hashint4(g) & 2147483647) % {customers} AS cust,
        (ARRAY['outbound','outbound','inbound'])[1 + g % 3] AS dir,
        (ARRAY['answered','answered','answered','answered','wrong_number'])[1 + g % 5] AS disp,
        (ARRAY['followup', 'followup', 'inquiry', 'complaint', 'appointment',
               'other'])[1 + g % 6] AS cat,
        (5000 + (hashint4(g + 1) & 2147483647) % 600000) AS dur,
        now() - make_interval(secs => (hashint4(g + 2) & 2147483647) % (365 * 86400)) AS started,
        (ARRAY['王','李','张','刘','陈','杨','黄','赵','周','吴','徐','孙','欧阳','司马'])[
            1 + (hashint4(g + 3) & 2147483647) % 14]
          || (ARRAY['伟','芳','娜','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟'])[
            1 + (hashint4(g + 4) & 2147483647) % 14] AS name,
        '1' || (ARRAY['3','5','8','9'])[1 + g % 4]
          || lpad(((hashint8(g) & 2147483647) % 1000000000)::text, 9, '0') AS phone,
        (SELECT string_agg($w$[1 + (hashint4(g * 10 + k) & 2147483647) % cardinality($w$)], ' ')
         FROM generate_series(1, 3 + g % 4) k)
          || CASE WHEN g % 1000 = 0 THEN ' 变速箱' ELSE '' END AS notes
    FROM generate_series({first}, {last}) g
) s;
SET session_replication_role = origin;
"""


def shapes(now: datetime, rng: random.Random) -> dict[str, Callable[[], SearchFilters]]:
    def days(n: int) -> datetime:
        return now - timedelta(days=n)

    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    def day() -> datetime:
        return days(rng.randint(1, 360))

    return {
        "agent, last 7 days": lambda: SearchFilters(
            agent_id=rng.randint(1, AGENTS), since=days(7)),
        "customer (id)": lambda: SearchFilters(customer_id=rng.randint(1, CUSTOMERS)),
        "customer name prefix (2 chars), 30 days": lambda: SearchFilters(
            customer_name=rng.choice(["欧阳", "司马", "王伟", "李娜"]), since=days(30)),
        "customer surname (1 char), 30 days": lambda: SearchFilters(
            customer_name=rng.choice("王李张刘"), since=days(30)),
        "customer full name, any date": lambda: SearchFilters(
            customer_name=rng.choice(["欧阳娜", "司马伟", "王伟", "李娜"])),
        "one day": lambda: SearchFilters(since=(d := day()), until=d + timedelta(days=1)),
        "phone: last 4 digits": lambda: SearchFilters(phone_suffix_rev=digits(4)),
        "phone: last 6 digits": lambda: SearchFilters(phone_suffix_rev=digits(6)),
        "phone: first 7 digits": lambda: SearchFilters(
            phone_prefix="1" + rng.choice("3589") + digits(5)),
        "text: rare word, any date": lambda: SearchFilters(words=("变速箱",)),
        "text: two words, 30 days": lambda: SearchFilters(
            words=tuple(rng.sample(WORDS, 2)), since=days(30)),
        "complaint linked, 30 days": lambda: SearchFilters(has_complaint=True,
                                                           since=days(30)),
        "service dissatisfied, 7 days": lambda: SearchFilters(
            followup_kind="service", followup_result="dissatisfied", since=days(7)),
        "agent + disposition + >= 5 min, 90 days": lambda: SearchFilters(
            agent_id=rng.randint(1, AGENTS), disposition="answered", min_ms=300_000,
            since=days(90)),
        "broad: everything, first page": lambda: SearchFilters(),
        "broad: a later page (a day back)": lambda: SearchFilters(
            after=(now - timedelta(hours=rng.randint(20, 30)), 0)),
    }


def pct(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(p / 100 * len(sorted_ms)))]


async def search_indexes(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    return [(r["indexname"], r["indexdef"]) for r in await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'recordings'"
        " AND indexname NOT IN ('recordings_pkey', 'recordings_path_key')")]


async def grow(conn: asyncpg.Connection, rows: int) -> int:
    """Add recordings until there are ``rows`` (a kept database may hold more: it only
    grows); returns how many there are. The search indexes are dropped for the load and
    built again after it (a bulk build, not millions of inserts)."""
    have: int = await conn.fetchval("SELECT count(*) FROM recordings")
    if have >= rows:
        print(f"{have} recordings already there")
        return have
    started = time.perf_counter()
    indexes = await search_indexes(conn)
    async with conn.transaction():
        for name, _ in indexes:
            await conn.execute(f"DROP INDEX {name}")
        await conn.execute(GENERATE.format(first=have + 1, last=rows, agents=AGENTS,
                                           customers=CUSTOMERS)
                           .replace("$w$", "('{" + ",".join(WORDS) + "}'::text[])"))
    loaded = time.perf_counter()
    await conn.execute("SET maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        await conn.execute(definition)
    built = time.perf_counter()
    await conn.execute("VACUUM ANALYZE recordings")
    print(f"added {rows - have} recordings: load {loaded - started:.0f} s, "
          f"{len(indexes)} indexes {built - loaded:.0f} s, "
          f"vacuum {time.perf_counter() - built:.0f} s")
    return rows


def plan_summary(plan: dict[str, Any]) -> str:
    """The plan's nodes, outermost first, with the index each scan reads, then the time
    and the buffers it touched: enough to see that a plan does not grow with the table."""
    def nodes(node: dict[str, Any]) -> list[str]:
        label = node["Node Type"]
        if "Index Name" in node:
            label += f" {node['Index Name']}"
        return [label] + [n for child in node.get("Plans", []) for n in nodes(child)]

    top = plan["Plan"]
    buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    return (f"{' > '.join(nodes(top))}  [{plan['Execution Time']:.1f} ms, "
            f"{buffers} buffers]")


def plan_tree(plan: dict[str, Any]) -> str:
    """EXPLAIN's text form, cut to what shows a plan's shape: each node with its index,
    its condition or filter, the rows it gave and the buffers it touched."""
    lines = []

    def walk(node: dict[str, Any], depth: int) -> None:
        label = node["Node Type"] + (f" on {node['Index Name']}" if "Index Name" in node else "")
        cond = next((f"{key}: {node[key]}" for key in (
            "Index Cond", "Recheck Cond", "Filter", "Join Filter", "Sort Key")
            if key in node), "")
        buffers = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
        lines.append(f"{'  ' * depth}{label}  rows={node['Actual Rows']}"
                     f"x{node['Actual Loops']} buffers={buffers}  {cond[:150]}")
        for child in node.get("Plans", []):
            walk(child, depth + 1)

    walk(plan["Plan"], 2)
    return "\n".join(lines)


async def measure(pool: asyncpg.Pool, rows: int, runs: int, explain: bool) -> None:
    rng = random.Random(1)
    print(f"\n== {rows} recordings ==")
    print(f"{'shape':44} {'p50':>8} {'p95':>8} {'p99':>8}  mean rows / total")
    plans = []
    for name, make in shapes(datetime.now(UTC), rng).items():
        for _ in range(3):  # warm the cache and the connection
            await search(pool, make())
        times, found, totals, bounded = [], [], [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            result = await search(pool, make())
            times.append((time.perf_counter() - t0) * 1000)
            found.append(len(result.rows))
            totals.append(result.total)
            bounded += result.total_is_lower_bound
        times.sort()
        more = f" (more than {max(totals)} in {bounded} of {runs})" if bounded else ""
        print(f"{name:44} {pct(times, 50):7.1f}ms {pct(times, 95):7.1f}ms "
              f"{pct(times, 99):7.1f}ms  {statistics.mean(found):.0f} / "
              f"{statistics.mean(totals):.0f}{more}", flush=True)
        plans.append((name, await explain_search(pool, make())))
    print("\nplans (page; count):")
    for name, (page, count) in plans:
        print(f"  {name}\n    page:  {plan_summary(page)}\n    count: {plan_summary(count)}")
    if explain:
        for name, (page, count) in plans:
            print(f"\n  {name}\n    page:\n{plan_tree(page)}\n    count:\n{plan_tree(count)}")


async def run(url: str, sizes: list[int], runs: int, explain: bool) -> None:
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    for rows in sizes:
        conn = await asyncpg.connect(url)
        try:
            held = await grow(conn, rows)
        finally:
            await conn.close()
        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            await measure(pool, held, runs, explain and rows == sizes[-1])
        finally:
            await pool.close()


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{datetime.now():%Y-%m-%d %H:%M}  {platform.node()}  {os.cpu_count()} CPUs  "
            f"{memory:.0f} GiB  load {load}  {platform.python_implementation()} "
            f"{platform.python_version()}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,5000000",
                        help="sizes to measure, comma-separated, smallest first")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--url", help="a PostgreSQL database; default: embedded")
    parser.add_argument("--keep", type=Path,
                        help="the embedded database's folder, kept for the next run")
    parser.add_argument("--explain", action="store_true",
                        help="print the plans as trees at the largest size")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.rows.split(","))
    print(f"{machine()}  sizes={sizes}  runs={args.runs}")
    if args.url:
        await run(args.url, sizes, args.runs, args.explain)
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-recordings-") as scratch:
        folder = args.keep or Path(scratch) / "pg"
        server = await asyncio.to_thread(pgserver.get_server, folder,
                                         cleanup_mode="stop" if args.keep else "delete")
        try:
            await run(server.get_uri(), sizes, args.runs, args.explain)
        finally:
            server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
