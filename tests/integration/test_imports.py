"""Spreadsheet imports against a real PostgreSQL: files are generated in each test."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import openpyxl
import pytest

from callcenter.db import imports as repo
from callcenter.domain.imports import WarningCode
from callcenter.services.imports import (
    Counts,
    ImportFailed,
    ImportRejected,
    ImportReport,
    import_file,
)

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 6, 30)
EN_HEADER = ["Customer No", "Name", "Phone", "Phone 2", "Gender", "Birthday", "Value level",
             "Temperament", "Do not disturb", "Address", "VIN", "Plate", "Model",
             "Sale date", "Delivery date", "Mileage"]
ORDER_HEADER = ["Order No", "Visit No", "Customer No", "VIN", "Kind", "Opened at",
                "Settled at", "Advisor", "Mileage", "Amount"]


def vin(n: int) -> str:
    return f"LSVAU2180N2{n:06d}"


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        csv.writer(out).writerows(rows)
    return path


async def run(pool: asyncpg.Pool, path: Path, today: date = TODAY) -> ImportReport:
    return await import_file(pool, path, region="CN", tz=TZ, today=today)


async def rejected(pool: asyncpg.Pool, path: Path) -> ImportReport:
    with pytest.raises(ImportRejected) as caught:
        await run(pool, path)
    assert caught.value.error_id == "import_rejected"
    return caught.value.report


async def table_counts(pool: asyncpg.Pool) -> dict[str, int]:
    return {t: await pool.fetchval(f"SELECT count(*) FROM {t}")
            for t in ("customers", "customer_phones", "vehicles", "service_orders",
                      "followup_tasks")}


def customers_file(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "customers.xlsx", [
        EN_HEADER,
        ["C001", "Zhang Wei", "138 0013 8000 / 010-12345678", None, "male",
         datetime(1985, 4, 12), "VIP", "analytical", "no", "Beijing", vin(1), "京A·12345",
         "Sagitar", datetime(2025, 6, 18), datetime(2025, 6, 20), 12],
        ["C001", "Zhang Wei", "+86 138-0013-8000", "13900139000", None, None, None, None,
         None, None, vin(2), "京B 54321", "Tiguan L", "2025/6/25", None, None],
        ["C002", "Li Na", 13700137000, None, "F", "1990-01-02", "normal", None, "Y",
         None, vin(3), None, "Passat", "20200110", "2020年1月15日", 30000],
    ])


async def test_customers_xlsx_imports_customers_phones_vehicles_and_followups(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    report = await run(pool, customers_file(tmp_path))

    assert not report.errors
    assert report.total_rows == 3
    assert report.customers == Counts(created=2)
    assert report.vehicles == Counts(created=3)
    assert report.phones_added == 4
    # C002's car was delivered in 2020: far past the lookback, no follow-up for it.
    assert report.followups_created == 2
    zhang = await pool.fetchrow("SELECT * FROM customers WHERE external_ref = 'C001'")
    assert (zhang["name"], zhang["gender"], zhang["birthday"], zhang["value_level"],
            zhang["temperament"], zhang["do_not_disturb"]) == (
        "Zhang Wei", "male", date(1985, 4, 12), "vip", "analytical", False)
    li = await pool.fetchrow("SELECT * FROM customers WHERE external_ref = 'C002'")
    assert (li["gender"], li["do_not_disturb"], li["value_level"]) == ("female", True, "normal")
    phones = await pool.fetch(
        "SELECT c.external_ref, p.e164 FROM customer_phones p JOIN customers c "
        "ON c.id = p.customer_id ORDER BY c.external_ref, p.position")
    assert [tuple(p) for p in phones] == [
        ("C001", "+8613800138000"), ("C001", "+861012345678"), ("C001", "+8613900139000"),
        ("C002", "+8613700137000")]
    vehicles = await pool.fetch("SELECT vin, plate, sale_date, delivery_date, mileage_km "
                                "FROM vehicles ORDER BY vin")
    assert [tuple(v) for v in vehicles] == [
        (vin(1), "京A12345", date(2025, 6, 18), date(2025, 6, 20), 12),
        (vin(2), "京B54321", date(2025, 6, 25), None, None),
        (vin(3), None, date(2020, 1, 10), date(2020, 1, 15), 30000)]
    tasks = await pool.fetch(
        "SELECT t.kind, t.source_key, t.due_date, t.status, c.external_ref, v.vin "
        "FROM followup_tasks t JOIN customers c ON c.id = t.customer_id "
        "JOIN vehicles v ON v.id = t.vehicle_id ORDER BY t.source_key")
    assert [tuple(t) for t in tasks] == [
        ("sales", f"sales:{vin(1)}", date(2025, 6, 27), "open", "C001", vin(1)),
        ("sales", f"sales:{vin(2)}", date(2025, 7, 2), "open", "C001", vin(2))]


async def test_reimport_of_the_same_file_changes_nothing(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    path = customers_file(tmp_path)
    await run(pool, path)
    snapshot_sql = {
        "customers": "SELECT id, xmin::text, updated_at FROM customers ORDER BY id",
        "customer_phones": "SELECT id, xmin::text FROM customer_phones ORDER BY id",
        "vehicles": "SELECT id, xmin::text FROM vehicles ORDER BY id",
        "followup_tasks": "SELECT id, xmin::text FROM followup_tasks ORDER BY id",
    }
    before = {t: [tuple(r) for r in await pool.fetch(q)] for t, q in snapshot_sql.items()}

    again = await run(pool, path)

    assert again.customers == Counts(unchanged=2)
    assert again.vehicles == Counts(unchanged=3)
    assert (again.phones_added, again.followups_created, again.followups_updated) == (0, 0, 0)
    after = {t: [tuple(r) for r in await pool.fetch(q)] for t, q in snapshot_sql.items()}
    assert after == before


async def test_corrected_file_updates_and_keeps_hand_entered_data(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    await run(pool, customers_file(tmp_path))
    customer_id = await pool.fetchval("SELECT id FROM customers WHERE external_ref = 'C002'")
    # An agent added a number by hand; the next export does not know it.
    await pool.execute("INSERT INTO customer_phones (customer_id, e164, position) "
                       "VALUES ($1, '+8618600186000', 5)", customer_id)
    corrected = write_xlsx(tmp_path / "corrected.xlsx", [
        EN_HEADER,
        # New surname spelling and a new phone; blank birthday keeps the stored one.
        ["C002", "Li Na-Wang", "13700137000, 13600136000", None, None, None, "key", None,
         None, None, vin(3), None, "Passat", "20200110", "2020年1月15日", 30000],
    ])

    report = await run(pool, corrected)

    assert report.customers == Counts(updated=1)
    assert report.vehicles == Counts(unchanged=1)
    assert report.phones_added == 1
    row = await pool.fetchrow("SELECT name, birthday, value_level, gender, do_not_disturb, "
                              "updated_at > created_at AS touched FROM customers WHERE id = $1",
                              customer_id)
    assert tuple(row) == ("Li Na-Wang", date(1990, 1, 2), "key", "female", True, True)
    phones = await pool.fetch("SELECT e164 FROM customer_phones WHERE customer_id = $1 "
                              "ORDER BY e164", customer_id)
    assert [p["e164"] for p in phones] == ["+8613600136000", "+8613700137000",
                                           "+8618600186000"]


async def test_bad_rows_import_nothing_and_every_one_is_reported(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", [
        EN_HEADER,
        ["C001", "Zhang Wei", "13800138000", None, None, None, None, None, None, None,
         vin(1), None, None, "2025-06-01", None, None],
        ["C002", "Li Na", "1380013800", None, None, "1990-13-01", "gold", None, "maybe",
         None, vin(2), None, None, None, None, -5],
        ["C003", None, "13700137000", None, None, None, None, None, None, None,
         vin(1), None, None, None, None, None],
        ["C004", "Wang Fang", None, None, "x", None, None, None, None, None,
         "LSVAU2180O2000004", None, None, "2025-06-10", "2025-06-01", None],
        [None, "Nobody", "13700137000"],
    ])

    report = await rejected(pool, path)

    got = [(e.line, e.column, e.value) for e in report.errors]
    assert got == [
        (3, "Phone", "1380013800"),
        (3, "Birthday", "1990-13-01"),
        (3, "Value level", "gold"),
        (3, "Do not disturb", "maybe"),
        (3, "Mileage", "-5"),
        (4, "Name", ""),
        (4, "VIN", vin(1)),
        (5, "Gender", "x"),
        (5, "VIN", "LSVAU2180O2000004"),
        (5, "Delivery date", "2025-06-01"),
        (6, "Customer No", ""),
    ]
    reasons = {(e.line, e.column): e.reason for e in report.errors}
    assert "not a valid phone number" in reasons[3, "Phone"]
    assert reasons[3, "Birthday"] == "no such date"
    assert "unknown value level" in reasons[3, "Value level"]
    assert reasons[4, "Name"] == "missing required value"
    assert reasons[4, "VIN"] == "duplicate VIN: already on line 2"
    assert "I, O or Q" in reasons[5, "VIN"]
    assert "before the sale date" in reasons[5, "Delivery date"]
    assert await table_counts(pool) == dict.fromkeys(await table_counts(pool), 0)
    text = report.format_text()
    assert "REJECTED, nothing was imported: 11 problems in 4 rows" in text
    assert "line 4, VIN ('LSVAU2180N2000001'): duplicate VIN: already on line 2" in text


async def test_chinese_headers_and_values(pool: asyncpg.Pool, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "客户.xlsx", [
        ["客户清单（2025年6月）"],  # a title row above the header
        ["客户编号", "客户姓名", "手机", "联系电话", "性别", "出生日期", "客户等级", "性格",
         "免打扰", "地址", "车架号", "车牌号", "车型", "购车日期", "交付日期", "公里数", "备注"],
        ["K100", "王芳", "１３９ ００１３ ９０００", "(021) 1234 5678", "女", "1988年8月8日",
         "重点", "谨慎型", "是", "上海市", vin(7), "沪C12345", "帕萨特", "2025年6月20日",
         "2025-06-22", "1,200 km", "老客户"],
    ])

    report = await run(pool, path)

    assert not report.errors
    assert [(w.code, w.names) for w in report.warnings] == [
        (WarningCode.UNKNOWN_COLUMNS, ("备注",))]
    row = await pool.fetchrow("SELECT * FROM customers")
    assert (row["external_ref"], row["name"], row["gender"], row["birthday"],
            row["value_level"], row["temperament"], row["do_not_disturb"]) == (
        "K100", "王芳", "female", date(1988, 8, 8), "key", "cautious", True)
    phones = await pool.fetch("SELECT e164 FROM customer_phones ORDER BY position")
    assert [p["e164"] for p in phones] == ["+8613900139000", "+862112345678"]
    assert await pool.fetchval("SELECT due_date FROM followup_tasks") == date(2025, 6, 29)
    assert await pool.fetchval("SELECT mileage_km FROM vehicles") == 1200


async def test_gb18030_csv(pool: asyncpg.Pool, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", [
        ["客户编号", "姓名", "电话", "车架号", "车型", "销售日期"],
        ["8001", "赵磊", "0086 13800138000；13900139000", vin(9), "迈腾", "2025/6/28"],
    ], encoding="gb18030")
    assert "赵磊".encode("gb18030") in path.read_bytes()

    report = await run(pool, path)

    assert not report.errors
    assert await pool.fetchval("SELECT name FROM customers WHERE external_ref = '8001'") == "赵磊"
    assert await pool.fetchval("SELECT model FROM vehicles") == "迈腾"
    assert await pool.fetchval("SELECT count(*) FROM customer_phones") == 2
    assert await pool.fetchval("SELECT due_date FROM followup_tasks") == date(2025, 7, 5)


def vinless_file(tmp_path: Path) -> Path:
    # A dealership's short list: plates and models, but no VIN to tell the cars apart.
    return write_xlsx(tmp_path / "plates.xlsx", [
        ["客户编号", "姓名", "手机", "车牌号", "车型", "备注"],
        ["C001", "张伟", "13800138000", "京A12345", "速腾", "老客户"],
        ["C002", "李娜", "13900139000", "京B54321", "迈腾", None],
    ])


async def test_plates_and_models_without_a_vin_column_are_reported_not_dropped(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    report = await run(pool, vinless_file(tmp_path))

    assert not report.errors
    assert report.customers == Counts(created=2) and report.vehicles == Counts()
    assert [(w.code, w.names) for w in report.warnings] == [
        (WarningCode.UNKNOWN_COLUMNS, ("备注",)),
        (WarningCode.VEHICLE_COLUMNS_WITHOUT_VIN, ("车牌号", "车型"))]
    assert await pool.fetchval("SELECT count(*) FROM customers") == 2
    assert await pool.fetchval("SELECT count(*) FROM vehicles") == 0


async def test_the_command_prints_the_warnings(db_url: str, tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "callcenter", "import", str(vinless_file(tmp_path)),
        env={**os.environ, "CALLCENTER_DATABASE_URL": db_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()

    assert proc.returncode == 0, err.decode()
    assert ("  warning [vehicle_columns_without_vin]: vehicle columns without a VIN column, "
            "not imported: '车牌号', '车型'; add a 车架号/VIN column to import the vehicles"
            ) in out.decode().splitlines()


def orders_file(tmp_path: Path, rows: list[list[object]]) -> Path:
    return write_xlsx(tmp_path / "orders.xlsx", [ORDER_HEADER, *rows])


async def test_service_orders_of_unknown_customers_or_vehicles_are_reported(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    await run(pool, customers_file(tmp_path))
    path = orders_file(tmp_path, [
        ["R1", "V1", "C001", vin(1), "保养", "2025-06-27 09:00", "2025-06-27 16:00",
         "Sun", 5000, "680.00"],
        ["R2", "V2", "C999", vin(1), "repair", None, "2025-06-27 16:00", None, None, None],
        ["R3", "V3", "C001", vin(99), "repair", None, "2025-06-27 16:00", None, None, None],
        ["R4", "V4", "C002", vin(1), "repair", None, "2025-06-27 16:00", None, None, None],
    ])
    before = await table_counts(pool)

    report = await rejected(pool, path)

    assert [(e.line, e.column, e.value, e.reason) for e in report.errors] == [
        (3, "Customer No", "C999", "unknown customer: import the customer file first"),
        (4, "VIN", vin(99), "unknown vehicle: import the customer file first"),
        (5, "VIN", vin(1), "vehicle belongs to customer C001"),
    ]
    assert await table_counts(pool) == before


async def test_orders_of_one_visit_make_one_service_followup(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    await run(pool, customers_file(tmp_path))
    path = orders_file(tmp_path, [
        ["R1", "V1", "C001", vin(1), "保养", "2025-06-27 09:00", "2025-06-27 16:00",
         "Sun", 5000, "680.00"],
        # Settled at 23:30 local time: still the 28th in the dealership's calendar.
        ["R2", "V1", "C001", vin(1), "维修", "2025-06-27 09:05",
         datetime(2025, 6, 28, 23, 30), "Sun", 5000, 1200.5],
        ["R3", "V1", "C001", vin(1), "warranty", None, "2025年6月27日 10:00", None, None, 0],
        ["R4", "V9", "C002", vin(3), "accident", None, "2025-01-05", None, None, None],
    ])

    report = await run(pool, path)

    assert report.orders == Counts(created=4)
    # V9 was settled in January: past the lookback, no follow-up.
    assert report.followups_created == 1
    tasks = await pool.fetch("SELECT kind, source_key, visit_no, due_date FROM followup_tasks "
                             "WHERE kind = 'service'")
    assert [tuple(t) for t in tasks] == [("service", "service:V1", "V1", date(2025, 7, 1))]
    orders = await pool.fetch("SELECT order_no, kind, amount, settled_at FROM service_orders "
                              "ORDER BY order_no")
    assert [(o["order_no"], o["kind"], str(o["amount"])) for o in orders] == [
        ("R1", "maintenance", "680.00"), ("R2", "repair", "1200.50"),
        ("R3", "warranty", "0.00"), ("R4", "accident", "None")]
    assert orders[1]["settled_at"] == datetime(2025, 6, 28, 23, 30, tzinfo=TZ)

    again = await run(pool, path)

    assert again.orders == Counts(unchanged=4)
    assert (again.followups_created, again.followups_updated) == (0, 0)


async def test_an_order_added_to_a_visit_later_moves_its_open_followup(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    await run(pool, customers_file(tmp_path))
    await run(pool, orders_file(tmp_path, [
        ["R1", "V1", "C001", vin(1), "保养", None, "2025-06-27 16:00", None, None, None]]))
    report = await run(pool, orders_file(tmp_path, [
        ["R2", "V1", "C001", vin(1), "维修", None, "2025-06-29 10:00", None, None, None]]))

    assert (report.followups_created, report.followups_updated) == (0, 1)
    assert await pool.fetchval(
        "SELECT due_date FROM followup_tasks WHERE source_key = 'service:V1'") == date(2025, 7, 2)


async def test_a_write_failure_leaves_nothing(
        pool: asyncpg.Pool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*_: object) -> None:
        raise asyncpg.CheckViolationError("refused for the test")

    monkeypatch.setattr(repo, "write_followups", refuse)

    with pytest.raises(ImportFailed, match="nothing was written"):
        await run(pool, customers_file(tmp_path))

    assert await table_counts(pool) == dict.fromkeys(await table_counts(pool), 0)


async def test_progress_is_reported(pool: asyncpg.Pool, tmp_path: Path) -> None:
    rows: list[list[object]] = [["customer_no", "name", "phone"]]
    rows += [[f"P{n}", f"Customer {n}", f"139{n:08d}"] for n in range(2500)]
    calls: list[tuple[int, int]] = []

    report = await import_file(pool, write_csv(tmp_path / "many.csv", rows), region="CN",
                               tz=TZ, today=TODAY, progress=lambda d, t: calls.append((d, t)))

    assert report.customers == Counts(created=2500)
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


async def test_unreadable_files_are_rejected(pool: asyncpg.Pool, tmp_path: Path) -> None:
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    unknown = write_csv(tmp_path / "other.csv", [["foo", "bar"], ["1", "2"]])
    huge = tmp_path / "huge.csv"
    huge.write_text('客户编号,姓名\nC1,"' + "x" * 200_000 + '"\n', encoding="utf-8")

    assert "save it as .xlsx or .csv" in (await rejected(pool, legacy)).errors[0].reason
    assert "not a readable .xlsx" in (await rejected(pool, broken)).errors[0].reason
    assert "not a readable CSV" in (await rejected(pool, huge)).errors[0].reason
    report = await rejected(pool, unknown)
    assert report.kind is None and "no header row" in report.errors[0].reason


FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


async def test_the_sample_files_of_the_docs(pool: asyncpg.Pool) -> None:
    customers = await run(pool, FIXTURES / "customers_zh_gbk.csv")
    orders = await run(pool, FIXTURES / "service_orders_en.csv")

    assert (customers.customers, customers.vehicles, customers.phones_added) == (
        Counts(created=2), Counts(created=3), 4)
    assert orders.orders == Counts(created=3)
    due = await pool.fetch("SELECT source_key, due_date FROM followup_tasks ORDER BY 1")
    assert [tuple(d) for d in due] == [
        ("sales:LSVAU2180N2183294", date(2025, 6, 27)),
        ("sales:LSVCC6A40NN000451", date(2025, 7, 2)),
        ("service:V-250627-07", date(2025, 7, 1)),
        ("service:V-250629-02", date(2025, 7, 2))]
    same = await run(pool, FIXTURES / "customers_zh.csv")  # the UTF-8 copy
    assert same.customers == Counts(unchanged=2)
    bad = await rejected(pool, FIXTURES / "customers_bad.csv")
    assert len(bad.errors) == 7
