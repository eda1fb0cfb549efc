"""The recordings repository: the job queue, the index row, search and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.queries import load_queries
from callcenter.domain.recordings import (
    COUNT_BOUND,
    COUNT_WINDOW_DAYS,
    PAGE_WINDOW_DAYS,
    SearchFilters,
    bounded_total,
    covering_periods,
    is_utc_midnight,
    like_prefix,
    name_keys,
    newest_first_windows,
)

Q = load_queries("recordings")


@dataclass(frozen=True)
class Job:
    id: int
    recording_id: int
    kind: str
    attempts: int


async def claim_job(pool: asyncpg.Pool, lease_seconds: float) -> Job | None:
    row = await pool.fetchrow(Q["claim_job"], lease_seconds)
    return None if row is None else Job(row["id"], row["recording_id"], row["kind"],
                                        row["attempts"])


async def finish_job(conn: Connection | asyncpg.Pool, job_id: int) -> None:
    await conn.execute(Q["finish_job"], job_id)
    await conn.execute(Q["rerun_job"], job_id)


async def retry_job(pool: asyncpg.Pool, job_id: int, delay_seconds: float,
                    error: str) -> None:
    await pool.execute(Q["retry_job"], job_id, delay_seconds, error[:1000])


async def give_up(pool: asyncpg.Pool, job: Job, error: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        if job.kind == "process":
            await conn.execute(Q["fail_recording"], job.recording_id, error[:1000])
        await conn.execute(Q["drop_job"], job.id)


async def queue_job(conn: Connection | asyncpg.Pool, recording_id: int,
                    kind: str) -> None:
    await conn.execute(Q["queue_job"], recording_id, kind)


async def recording_file(pool: asyncpg.Pool, recording_id: int) -> asyncpg.Record | None:
    return await pool.fetchrow(Q["recording_file"], recording_id)


async def save_conversion(conn: Connection, recording_id: int, *, path: str,
                          fmt: str, size: int, duration_ms: int, sha256: str,
                          peaks: list[int], original_sha256: str) -> None:
    await conn.execute(Q["converted"], recording_id, path, fmt, size, duration_ms, sha256,
                       peaks, original_sha256)


async def set_transcript(pool: asyncpg.Pool, recording_id: int, text: str) -> None:
    await pool.execute(Q["set_transcript"], recording_id, text)


async def index_source(pool: asyncpg.Pool, recording_id: int) -> asyncpg.Record | None:
    return await pool.fetchrow(Q["index_source"], recording_id)


async def set_index(conn: Connection | asyncpg.Pool, recording_id: int,
                    values: dict[str, Any], words: str) -> None:
    v = values
    await conn.execute(
        Q["set_index"], recording_id, v["agent_id"], v["customer_id"], v["vehicle_id"],
        v["followup_id"], v["complaint_id"], v["direction"], v["disposition"],
        v["category"], v["followup_kind"], v["followup_result"], v["started_at"],
        v["customer_name"], v["phone"], v["phone_rev"], words)


def _search_args(f: SearchFilters, now: datetime) -> list[Any]:
    like_name, name1, name2, name3 = name_keys(f.customer_name) if f.customer_name else \
        (None, None, None, None)
    since, until, periods, dates = f.since, f.until, None, None
    if f.words:
        # The words' day and month terms carry the dates; only a range that does not
        # start and end at UTC midnights (or is open below) is checked on the rows.
        since = until = None
        periods = covering_periods(f.since, f.until, now) if f.since else None
        if not (f.since and is_utc_midnight(f.since) and is_utc_midnight(f.until)) and (
                f.since or f.until):
            dates = asyncpg.Range(f.since, f.until, lower_inc=True, upper_inc=False)
    return [since, until, f.agent_id, f.customer_id, like_name,
            like_prefix(f.phone_prefix) if f.phone_prefix else None,
            like_prefix(f.phone_suffix_rev) if f.phone_suffix_rev else None,
            f.direction, f.disposition, f.min_ms, f.max_ms, f.followup_kind,
            f.followup_result, f.followup_id, f.complaint_id, f.has_complaint, f.category,
            " ".join(f.words) or None, name1, name2, name3, periods, dates]


@dataclass(frozen=True)
class Found:
    rows: list[asyncpg.Record]
    total: int
    total_is_lower_bound: bool  # total is COUNT_BOUND and more rows match


def _windows(f: SearchFilters, newest: datetime | None, now: datetime,
             edges: tuple[int, ...] = PAGE_WINDOW_DAYS) -> list[SearchFilters]:
    """A search as the date ranges it reads in turn: a word search newest first (see
    newest_first_windows), any other at once (its index is in page order already)."""
    if not f.words:
        return [f]
    anchor = min(t for t in (f.until, newest, now) if t is not None)
    return [replace(f, since=since, until=until)
            for since, until in newest_first_windows(f.since, f.until, anchor, edges)]


def _planning(f: SearchFilters) -> str:
    """How a search is planned, for the transaction it runs in. Each search is planned
    for its own filters: a generic plan of the "$n IS NULL OR" query would read the
    whole table whatever was asked. A word search is answered from the GIN index (ANDed,
    where it helps, with another filter's btree bitmap), never by walking a btree in
    date order or the table: the planner's estimates for the day and month terms cannot
    be trusted (a term missing from the column's statistics counts as half the rarest
    one there; a rare word's 343 day terms added up to 42,994 rows where 31 matched,
    and it walked every call in date order for 44 s at 5 million rows)."""
    # No parallel workers either: starting them costs more than a search's few
    # milliseconds, and takes cores from everyone else.
    custom = ("SET LOCAL plan_cache_mode = force_custom_plan;"
              " SET LOCAL max_parallel_workers_per_gather = 0")
    if not f.words:
        return custom
    return (f"{custom}; SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off;"
            " SET LOCAL enable_indexonlyscan = off")


async def search(pool: asyncpg.Pool, f: SearchFilters) -> Found:
    """One page in (started_at DESC, id DESC) order and the total, exact up to
    COUNT_BOUND, in one read-only transaction."""
    now = datetime.now(UTC)
    rows: list[asyncpg.Record] = []
    counted = 0
    after_at, after_id = f.after if f.after else (None, None)
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        await conn.execute(_planning(f))
        for part in _windows(f, after_at, now):
            if len(rows) == f.limit:
                break
            rows += await conn.fetch(Q["search_recordings"], *_search_args(part, now),
                                     after_at, after_id, f.limit - len(rows))
        for part in _windows(f, None, now, COUNT_WINDOW_DAYS):
            if counted > COUNT_BOUND:
                break
            counted += await conn.fetchval(Q["count_recordings"], *_search_args(part, now),
                                           COUNT_BOUND + 1 - counted)
    return Found(rows, *bounded_total(counted))


async def explain_search(pool: asyncpg.Pool, f: SearchFilters) -> tuple[Any, Any]:
    """EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of the page and of the count, planned as
    :func:`search` plans them, in its first date range (bench/bench_recordings.py
    prints them)."""
    now = datetime.now(UTC)
    after_at, after_id = f.after if f.after else (None, None)
    page_args = _search_args(_windows(f, after_at, now)[0], now)
    count_args = _search_args(_windows(f, None, now, COUNT_WINDOW_DAYS)[0], now)
    explain = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        await conn.execute(_planning(f))
        page = await conn.fetchval(explain + Q["search_recordings"], *page_args, after_at,
                                   after_id, f.limit)
        count = await conn.fetchval(explain + Q["count_recordings"], *count_args,
                                    COUNT_BOUND + 1)
    return page[0], count[0]  # the pool decodes json (db/database.py)


async def get_recording(pool: asyncpg.Pool, recording_id: int) -> asyncpg.Record | None:
    return await pool.fetchrow(Q["get_recording"], recording_id)


async def known_paths(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(Q["known_paths"])


async def files_in_use(pool: asyncpg.Pool, files: dict[str, str]) -> set[str]:
    """Of ``files`` (relative path -> linkedid), the paths a row or an open call owns."""
    rows = await pool.fetch(Q["files_in_use"], list(files), list(files.values()))
    return {row["path"] for row in rows}


async def due_for_purge(pool: asyncpg.Pool, days: int, batch: int) -> list[asyncpg.Record]:
    return await pool.fetch(Q["due_for_purge"], days, batch)


async def mark_purged(pool: asyncpg.Pool, recording_id: int, days: int) -> bool:
    async with pool.acquire() as conn, conn.transaction():
        done = await conn.fetchval(Q["mark_purged"], recording_id)
        if done is not None:
            await conn.execute(Q["audit"], None, "recording.purge", str(recording_id), None,
                               {"retention_days": days})
    return done is not None


async def audit_playback(pool: asyncpg.Pool, *, actor_id: int, action: str,
                         recording_id: int, remote: str | None, details: dict[str, Any],
                         always: bool) -> None:
    await pool.execute(Q["audit_playback"], actor_id, action, str(recording_id), remote,
                       details, always)


async def list_audit(pool: asyncpg.Pool, *, target_type: str | None, target_id: str | None,
                     actor_id: int | None, before_id: int | None,
                     limit: int) -> list[asyncpg.Record]:
    return await pool.fetch(Q["list_audit"], target_type, target_id, actor_id, before_id,
                            limit)
