"""Queue statistics from Asterisk's queue_log, and the file import that keeps the table
whole (docs/queue_statistics.md).

The table is the record: Asterisk inserts each line itself as it happens, whether this
server runs or not. The file (queue_log_to_file = yes) is the journal of last resort:
when Asterisk could not reach PostgreSQL (the embedded one stops with the server), the
line is only there, so at start and every queue_log_import_seconds the server reads what
the file gained since the last read and inserts the lines the table lacks (idempotent: a
line already in the table, within the clocks' difference, is skipped).

``figures`` and ``today`` return plain dicts, the board's and the HTTP replies' shape.
Both read whole days from the summary a trigger keeps as lines arrive (migration 0022:
a bounded number of rows per day, whatever the range), and the lines themselves only
when that summary cannot answer exactly (a threshold past its wait cap, or a zone it was
not rebuilt in).
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.queue_statistics import QueueLogStore
from callcenter.domain.queue_statistics import (
    By,
    QueueLogLine,
    Sums,
    Thresholds,
    agent_extension,
    figures_from_sums,
    parse_file_line,
)
from callcenter.errors import ValidationError
from callcenter.settings import Settings

log = logging.getLogger(__name__)

MAX_DAYS = 366  # the longest range one request may sum
CHUNK_BYTES = 4 << 20  # read from the file per transaction
BUCKETS = tuple(b.value for b in By)


def thresholds_of(settings: Settings) -> Thresholds:
    return Thresholds(settings.queue_service_level_seconds,
                      settings.queue_short_abandon_seconds)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz)


async def figures(pool: asyncpg.Pool, settings: Settings, start: date, end: date,
                  by: By | str) -> dict[str, Any]:
    """The figures of each bucket of the days ``start``..``end`` (both included, in the
    center's time zone), and of the whole range."""
    if by not in BUCKETS:
        raise ValidationError(f"by must be one of {', '.join(BUCKETS)}", field="by")
    if end < start:
        raise ValidationError("the range ends before it starts", field="to")
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"at most {MAX_DAYS} days at a time", field="to")
    store, limits = QueueLogStore(pool), thresholds_of(settings)
    buckets = await _sums(store, settings, start, end, By(by).value)
    rows = [{"bucket": bucket, **figures_from_sums(sums, limits)} for bucket, sums in buckets]
    if by == By.AGENT:
        await _name_agents(store, rows)
    whole = await _sums(store, settings, start, end, "total")
    return {"from": start.isoformat(), "to": end.isoformat(), "by": By(by).value,
            "short_abandon_seconds": limits.short_abandon_seconds, "rows": rows,
            "total": figures_from_sums(whole[0][1] if whole else Sums(), limits)}


async def _sums(store: QueueLogStore, settings: Settings, start: date, end: date,
                bucket: str) -> list[tuple[str | None, Sums]]:
    """The sums by ``bucket`` of the days ``start``..``end``: from the summary kept as
    lines arrive, or from the lines when it cannot answer exactly (thresholds past its
    cap, or a zone it has not been rebuilt in yet)."""
    tz, limits = settings.tz, thresholds_of(settings)
    summed = await store.summed_days(start, end, bucket, limits, tz)
    if summed is not None:
        return summed
    return await store.sums_by(_midnight(start, tz), _midnight(end + timedelta(days=1), tz),
                               bucket, limits, tz)


async def _name_agents(store: QueueLogStore, rows: list[dict[str, Any]]) -> None:
    """Each agent row's ``agent_name``. Asterisk writes the member's MemberName on the
    lines of a call (CONNECT, COMPLETE*); the server adds members with their interface
    as MemberName (PJSIP/1001), named here after the user with that extension now. A
    member someone added with another MemberName keeps that as its name; the callers no
    agent answered have None."""
    extensions = {row["bucket"]: agent_extension(row["bucket"] or "") for row in rows}
    names = await store.names_of([e for e in extensions.values() if e])
    for row in rows:
        extension = extensions[row["bucket"]]
        row["agent_name"] = names.get(extension) if extension else row["bucket"]


async def today(pool: asyncpg.Pool, settings: Settings) -> dict[str, Any]:
    """Today's figures in the center's time zone, all queues and agents together."""
    day = datetime.now(settings.tz).date()
    whole = await _sums(QueueLogStore(pool), settings, day, day, "total")
    return figures_from_sums(whole[0][1] if whole else Sums(), thresholds_of(settings))


# -- the file ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Chunk:
    inode: int
    ends_at: int  # the file position after the chunk's last whole line
    lines: list[QueueLogLine]
    skipped: int  # lines that were not queue_log lines
    more: bool  # the file holds more whole lines past this chunk


def _read_chunk(path: Path, inode: int | None, position: int) -> _Chunk | None:
    """The whole lines from ``position`` (from 0 when the file is another one now, or
    shorter: rotated); None when there is no file."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        stat = os.fstat(handle.fileno())
        if stat.st_ino != inode or stat.st_size < position:
            position = 0
        handle.seek(position)
        data = handle.read(CHUNK_BYTES)
    whole = data[:data.rfind(b"\n") + 1]  # a line Asterisk is still writing waits
    lines, skipped = [], 0
    for raw in whole.splitlines():
        line = parse_file_line(raw.decode("utf-8", errors="replace"))
        if line is None:
            skipped += 1
        else:
            lines.append(line)
    ends_at = position + len(whole)
    return _Chunk(stat.st_ino, ends_at, lines, skipped,
                  more=ends_at < stat.st_size and len(data) == CHUNK_BYTES)


async def import_file(pool: asyncpg.Pool, path: Path) -> int:
    """Insert the lines of the queue_log file the table lacks, from where the last
    import stopped; return how many were missing."""
    store, key, added = QueueLogStore(pool), str(path), 0
    while True:
        known = await store.file_position(key)
        inode, position = known if known else (None, 0)
        chunk = await asyncio.to_thread(_read_chunk, path, inode, position)
        if chunk is None:
            return added
        if chunk.ends_at == position and chunk.inode == inode:
            return added
        if chunk.skipped:
            log.warning("queue_log file %s: %d lines that are not queue_log lines skipped",
                        path, chunk.skipped)
        added += await store.import_lines(key, chunk.inode, chunk.ends_at, chunk.lines)
        if not chunk.more:
            return added


async def grant_writer(pool: asyncpg.Pool, settings: Settings) -> None:
    """At start: the role Asterisk writes with, when its password is set."""
    if settings.queue_log_pg_password:
        try:
            await QueueLogStore(pool).grant_writer(settings.queue_log_pg_user,
                                                   settings.queue_log_pg_password)
        except asyncpg.InsufficientPrivilegeError:
            log.warning("may not manage the role %s that Asterisk writes queue_log with: "
                        "create it as docs/queue_statistics.md says",
                        settings.queue_log_pg_user)
        except asyncpg.PostgresError as exc:  # e.g. another server updating it just now
            log.warning("the role %s that Asterisk writes queue_log with was not updated: %s",
                        settings.queue_log_pg_user, type(exc).__name__)


async def import_round(pool: asyncpg.Pool, settings: Settings) -> int:
    """One import of the configured file (a Periodic's round: the first at start); how
    many lines the table lacked."""
    if not settings.queue_log_file:
        return 0
    added = await import_file(pool, Path(settings.queue_log_file))
    if added:
        log.info("queue_log: %d lines imported from %s that the table lacked", added,
                 settings.queue_log_file)
    return added
