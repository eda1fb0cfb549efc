"""The maintenance rule in SQL (care.sql ``recompute_stale``, the scheduler's bulk
recompute) gives the same day as domain/maintenance.py ``next_maintenance`` (the rule as
written, used for a single reading told during a call), over random histories: no
delivery or only a sale date, maintenance orders with and without km, other orders'
readings, readings told during calls, before and after the last service."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db import care
from callcenter.domain.maintenance import MaintenancePolicy, next_maintenance

TZ = ZoneInfo("Asia/Shanghai")
VEHICLES = 250  # enough shapes to catch a rule that differs; each row runs every trigger


async def random_fleet(conn: asyncpg.Connection, rng: random.Random) -> list[int]:
    cid = await conn.fetchval("INSERT INTO customers (name) VALUES ('fleet') RETURNING id")
    ids = []
    minute = 0
    for n in range(VEHICLES):
        delivered = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
        shape = rng.random()
        vid = await conn.fetchval(
            "INSERT INTO vehicles (customer_id, vin, delivery_date, sale_date)"
            " VALUES ($1, $2, $3, $4) RETURNING id", cid, f"LSVSML{n:011d}",
            None if shape < 0.15 else delivered, delivered if shape < 0.1 else None)
        ids.append(vid)
        for k in range(rng.randrange(4)):
            minute += 1  # distinct times: which order is the last one is never a tie
            settled = datetime.combine(delivered + timedelta(days=rng.randrange(-5, 700)),
                                       time(8), TZ) + timedelta(minutes=minute)
            await conn.execute(
                "INSERT INTO service_orders (order_no, visit_no, customer_id, vehicle_id,"
                " kind, settled_at, mileage_km) VALUES ($1, $1, $2, $3, $4, $5, $6)",
                f"S{n}-{k}", cid, vid, rng.choice(["maintenance", "maintenance", "repair"]),
                settled, None if rng.random() < 0.2 else rng.randrange(0, 40_000))
        for _ in range(rng.randrange(3)):
            minute += 1
            read_at = datetime.combine(delivered + timedelta(days=rng.randrange(-3, 800)),
                                       time(23, 30), TZ) + timedelta(minutes=minute)
            await conn.execute("INSERT INTO vehicle_mileage_readings (vehicle_id, km, read_at)"
                               " VALUES ($1, $2, $3)", vid, rng.randrange(0, 50_000), read_at)
    return ids


async def test_sql_and_python_rules_agree(pool: asyncpg.Pool) -> None:
    rng = random.Random(13)
    policies = [MaintenancePolicy(), MaintenancePolicy(3000, 3, 7500, 6, 7)]
    async with pool.acquire() as conn:
        ids = await random_fleet(conn, rng)
        for policy in policies:
            await conn.execute("UPDATE vehicles SET maintenance_stale = true")
            async with conn.transaction():
                computed = await care.recompute_stale(conn, TZ.key, policy)
            assert sorted(computed) == sorted(ids)
            by_sql = {r["id"]: r["maintenance_due"] for r in await conn.fetch(
                "SELECT id, maintenance_due FROM vehicles WHERE NOT maintenance_stale")}
            by_python = {}
            for vid in ids:
                history = await care.vehicle_history(conn, vid, TZ.key)
                assert history is not None
                by_python[vid] = next_maintenance(history, policy)
            assert by_sql == by_python
            assert sum(due is None for due in by_sql.values()) > 0  # the shapes were there
            # The customer's date is the earliest of its vehicles'.
            assert await conn.fetchval("SELECT next_maintenance_date FROM customers") == min(
                due for due in by_sql.values() if due is not None)
