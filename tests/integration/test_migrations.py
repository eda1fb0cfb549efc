"""Migrations on a real PostgreSQL: apply to an empty database, check the schema."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from callcenter.db.migrations import MigrationError, load_migrations, migrate

EXPECTED_TABLES = {
    "advisors", "appointment_slots", "appointments", "audit_log", "call_events",
    "call_legs", "calls", "complaint_escalations", "complaint_events", "complaints",
    "customer_phones", "customers", "dms_imports",
    "followup_attempts", "followup_tasks", "ivr_sessions", "login_throttle",
    "questionnaire_templates", "queue_log", "queue_log_file",
    "report_attempts", "report_calls", "report_completions", "report_followups",
    "report_pauses", "report_zone", "report_queue",
    "report_answers", "report_satisfaction", "report_staff_days", "report_staff_months",
    "customer_report_state", "region_names", "phone_regions", "report_customer_groups",
    "customer_visits", "report_visit_events",
    "recording_jobs", "recordings", "scheduler_runs", "schema_migrations",
    "service_orders", "sms_outbox", "vehicle_mileage_readings",
    "user_sessions", "users", "vehicles",
}


async def test_migrations_build_the_schema_on_an_empty_database(empty_db_url: str) -> None:
    conn = await asyncpg.connect(empty_db_url)
    try:
        applied = await migrate(conn)
        assert applied == [m.version for m in load_migrations()]
        tables = {r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert tables == EXPECTED_TABLES
        recorded = await conn.fetchval("SELECT count(*) FROM schema_migrations")
        assert recorded == len(applied)
        # Caller-ID lookups must be indexed.
        indexes = {r["indexname"] for r in await conn.fetch(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'customer_phones'")}
        assert "customer_phones_e164" in indexes
        # A second run applies nothing.
        assert await migrate(conn) == []
    finally:
        await conn.close()


async def test_concurrent_migrate_applies_each_migration_once(empty_db_url: str) -> None:
    conns = [await asyncpg.connect(empty_db_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        assert sorted(v for r in results for v in r) == [m.version for m in load_migrations()]
    finally:
        for c in conns:
            await c.close()


async def test_an_edited_applied_migration_is_refused(db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn)
    finally:
        await conn.close()


async def _slot(conn: asyncpg.Connection, capacity: int) -> int:
    return await conn.fetchval(
        "INSERT INTO appointment_slots (starts_at, ends_at, capacity)"
        " VALUES (now(), now() + interval '1 hour', $1) RETURNING id", capacity)


async def _customer_with_vehicle(conn: asyncpg.Connection, n: int) -> tuple[int, int]:
    customer = await conn.fetchval(
        "INSERT INTO customers (name) VALUES ($1) RETURNING id", f"c{n}")
    vehicle = await conn.fetchval(
        "INSERT INTO vehicles (customer_id, vin) VALUES ($1, $2) RETURNING id",
        customer, f"LSVAU2180N{n:07d}")
    return customer, vehicle


async def test_slot_capacity_is_enforced_by_postgresql(db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        slot = await _slot(conn, 2)
        owners = [await _customer_with_vehicle(conn, n) for n in range(3)]
        insert = ("INSERT INTO appointments (slot_id, customer_id, vehicle_id, work_kind, channel)"
                  " VALUES ($1, $2, $3, 'maintenance', 'ivr') RETURNING id")
        first = await conn.fetchval(insert, slot, *owners[0])
        await conn.fetchval(insert, slot, *owners[1])
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.fetchval(insert, slot, *owners[2])
        # Cancelling frees the place.
        await conn.execute("UPDATE appointments SET status = 'cancelled' WHERE id = $1", first)
        await conn.fetchval(insert, slot, *owners[2])
        assert await conn.fetchval("SELECT booked FROM appointment_slots WHERE id=$1", slot) == 2
    finally:
        await conn.close()


async def test_followup_answers_are_final_once_written(db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        customer, vehicle = await _customer_with_vehicle(conn, 1)
        task = await conn.fetchval(
            "INSERT INTO followup_tasks (kind, source_key, customer_id, vehicle_id, due_date)"
            " VALUES ('sales', 'sales:x', $1, $2, current_date) RETURNING id", customer, vehicle)
        await conn.execute(
            "UPDATE followup_tasks SET status='completed', answers='{\"q1\": 9}', score=9,"
            " result='satisfied', completed_at=now() WHERE id=$1", task)
        with pytest.raises(asyncpg.CheckViolationError, match="answers are final"):
            await conn.execute("UPDATE followup_tasks SET score=2 WHERE id=$1", task)
    finally:
        await conn.close()


async def test_phone_numbers_must_be_e164(db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        customer, _ = await _customer_with_vehicle(conn, 2)
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO customer_phones (customer_id, e164) VALUES ($1, '138 0013 8000')",
                customer)
    finally:
        await conn.close()
