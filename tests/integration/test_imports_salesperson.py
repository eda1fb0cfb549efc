"""The customers file's salesperson column (docs/imports.md) on the real PostgreSQL: it
is stored on the vehicle, a re-import with another name updates it (a blank cell keeps
it), and the follow-ups it concerns follow: the sales follow-up names the vehicle's
salesperson, the service follow-up the advisor of its visit's orders."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from callcenter.domain.imports import CUSTOMER_FIELDS, header_key
from tests.integration.test_imports import orders_file, run, vin, write_xlsx

HEADER = ["客户编号", "姓名", "手机", "车架号", "交车日期", "销售顾问"]


def customers(tmp_path: Path, *salespeople: str | None) -> Path:
    return write_xlsx(tmp_path / "customers.xlsx", [
        HEADER, *(["C001", "张伟", "13800138000", vin(n), "2025-06-25", name]
                  for n, name in enumerate(salespeople, 1))])


async def staff(pool: asyncpg.Pool) -> list[tuple[str, str | None, str | None]]:
    rows = await pool.fetch(
        "SELECT t.source_key, v.salesperson, t.staff FROM followup_tasks t"
        " JOIN vehicles v ON v.id = t.vehicle_id ORDER BY t.source_key")
    return [tuple(row) for row in rows]


def test_every_header_of_the_column_is_known() -> None:
    field = next(f for f in CUSTOMER_FIELDS if f.name == "salesperson")
    assert {header_key(a) for a in field.aliases} == {
        "销售顾问", "销售员", "销售", "salesperson", "salesconsultant"}


async def test_the_salesperson_is_imported_and_a_reimport_updates_it(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    report = await run(pool, customers(tmp_path, "周强", None))
    assert not report.errors and not report.warnings
    assert await staff(pool) == [(f"sales:{vin(1)}", "周强", "周强"),
                                 (f"sales:{vin(2)}", None, None)]

    report = await run(pool, customers(tmp_path, "钱敏", "孙丽"))
    assert report.vehicles.updated == 2
    assert await staff(pool) == [(f"sales:{vin(1)}", "钱敏", "钱敏"),
                                 (f"sales:{vin(2)}", "孙丽", "孙丽")]

    await run(pool, customers(tmp_path, None, None))  # blank cells keep what is known
    assert [s for _, s, _ in await staff(pool)] == ["钱敏", "孙丽"]


async def test_the_service_followup_names_the_visits_advisor(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    await run(pool, customers(tmp_path, "周强"))
    await run(pool, orders_file(tmp_path, [
        ["R1", "V1", "C001", vin(1), "保养", None, "2025-06-27 16:00", None, None, None],
        ["R2", "V1", "C001", vin(1), "维修", None, "2025-06-28 10:00", "Sun", None, None]]))
    task = "SELECT staff FROM followup_tasks WHERE source_key = 'service:V1'"
    assert await pool.fetchval(task) == "Sun"
    await run(pool, orders_file(tmp_path, [
        ["R1", "V1", "C001", vin(1), "保养", None, "2025-06-27 16:00", "Wu", None, None]]))
    assert await pool.fetchval(task) == "Wu"  # R1 was settled first
