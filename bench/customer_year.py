"""The customers report's share of bench/bench_reports.py: the group's 300,000 customers
made whole (value level, temperament, an address for 70 %, a mobile each), 1.2 vehicles
each over twelve models and eleven years of deliveries, three years of service visits
(four a customer on average: the fifth who come most about ten, the others two or
three) and a year of win-back calls; the rebuild of migration 0016's summaries
(timed); what a service order's insert costs with its triggers; and the report's shapes.

    customer_year.generate(customers)

runs inside the year's bulk load (triggers off), before reports_rebuild().
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.customer_report import CustomerReportStore
from callcenter.db.database import create_pool
from callcenter.domain.customer_report import PROVINCES
from callcenter.services import customer_report

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = date(2026, 11, 30)
MODELS = ("轩逸", "天籁", "奇骏", "逍客", "楼兰", "途达", "劲客", "骐达", "蓝鸟", "阳光",
          "西玛", "艾睿泽")

GENERATE = """
SET session_replication_role = replica;
SELECT setseed(0.16);
UPDATE customers c SET
    value_level = CASE WHEN x.r < 0.05 THEN 'vip' WHEN x.r < 0.20 THEN 'key' ELSE 'normal' END,
    temperament = (ARRAY['decisive', 'sociable', 'analytical', 'venting', 'cautious',
                         NULL, NULL])[1 + (random() * 6)::int],
    address = CASE WHEN random() < 0.7 THEN
        (ARRAY[{provinces}])[1 + (random() * {province_count} - 0.5)::int]
        || '某市某区' || (c.id % 500) || '号' END
FROM (SELECT id, random() AS r FROM customers) AS x
WHERE x.id = c.id;
INSERT INTO customer_phones (customer_id, e164, position)
SELECT id, '+861' || (30 + (random() * 59)::int)
           || lpad((random() * 99999999)::int::text, 8, '0'), 0
FROM customers;
INSERT INTO vehicles (id, customer_id, vin, model, delivery_date, sale_date)
SELECT g, CASE WHEN g <= {customers} THEN g ELSE 1 + (random() * ({customers} - 1))::int END,
       'LBENCH' || lpad(g::text, 11, '0'),
       (ARRAY[{models}])[1 + (random() * {model_count} - 0.5)::int],
       CASE WHEN random() < 0.95 THEN date '2015-12-01' + (random() * 4017)::int END,
       NULL
FROM generate_series(1, ({customers} * 1.2)::int) g;
INSERT INTO service_orders (order_no, visit_no, customer_id, vehicle_id, kind, settled_at)
SELECT 'RO' || g, 'V' || g, c, c,
       (ARRAY['maintenance', 'repair', 'warranty', 'accident', 'other'])[1 + (random() * 4)::int],
       timestamptz '2023-12-01 09:00:00+08' + random() * interval '1095 days'
FROM (SELECT g, 1 + (random() * (CASE WHEN random() < 0.4 THEN {customers} / 5
                                         ELSE {customers} END - 1))::int AS c
      FROM generate_series(1, {orders}) g) AS o;
INSERT INTO followup_tasks (kind, source_key, customer_id, due_date, status, completed_at,
                            completed_by, result)
SELECT 'win_back', 'win_back:bench:' || g, 1 + (random() * ({customers} - 1))::int,
       d::date, 'completed', d + interval '10 hours', 1 + (random() * 49)::int, 'satisfied'
FROM (SELECT g, timestamptz '2025-12-01 00:00:00+08'
                    + (random() * 364)::int * interval '1 day' AS d
      FROM generate_series(1, {win_backs}) g) AS w;
SELECT setval('vehicles_id_seq', ({customers} * 1.2)::int);
SET session_replication_role = DEFAULT;
"""


def generate(customers: int) -> str:
    quoted = ", ".join(f"'{name}'" for name in PROVINCES)
    return GENERATE.format(customers=customers, orders=customers * 4,
                           win_backs=max(1, customers // 15), provinces=quoted,
                           province_count=len(PROVINCES),
                           models=", ".join(f"'{m}'" for m in MODELS), model_count=len(MODELS))


async def rebuild(url: str) -> None:
    """Migration 0016's regions and summaries from the rows, as a server's first start
    makes them; its time and the summaries' sizes."""
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        started = time.perf_counter()
        await customer_report.prepare(CustomerReportStore(pool))
        took = time.perf_counter() - started
        sizes = {table: await pool.fetchval(f"SELECT count(*) FROM {table}") for table in (
            "service_orders", "customer_visits", "report_visit_events",
            "report_customer_groups", "phone_regions")}
        print(f"customers report: regions and summaries rebuilt in {took:.1f} s; "
              + ", ".join(f"{table} {rows:,}" for table, rows in sizes.items()))
    finally:
        await pool.close()


async def visit_cost(url: str, rows: int) -> None:
    """A service order settled (an insert, as the import writes one) with the visit and
    region triggers and without them, one statement at a time; rolled back."""
    conn = await asyncpg.connect(url)
    try:
        customers = [r["id"] for r in await conn.fetch(
            "SELECT customer_id AS id FROM service_orders GROUP BY 1 ORDER BY count(*) DESC,"
            " 1 LIMIT $1", rows)]
        insert = ("INSERT INTO service_orders (order_no, visit_no, customer_id, vehicle_id,"
                  " kind, settled_at) VALUES ($1, $1, $2, $2, 'maintenance', now())")
        for role in ("replica", "origin"):
            tr = conn.transaction()
            await tr.start()
            await conn.execute(f"SET LOCAL session_replication_role = {role}")
            started = time.perf_counter()
            for n, customer in enumerate(customers):
                await conn.execute(insert, f"bench-cost-{n}", customer)
            ms = (time.perf_counter() - started) * 1000 / len(customers)
            await tr.rollback()
            label = "with the summary triggers" if role == "origin" else "without triggers"
            print(f"  {label:26}: a service order of a frequent customer {ms:.3f} ms "
                  f"(mean of {len(customers):,})")
    finally:
        await conn.close()


def shapes(pool: asyncpg.Pool) -> list[tuple[str, Callable[[int], Awaitable[Any]]]]:
    store = CustomerReportStore(pool)

    def report(by: str, lost_months: int = 12, *, months_back: bool = False
               ) -> Callable[[int], Awaitable[Any]]:
        def call(n: int) -> Awaitable[Any]:
            as_of = date(2025 + (11 + n % 12) // 12, 1 + (11 + n % 12) % 12, 15) \
                if months_back else AS_OF
            return customer_report.customers_report(store, as_of, by, lost_months, SHANGHAI)
        return call

    return [
        ("customers, by value level", report("value_level")),
        ("customers, by region", report("region")),
        ("customers, by vehicle model", report("model")),
        ("customers, by vehicle age", report("age")),
        ("customers, by visits, lost 12 months", report("visits")),
        ("customers, by visits, lost 24 months", report("visits", 24)),
        ("customers, by visits, as of days of the year", report("visits", 3,
                                                                months_back=True)),
    ]
