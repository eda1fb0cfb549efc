"""Importing one spreadsheet (.xlsx or .csv) of customers with vehicles, or of service
orders: how a center starts, and how it keeps its lists in step with the dealership's.

All or nothing: every row is validated before anything is written, and the writes run
in one transaction. Importing the same file again changes nothing. The follow-ups that
the file makes due are created with it. What the file holds that the import cannot use
(unknown columns, vehicle columns without a VIN, other sheets...) is on the report as
warnings: nothing is left out without a word.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db import imports as repo
from callcenter.db.connection import Connection
from callcenter.domain.followups import NewFollowup, sales_followup, service_followup
from callcenter.domain.imports import (
    NO_HEADER,
    Cell,
    CustomerFileValidator,
    CustomerRecord,
    FileKind,
    FileWarning,
    Header,
    OrderFileValidator,
    OrderRecord,
    RowError,
    VehicleRecord,
    check_order_references,
    is_blank,
    parse_header,
)
from callcenter.errors import CallcenterError, ValidationError
from callcenter.import_files import Sheet, Unreadable, read_sheet

Progress = Callable[[int, int], None]
# Called in the import's transaction once everything is written (the DMS sync records
# the file there, so that a file is imported and recorded together or not at all).
OnWritten = Callable[[Connection, "ImportReport"], Awaitable[None]]
PROGRESS_EVERY = 1000
# Title rows ("客户清单 2025年") may sit above the header.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True, slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @classmethod
    def of(cls, merged: repo.Merged, total: int) -> Counts:
        return cls(merged.created, merged.updated, total - merged.created - merged.updated)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportReport:
    file: str
    kind: FileKind | None  # None when the header row was not recognised
    total_rows: int = 0
    customers: Counts = field(default_factory=Counts)
    vehicles: Counts = field(default_factory=Counts)
    orders: Counts = field(default_factory=Counts)
    phones_added: int = 0
    followups_created: int = 0
    followups_updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    # What the file holds that was not imported (imported or not, the file is reported).
    warnings: list[FileWarning] = field(default_factory=list)

    def format_text(self, max_errors: int | None = None) -> str:
        """The report for a terminal; every error unless ``max_errors`` is given, then
        every warning."""
        kind = self.kind.label if self.kind else "unknown kind"
        lines = [f"{self.file}: {kind}, {_count(self.total_rows, 'row')}"]
        if self.errors:
            lines[0] += f" - REJECTED, nothing was imported: {_count(len(self.errors), 'problem')}"
            bad_rows = len({e.line for e in self.errors if e.line})
            if bad_rows:
                lines[0] += f" in {_count(bad_rows, 'row')}"
            shown = self.errors if max_errors is None else self.errors[:max_errors]
            lines += [f"  {_where(e)}: {e.reason}" for e in shown]
            if len(shown) < len(self.errors):
                lines.append(f"  ... and {len(self.errors) - len(shown)} more")
        elif self.kind is FileKind.CUSTOMERS:
            lines.append(f"  customers:  {self.customers}")
            lines.append(f"  phones:     {self.phones_added} added")
            lines.append(f"  vehicles:   {self.vehicles}")
        else:
            lines.append(f"  orders:     {self.orders}")
        if not self.errors:
            lines.append(f"  follow-ups: {self.followups_created} created, "
                         f"{self.followups_updated} rescheduled")
        lines += [f"  warning [{w.code}]: {w.message}" for w in self.warnings]
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _where(error: RowError) -> str:
    place = f"line {error.line}" if error.line else "file"
    if error.column:
        place += f", {error.column}"
    return place + (f" ({error.value!r})" if error.value else "")


class ImportRejected(ValidationError):
    """The file has bad rows (all listed in ``report``); nothing was written."""

    error_id = "import_rejected"

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.file}: {len(report.errors)} problems, nothing was imported",
                         file=report.file, problems=len(report.errors))
        self.report = report


class ImportFailed(CallcenterError):
    """The database refused the writes; the transaction was rolled back."""

    error_id = "import_failed"


@dataclass
class ParsedFile:
    """A file read and validated, not yet written."""

    report: ImportReport
    header: Header | None = None
    customers: list[CustomerRecord] = field(default_factory=list)
    vehicles: list[VehicleRecord] = field(default_factory=list)
    orders: list[OrderRecord] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------

def _blank(cells: Sequence[Cell]) -> bool:
    return all(is_blank(c) for c in cells)


def parse_file(path: Path, *, region: str, tz: ZoneInfo, today: date,
               progress: Progress | None = None) -> ParsedFile:
    """Read and validate the whole file (blocking: run it off the event loop)."""
    try:
        sheet = read_sheet(path)
    except (Unreadable, OSError) as exc:
        reason = (str(exc) if isinstance(exc, Unreadable)
                  else f"cannot read the file: {exc.strerror or exc}")
        parsed = ParsedFile(ImportReport(path.name, None))
        parsed.report.errors.append(RowError(0, "", "", reason))
        return parsed
    return parse_sheet(path.name, sheet, region=region, tz=tz, today=today,
                       progress=progress)


def parse_sheet(file: str, sheet: Sheet, *, region: str, tz: ZoneInfo, today: date,
                progress: Progress | None = None) -> ParsedFile:
    """Validate the rows of a file read by ``read_sheet`` (blocking)."""
    parsed = ParsedFile(ImportReport(file, None, warnings=list(sheet.warnings)))
    report = parsed.report
    rows = iter(sheet.rows)
    found = _find_header(rows)
    if found is None:
        report.errors.append(RowError(1, "", "", NO_HEADER))
        return parsed
    header, header_errors = found
    parsed.header, report.kind = header, header.kind
    report.errors.extend(header_errors)
    report.warnings.extend(header.warnings)
    if not header_errors:
        _validate_rows(parsed, header, rows, len(sheet.rows) - header.line,
                       region=region, tz=tz, today=today, progress=progress)
    return parsed


def _find_header(rows: Iterator[Sequence[Cell]]) -> tuple[Header, list[RowError]] | None:
    """The header among the first rows (the rows after it are left in ``rows``), with
    its errors; None when none of the first rows is a header."""
    line = 0
    for cells in rows:
        line += 1
        if _blank(cells):
            continue
        header, errors = parse_header(line, cells)
        if header is not None:
            return header, errors
        if line >= HEADER_SEARCH_ROWS:
            break
    return None


def _validate_rows(parsed: ParsedFile, header: Header, rows: Iterator[Sequence[Cell]],
                   expected: int, *, region: str, tz: ZoneInfo, today: date,
                   progress: Progress | None) -> None:
    validator: CustomerFileValidator | OrderFileValidator
    if header.kind is FileKind.CUSTOMERS:
        validator = CustomerFileValidator(header, region=region, today=today)
    else:
        validator = OrderFileValidator(header, tz=tz)
    done = 0
    for line, cells in enumerate(rows, start=header.line + 1):
        if _blank(cells):
            continue
        validator.add(line, cells)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(expected, done))
    if progress is not None:
        progress(done, done)
    validator.finish()
    report = parsed.report
    report.total_rows = done
    report.errors.extend(validator.errors)
    report.warnings.extend(validator.warnings)
    if isinstance(validator, CustomerFileValidator):
        parsed.customers = list(validator.customers.values())
        parsed.vehicles = validator.vehicles
    else:
        parsed.orders = validator.orders


# --- writing -----------------------------------------------------------------------

async def write_parsed(pool: asyncpg.Pool, parsed: ParsedFile, *, tz: ZoneInfo,
                       today: date, on_written: OnWritten | None = None) -> ImportReport:
    """Write a validated file in one transaction; ImportRejected if it has errors."""
    report, header = parsed.report, parsed.header
    # A file without a header always has errors (parse_file adds "no header row").
    if report.errors or header is None:
        raise ImportRejected(report)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await repo.lock_imports(conn)
            if header.kind is FileKind.CUSTOMERS:
                await _write_customers(conn, parsed, today)
            else:
                await _write_orders(conn, parsed, header, tz, today)
            if on_written is not None:
                await on_written(conn, report)
    except asyncpg.PostgresError as exc:
        raise ImportFailed(f"{report.file}: the database refused the import, nothing was "
                           f"written: {exc}", file=report.file) from exc
    return report


async def _write_customers(conn: Connection, parsed: ParsedFile, today: date) -> None:
    report = parsed.report
    customers, phones_added, vehicles = await repo.write_customers(
        conn, parsed.customers, parsed.vehicles)
    report.customers = Counts.of(customers, len(parsed.customers))
    report.vehicles = Counts.of(vehicles, len(parsed.vehicles))
    report.phones_added = phones_added
    tasks = [sales_followup(v.customer_id, v.id, v.vin, v.sale_date, v.delivery_date, today)
             for v in await repo.staged_vehicles(conn)]
    await _write_followups(conn, report, tasks)


async def _write_orders(conn: Connection, parsed: ParsedFile, header: Header, tz: ZoneInfo,
                        today: date) -> None:
    report = parsed.report
    customers = await repo.find_customers(conn, sorted({o.customer_no for o in parsed.orders}))
    vehicles = await repo.find_vehicles(conn, sorted({o.vin for o in parsed.orders}))
    errors = check_order_references(header, parsed.orders, customers, vehicles)
    if errors:
        report.errors.extend(errors)
        # Raised inside the transaction: it rolls back (nothing was written yet anyway).
        raise ImportRejected(report)
    orders = await repo.write_orders(conn, parsed.orders, customers, vehicles)
    report.orders = Counts.of(orders, len(parsed.orders))
    tasks = [service_followup(s.customer_id, s.vehicle_id, s.visit_no, s.settled_at, tz,
                              today)
             for s in await repo.visit_settlements(conn)]
    await _write_followups(conn, report, tasks)


async def _write_followups(conn: Connection, report: ImportReport,
                           tasks: list[NewFollowup | None]) -> None:
    merged = await repo.write_followups(conn, [t for t in tasks if t is not None])
    report.followups_created, report.followups_updated = merged.created, merged.updated


async def import_file(pool: asyncpg.Pool, path: Path, *, region: str, tz: ZoneInfo,
                      today: date, progress: Progress | None = None,
                      on_written: OnWritten | None = None) -> ImportReport:
    """Import one .xlsx/.csv file; the report says what was created and updated.

    Raises ImportRejected (with the full report) when any row is bad: nothing is
    written. ``progress(done, total)`` is called on the event loop every ~1000 rows.
    """
    loop = asyncio.get_running_loop()
    on_loop: Progress | None = None
    if progress is not None:
        def on_loop(done: int, total: int) -> None:
            loop.call_soon_threadsafe(progress, done, total)
    # Parsing 100,000 rows takes seconds of CPU and file I/O: keep it off the loop.
    parsed = await asyncio.to_thread(parse_file, path, region=region, tz=tz, today=today,
                                     progress=on_loop)
    return await write_parsed(pool, parsed, tz=tz, today=today, on_written=on_written)
