"""The scheduler on a real PostgreSQL under an injected clock (docs/scheduler.md): 400
days of a scripted set of customers give exactly the expected tasks; a day done twice,
two servers at once, a missed week and a failing rule."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.scheduler import RunLedger
from callcenter.domain.maintenance import MaintenancePolicy
from callcenter.services.care import LostContact, MaintenanceReminders, WinBacks
from callcenter.services.scheduler import Rule, Scheduler

TZ = ZoneInfo("Asia/Shanghai")
START = date(2025, 1, 1)


class Clock:
    def __init__(self, day: date) -> None:
        self.at = datetime.combine(day, time(3, 0), TZ)

    def __call__(self) -> datetime:
        return self.at

    def set(self, day: date) -> None:
        self.at = datetime.combine(day, time(3, 0), TZ)


def rules() -> list[Rule]:
    return [LostContact(2, TZ), MaintenanceReminders(MaintenancePolicy(), TZ),
            WinBacks(12, TZ)]


def scheduler(pool: asyncpg.Pool, clock: Clock, the_rules: list[Rule] | None = None
              ) -> Scheduler:
    return Scheduler(RunLedger(pool), rules() if the_rules is None else the_rules, TZ,
                     catch_up_days=14, now=clock)


def local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), TZ)


async def customer(conn: asyncpg.Connection, name: str, phones: tuple[str, ...] = ()) -> int:
    cid: int = await conn.fetchval(
        "INSERT INTO customers (name, address) VALUES ($1, '深圳市南山区科技园1号') RETURNING id",
        name)
    for position, phone in enumerate(phones):
        await conn.execute("INSERT INTO customer_phones (customer_id, e164, position)"
                           " VALUES ($1, $2, $3)", cid, phone, position)
    return cid


async def vehicle(conn: asyncpg.Connection, cid: int, n: int, delivered: date) -> int:
    vid: int = await conn.fetchval(
        "INSERT INTO vehicles (customer_id, vin, delivery_date) VALUES ($1, $2, $3)"
        " RETURNING id", cid, f"LSVAU2180N{n:07d}", delivered)
    return vid


async def order(conn: asyncpg.Connection, cid: int, vid: int, n: int, settled: datetime,
                km: int) -> None:
    await conn.execute(
        "INSERT INTO service_orders (order_no, visit_no, customer_id, vehicle_id, kind,"
        " settled_at, mileage_km) VALUES ($1, $1, $2, $3, 'maintenance', $4, $5)",
        f"O{n}", cid, vid, settled, km)


async def failed_calls(conn: asyncpg.Connection, cid: int, phone: str, n: int,
                       at: datetime) -> None:
    task = await conn.fetchval(
        "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date)"
        " VALUES ('sales', $1, $2, $3) RETURNING id", f"sales:test{cid}{phone}",
        cid, at.date())
    for i in range(n):
        call = await conn.fetchval(
            "INSERT INTO calls (linkedid, direction, customer_id, callee_number, started_at,"
            " followup_task_id) VALUES ($1, 'outbound', $2, $3, $4, $5) RETURNING id",
            f"L{cid}{phone}{i}", cid, phone, at, task)
        await conn.execute("INSERT INTO followup_attempts (task_id, call_id, attempted_at,"
                           " result) VALUES ($1, $2, $3, 'unreachable')", task, call,
                           at + timedelta(minutes=i))


async def made_tasks(pool: asyncpg.Pool) -> set[tuple[str, str, date, str]]:
    rows = await pool.fetch(
        "SELECT t.kind, c.name, t.due_date, t.source_key FROM followup_tasks t"
        " JOIN customers c ON c.id = t.customer_id"
        " WHERE t.kind IN ('maintenance_reminder', 'win_back')")
    return {(r["kind"], r["name"], r["due_date"], r["source_key"].split(":")[-1])
            for r in rows}


async def test_four_hundred_days_make_exactly_the_expected_tasks(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        a = await customer(conn, "A", ("+8613800000001",))
        await vehicle(conn, a, 1, date(2024, 12, 22))  # months first: 2025-06-22
        b = await customer(conn, "B", ("+8613800000002",))
        vb = await vehicle(conn, b, 2, date(2024, 12, 2))
        # 3,000 km in 29 days: 5,000 km on 2025-01-20, long before six months
        await conn.execute("INSERT INTO vehicle_mileage_readings (vehicle_id, km, read_at)"
                           " VALUES ($1, 3000, $2)", vb, local(date(2024, 12, 31)))
        c = await customer(conn, "C", ("+8613800000003", "+8613900000003"))
        await vehicle(conn, c, 3, date(2024, 12, 25))
        d = await customer(conn, "D", ("+8613800000004", "+8613900000004"))
        e = await customer(conn, "E", ("+8613800000005",))
        await vehicle(conn, e, 5, date(2023, 6, 1))  # long gone: beyond every lookback
        f = await customer(conn, "F", ("+8613800000006",))
        await vehicle(conn, f, 6, date(2024, 6, 20))  # first service due 2024-12-20
    clock = Clock(START)
    daily = scheduler(pool, clock)
    for offset in range(400):
        day = START + timedelta(days=offset)
        clock.set(day)
        results = await daily.wake()
        assert [r.error for r in results if r.error] == []
        async with pool.acquire() as conn:
            if day == date(2025, 1, 18):  # B comes in at 4,800 km: the reminder is done
                await order(conn, b, vb, 1, local(day), 4800)
                await conn.execute("UPDATE followup_tasks SET status = 'cancelled'"
                                   " WHERE customer_id = $1", b)
            if day == date(2025, 3, 10):  # both of C's phones fail twice; one of D's
                await failed_calls(conn, c, "+8613800000003", 2, local(day))
                await failed_calls(conn, c, "+8613900000003", 2, local(day, 11))
                await failed_calls(conn, d, "+8613800000004", 2, local(day))
    assert await made_tasks(pool) == {
        ("maintenance_reminder", "A", date(2025, 6, 15), "2025-06-22"),
        ("win_back", "A", date(2025, 12, 22), "2024-12-22"),
        ("maintenance_reminder", "B", date(2025, 1, 13), "2025-01-20"),
        # 4,800 km in 47 days: 14,800 km 98 days after the service
        ("maintenance_reminder", "B", date(2025, 4, 19), "2025-04-26"),
        ("win_back", "B", date(2026, 1, 18), "2025-01-18"),
        ("maintenance_reminder", "F", date(2025, 1, 1), "2024-12-20"),
        ("win_back", "F", date(2025, 6, 20), "2024-06-20"),
    }
    lost = await pool.fetch("SELECT name, lost_contact_at FROM customers"
                            " WHERE lost_contact_at IS NOT NULL")
    assert [(r["name"], r["lost_contact_at"]) for r in lost] == [
        ("C", local(date(2025, 3, 11), 0))]
    assert await pool.fetchval("SELECT next_maintenance_date FROM customers WHERE id = $1",
                               b) == date(2025, 4, 26)
    assert await pool.fetchval("SELECT count(*) FROM scheduler_runs WHERE finished_at"
                               " IS NOT NULL") == 3 * 400
    # The same day again, by this scheduler or a fresh one: nothing owed, nothing new.
    before = await made_tasks(pool)
    assert await daily.run_through(clock().date()) == []
    assert await scheduler(pool, clock).wake() == []
    # Even with its ledger rows gone, each rule is idempotent by its own keys.
    await pool.execute("DELETE FROM scheduler_runs WHERE day = $1", clock().date())
    again = await scheduler(pool, clock).run_through(clock().date())
    assert [r.made for r in again] == [0, 0, 0]
    assert await made_tasks(pool) == before


async def test_two_servers_at_once_do_the_day_once(pool: asyncpg.Pool, db_url: str) -> None:
    async with pool.acquire() as conn:
        f = await customer(conn, "F", ("+8613800000006",))
        await vehicle(conn, f, 6, date(2024, 6, 20))
    other = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        clock = Clock(START)
        first, second = await asyncio.gather(scheduler(pool, clock).wake(),
                                             scheduler(other, clock).wake())
    finally:
        await other.close()
    made = [r.made for r in [*first, *second] if r.rule == "maintenance_reminder"]
    assert sorted(made, key=lambda m: -1 if m is None else m) == [None, 1]
    assert len(await made_tasks(pool)) == 1


async def test_a_missed_week_is_caught_up(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        a = await customer(conn, "A", ("+8613800000001",))
        await vehicle(conn, a, 1, date(2024, 7, 14))  # reminder day 2025-01-07
    clock = Clock(START)
    daily = scheduler(pool, clock)
    await daily.wake()
    clock.set(START + timedelta(days=8))  # the server was down from the 2nd to the 8th
    results = await scheduler(pool, clock).wake()
    assert sorted({r.day for r in results}) == [START + timedelta(days=n) for n in range(1, 9)]
    assert await made_tasks(pool) == {
        ("maintenance_reminder", "A", date(2025, 1, 7), "2025-01-14")}


async def test_a_day_before_the_catch_up_bound_is_skipped(pool: asyncpg.Pool) -> None:
    clock = Clock(START)
    await scheduler(pool, clock).wake()
    clock.set(START + timedelta(days=30))
    results = await scheduler(pool, clock).wake()
    assert min(r.day for r in results) == START + timedelta(days=30 - 13)


class Flaky:
    name = "flaky"

    def __init__(self) -> None:
        self.calls = 0

    async def run(self, conn: asyncpg.Connection, day: date) -> int:
        self.calls += 1
        await conn.execute("INSERT INTO advisors (name) VALUES ('written then rolled back')")
        if self.calls == 1:
            raise RuntimeError("the rule broke")
        await conn.execute("DELETE FROM advisors")
        return 7


async def test_a_failing_rule_is_retried_and_blocks_no_other(pool: asyncpg.Pool) -> None:
    flaky = Flaky()
    clock = Clock(START)
    daily = scheduler(pool, clock, [flaky, WinBacks(12, TZ)])
    results = await daily.wake()
    assert [(r.rule, r.made, r.error) for r in results] == [
        ("flaky", None, "RuntimeError: the rule broke"), ("win_back", 0, None)]
    row = await pool.fetchrow("SELECT * FROM scheduler_runs WHERE rule = 'flaky'")
    assert (row["finished_at"], row["failures"], row["error"]) == (
        None, 1, "RuntimeError: the rule broke")
    assert await pool.fetchval("SELECT count(*) FROM advisors") == 0  # rolled back
    clock.at += timedelta(minutes=1)  # the next wake
    results = await daily.wake()
    assert [(r.rule, r.made) for r in results] == [("flaky", 7)]
    row = await pool.fetchrow("SELECT * FROM scheduler_runs WHERE rule = 'flaky'")
    assert (row["made"], row["error"], row["failures"]) == (7, None, 1)
    assert await daily.wake() == []


async def test_tasks_inserted_together_sum_into_the_reports_as_a_rebuild(
        pool: asyncpg.Pool) -> None:
    """A rule's one INSERT of many tasks (migration 0021's statement trigger) leaves the
    report summaries a rebuild from every task gives."""
    async with pool.acquire() as conn:
        cid = await customer(conn, "R")
        await conn.execute(
            "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date, status,"
            " completed_at, result, attempts, score)"
            " SELECT (ARRAY['win_back', 'maintenance_reminder'])[1 + n % 2], 'r:' || n, $1,"
            "        DATE '2025-03-01' + n % 3,"
            "        (ARRAY['open', 'completed', 'sms', 'cancelled'])[1 + n % 4],"
            "        CASE WHEN n % 4 = 1 THEN TIMESTAMPTZ '2025-03-02 10:00+08' END,"
            "        CASE WHEN n % 4 = 1 THEN 'satisfied' END,"
            "        n % 3, CASE WHEN n % 4 = 1 THEN n END"
            " FROM generate_series(1, 40) n", cid)

    async def summaries() -> list[set[tuple[object, ...]]]:
        return [{tuple(r.values()) for r in await pool.fetch(f"SELECT * FROM {table}")}
                for table in ("report_followups", "report_completions")]

    kept = await summaries()
    assert kept[0] and kept[1]
    await pool.execute("SELECT reports_rebuild()")
    assert await summaries() == kept
