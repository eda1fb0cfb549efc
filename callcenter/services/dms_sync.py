"""The nightly DMS sync: the day's settled service orders and deliveries, exported by the
dealership's DMS, imported like any spreadsheet (docs/imports.md, "Nightly DMS sync").

Two doors, one import (services/imports.py: the same validation, all or nothing):

- the folder ``CALLCENTER_DMS_INBOX``: each night after ``CALLCENTER_DMS_IMPORT_TIME``
  (and at start when a server was down then) every file waiting there is imported in
  name order, then moved to ``done/`` or ``failed/`` with its report beside it
  (``NAME.report.txt``). A file is recorded in ``dms_imports`` in its import's own
  transaction: a server stopped after the import but before the move finds the file
  recorded at its next round and moves it without importing it again; the table's
  unique index keeps that true for several servers, and an advisory lock lets one of
  them work through the folder at a time;
- ``push``: a file sent to ``POST /api/imports`` (http/handlers/imports.py), recorded
  the same way.

Files still being written are left for the next round: hidden ones (``.name``), those
ending in ``.part``/``.tmp``, and those changed in the last ``SETTLE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db import dms as ledger
from callcenter.db.connection import Connection
from callcenter.errors import CallcenterError
from callcenter.services.imports import ImportRejected, ImportReport, import_file
from callcenter.services.periodic import Periodic

log = logging.getLogger(__name__)

SETTLE_SECONDS = 60.0
WAKE_SECONDS = 60.0
UNFINISHED_SUFFIXES = (".part", ".tmp", ".crdownload")
DONE, FAILED = "done", "failed"


class AlreadyImported(Exception):
    """Another server imported the same folder file first; this import rolls back."""


@dataclass(frozen=True, slots=True)
class FileResult:
    name: str
    status: str  # imported, already_imported, rejected, failed
    moved_to: Path
    report: str


def file_digest(path: Path) -> bytes:
    """SHA-256 of the file's bytes (blocking)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


async def push(pool: asyncpg.Pool, path: Path, *, region: str, tz: ZoneInfo, today: date,
               pushed_by: int | None) -> ImportReport:
    """Import a pushed file and record it; ImportRejected (recorded too) for a bad one."""
    digest = await asyncio.to_thread(file_digest, path)

    async def record(conn: Connection, report: ImportReport) -> None:
        await ledger.record(conn, source="api", file_name=path.name, sha256=digest,
                            status="imported", report=report.format_text(),
                            pushed_by=pushed_by)

    try:
        return await import_file(pool, path, region=region, tz=tz, today=today,
                                 on_written=record)
    except ImportRejected as exc:
        await ledger.record(pool, source="api", file_name=path.name, sha256=digest,
                            status="rejected", report=exc.report.format_text(),
                            pushed_by=pushed_by)
        raise


class DmsInbox:
    """Works through the DMS folder: each waiting file imported once, then moved."""

    def __init__(self, pool: asyncpg.Pool, folder: Path, *, region: str, tz: ZoneInfo,
                 now: Callable[[], float] = clock.time) -> None:
        self._pool = pool
        self._folder = folder
        self._region = region
        self._tz = tz
        self._now = now

    def waiting(self) -> list[Path]:
        """The files ready to import, by name (blocking)."""
        if not self._folder.is_dir():
            return []
        settled_before = self._now() - SETTLE_SECONDS
        return sorted(
            (p for p in self._folder.iterdir()
             if p.is_file() and not p.name.startswith(".")
             and not p.name.lower().endswith(UNFINISHED_SUFFIXES)
             and p.stat().st_mtime <= settled_before),
            key=lambda p: p.name)

    async def import_round(self, today: date) -> list[FileResult]:
        """Import every waiting file; [] when another server is at it."""
        async with self._pool.acquire() as conn:
            if not await ledger.try_lock_inbox(conn):
                log.info("DMS folder: another server is importing it")
                return []
            try:
                files = await asyncio.to_thread(self.waiting)
                return [await self._import_one(path, today) for path in files]
            finally:
                await ledger.unlock_inbox(conn)

    async def _import_one(self, path: Path, today: date) -> FileResult:
        digest = await asyncio.to_thread(file_digest, path)
        before = await ledger.imported_before(self._pool, digest)
        if before is not None:
            return await self._move(path, "already_imported", DONE,
                                    f"{path.name}: imported on {before:%Y-%m-%d %H:%M} "
                                    "already; not imported again")

        async def record(conn: Connection, report: ImportReport) -> None:
            if not await ledger.record(conn, source="folder", file_name=path.name,
                                       sha256=digest, status="imported",
                                       report=report.format_text()):
                raise AlreadyImported(f"{path.name} was imported by another server")

        try:
            report = await import_file(self._pool, path, region=self._region, tz=self._tz,
                                       today=today, on_written=record)
        except AlreadyImported as exc:
            return await self._move(path, "already_imported", DONE, str(exc))
        except ImportRejected as exc:
            text = exc.report.format_text()
            await ledger.record(self._pool, source="folder", file_name=path.name,
                                sha256=digest, status="rejected", report=text)
            return await self._move(path, "rejected", FAILED, text)
        except CallcenterError as exc:  # import_failed: the database refused the writes
            await ledger.record(self._pool, source="folder", file_name=path.name,
                                sha256=digest, status="failed", report=exc.message)
            return await self._move(path, "failed", FAILED, exc.message)
        return await self._move(path, "imported", DONE, report.format_text())

    async def _move(self, path: Path, status: str, to: str, report: str) -> FileResult:
        target = await asyncio.to_thread(_move_with_report, path, self._folder / to, report,
                                         datetime.now(self._tz))
        log_at = logging.INFO if to == DONE else logging.WARNING
        log.log(log_at, "DMS file %s: %s, moved to %s", path.name, status, target)
        return FileResult(path.name, status, target, report)


def _move_with_report(path: Path, folder: Path, report: str, now: datetime) -> Path:
    """Move ``path`` into ``folder`` under a name no earlier file has (the DMS sends
    the same name every night), with ``NAME.report.txt`` beside it (blocking)."""
    folder.mkdir(exist_ok=True)
    target = folder / f"{now:%Y%m%d-%H%M%S}-{path.name}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{now:%Y%m%d-%H%M%S}-{n}-{path.name}"
    target.with_name(target.name + ".report.txt").write_text(report + "\n", encoding="utf-8")
    shutil.move(path, target)
    return target


class NightlyDmsImport:
    """Imports the DMS folder once a day after ``at`` (center time), woken every
    minute; at start as well when that time has passed (a server down at night)."""

    def __init__(self, inbox: DmsInbox, tz: ZoneInfo, at: time, *,
                 now: Callable[[], datetime]) -> None:
        self._inbox = inbox
        self._tz = tz
        self._at = at
        self._now = now
        self._done_on: date | None = None
        self._periodic = Periodic("DMS folder import", self.wake, WAKE_SECONDS)

    async def wake(self) -> list[FileResult]:
        local = self._now().astimezone(self._tz)
        if local.time() < self._at or self._done_on == local.date():
            return []
        results = await self._inbox.import_round(local.date())
        self._done_on = local.date()
        return results

    def start(self) -> None:
        self._periodic.start()

    async def close(self) -> None:
        await self._periodic.close()
