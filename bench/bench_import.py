"""Import speed: N customers with one vehicle each, as CSV and as .xlsx.

    python bench/bench_import.py [--rows N] [--formats csv,xlsx] [--compare-readers]

Generates the file, imports it into a fresh database of an embedded PostgreSQL
(pgserver), then imports it again (the no-op re-import), and prints the seconds and rows
per second of each phase: read (the file's cells: python-calamine for .xlsx, the csv
module for .csv), validate (checking every row) and write (COPY into staging tables and
the set-based merges, one transaction). --compare-readers also times openpyxl reading
the same .xlsx (the reader kept for the workbooks calamine misreads). The machine's load
average is printed before and after: the figures mean little on a busy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.import_files import openpyxl_rows, read_sheet
from callcenter.services.imports import parse_sheet, write_parsed
from tests.xlsx import shared_string, write_workbook

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2025, 6, 30)
HEADER = ["客户编号", "姓名", "手机", "性别", "生日", "客户等级", "性格", "免打扰", "地址",
          "车架号", "车牌号", "车型", "销售日期", "交车日期", "里程"]
LEVELS = ["普通", "普通", "重点", "VIP"]
TEMPERAMENTS = ["", "果断型", "社交型", "分析型", "发泄型", "谨慎型"]
MODELS = ["速腾", "迈腾", "帕萨特", "途观L", "朗逸"]


def customer_rows(count: int) -> list[list[object]]:
    rows = []
    for n in range(count):
        # A third of the customers have a landline too, in the same cell.
        phones = f"138{n:08d}" + (f" / 010-6{n % 10_000_000:07d}" if n % 3 == 0 else "")
        sold = TODAY - timedelta(days=n % 2000)
        rows.append([
            f"C{n:07d}", f"客户{n}", phones, "男" if n % 2 else "女",
            (date(1960, 1, 1) + timedelta(days=n % 15000)).isoformat(), LEVELS[n % 4],
            TEMPERAMENTS[n % 6], "否" if n % 10 else "是", f"北京市朝阳区{n}号",
            f"LSVAU2180N{n:07d}", f"京A{n % 100000:05d}", MODELS[n % 5], sold.isoformat(),
            (sold + timedelta(days=2)).isoformat(), n % 90_000])
    return rows


def write_csv(path: Path, rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """An .xlsx as Excel and WPS write it: shared strings, a dimension, date cells.

    openpyxl writes inline strings and reads them back several times slower than
    shared strings; a benchmark of what dealerships actually export needs Excel's layout.
    """
    strings: dict[str, int] = {}
    epoch = date(1899, 12, 30)

    def cell(ref: str, value: object) -> str:
        if isinstance(value, date):  # style 1: the short date
            return f'<c r="{ref}" s="1"><v>{(value - epoch).days}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        index = strings.setdefault(str(value), len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    letters = [chr(ord("A") + i) for i in range(len(HEADER))]
    sheet = [f'<dimension ref="A1:{letters[-1]}{len(rows) + 1}"/><sheetData>']
    for number, row in enumerate([HEADER, *rows], start=1):
        cells = "".join(cell(f"{letters[i]}{number}", date.fromisoformat(v)
                             if i in _DATE_COLUMNS and number > 1 and v else v)
                        for i, v in enumerate(row) if v != "")
        sheet.append(f'<row r="{number}">{cells}</row>')
    sheet.append("</sheetData>")
    write_workbook(path, [("Sheet1", "".join(sheet))],
                   shared=[shared_string(text) for text in strings], formats=[14])


_DATE_COLUMNS = {HEADER.index("生日"), HEADER.index("销售日期"), HEADER.index("交车日期")}


def with_database(url: str, name: str) -> str:
    """Swap the database name in a libpq URL (the host may be a socket folder)."""
    head, sep, query = url.partition("?")
    return f"{head.rpartition('/')[0]}/{name}{sep}{query}"


async def import_twice(server_url: str, name: str, path: Path, rows: int) -> None:
    admin = await asyncpg.connect(server_url)
    await admin.execute(f"DROP DATABASE IF EXISTS {name}")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    pool = await create_pool(with_database(server_url, name), min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
        for attempt in ("first import", "re-import"):
            started = time.perf_counter()
            sheet = read_sheet(path)
            read_s = time.perf_counter() - started
            parsed = parse_sheet(path.name, sheet, region="CN", tz=TZ, today=TODAY)
            validate_s = time.perf_counter() - started - read_s
            started = time.perf_counter()
            report = await write_parsed(pool, parsed, tz=TZ, today=TODAY)
            write_s = time.perf_counter() - started
            total = read_s + validate_s + write_s
            print(f"  {attempt:<12} " + "  ".join(
                f"{phase} {seconds:6.2f} s ({rows / seconds:7.0f} rows/s)"
                for phase, seconds in (("read", read_s), ("validate", validate_s),
                                       ("write", write_s), ("total", total))))
            print(f"  {'':<12} customers {report.customers}; vehicles {report.vehicles}; "
                  f"phones added {report.phones_added}; follow-ups {report.followups_created}"
                  f"; warnings {len(report.warnings)}")
    finally:
        await pool.close()


WRITERS: dict[str, Callable[[Path, list[list[object]]], None]] = {
    "csv": write_csv, "xlsx": write_xlsx}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx", help="comma-separated: csv, xlsx")
    parser.add_argument("--compare-readers", action="store_true",
                        help="also time openpyxl reading the .xlsx")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]

    import pgserver

    print(f"{date.today()}  {platform.node()}  {platform.python_implementation()} "
          f"{platform.python_version()}  {os.cpu_count()} cores  rows={args.rows}  "
          f"load average {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        work = Path(folder)
        server = await asyncio.to_thread(pgserver.get_server, work / "pg",
                                         cleanup_mode="delete")
        try:
            rows = customer_rows(args.rows)
            for fmt in formats:
                path = work / f"customers.{fmt}"
                started = time.perf_counter()
                WRITERS[fmt](path, rows)
                size = path.stat().st_size / 1e6
                print(f"{fmt}: {args.rows} customers with vehicles, {size:.1f} MB "
                      f"(written in {time.perf_counter() - started:.1f} s)")
                await import_twice(server.get_uri(), f"bench_{fmt}", path, args.rows)
                if fmt == "xlsx" and args.compare_readers:
                    started = time.perf_counter()
                    openpyxl_rows(path)
                    print(f"  openpyxl would read it in {time.perf_counter() - started:.2f} s")
        finally:
            server.cleanup()
    print(f"load average {_load()}")


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


if __name__ == "__main__":
    asyncio.run(main())
