"""Recording search at scale: p50/p95/p99 per typical supervisor query shape.

    python bench/bench_recordings.py [--rows 1000000] [--runs 60] [--url postgresql://...]

Generates the recordings (a year of calls, 50 agents, 200,000 customers, segmented notes)
in a fresh database of an embedded PostgreSQL (pgserver) with SQL set operations, then
times the server's own search path (callcenter.db.recordings.search: the page and the
total count in one read-only transaction) with varied parameters per shape.
Goals: p95 <= 50 ms for selective filters, <= 200 ms for partial phone digits.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.db.recordings import search
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
FROM generate_series(1, {agents}) g;
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
    to_tsvector('simple', notes)
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
    FROM generate_series(1, {rows}) g
) s;
SET session_replication_role = origin;
ANALYZE recordings;
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
    }


def pct(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(p / 100 * len(sorted_ms)))]


async def run(url: str, rows: int, runs: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
        started = time.perf_counter()
        await conn.execute(GENERATE.format(rows=rows, agents=AGENTS, customers=CUSTOMERS)
                           .replace("$w$", "('{" + ",".join(WORDS) + "}'::text[])"))
        print(f"generated {rows} recordings in {time.perf_counter() - started:.1f} s")
        await conn.execute("VACUUM ANALYZE recordings")
    finally:
        await conn.close()
    pool = await create_pool(url, min_size=1, max_size=2)
    rng = random.Random(1)
    try:
        print(f"{'shape':44} {'p50':>8} {'p95':>8} {'p99':>8}  mean rows / total")
        for name, make in shapes(datetime.now(UTC), rng).items():
            for _ in range(3):  # warm the cache and the connection
                await search(pool, make())
            times, found, totals = [], [], []
            for _ in range(runs):
                t0 = time.perf_counter()
                page, total = await search(pool, make())
                times.append((time.perf_counter() - t0) * 1000)
                found.append(len(page))
                totals.append(total)
            times.sort()
            print(f"{name:44} {pct(times, 50):7.1f}ms {pct(times, 95):7.1f}ms "
                  f"{pct(times, 99):7.1f}ms  {statistics.mean(found):.0f} / "
                  f"{statistics.mean(totals):.0f}")
    finally:
        await pool.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--url", help="an empty PostgreSQL database; default: embedded")
    args = parser.parse_args()
    print(f"{datetime.now():%Y-%m-%d}  {platform.node()}  {platform.python_implementation()} "
          f"{platform.python_version()}  rows={args.rows}  runs={args.runs}")
    if args.url:
        await run(args.url, args.rows, args.runs)
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-recordings-") as folder:
        server = await asyncio.to_thread(pgserver.get_server, Path(folder) / "pg",
                                         cleanup_mode="delete")
        try:
            await run(server.get_uri(), args.rows, args.runs)
        finally:
            server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
