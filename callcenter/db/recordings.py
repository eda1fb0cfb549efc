"""The recordings repository: the job queue, the index row, search and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.queries import load_queries
from callcenter.domain.recordings import SearchFilters, like_prefix

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


def _search_args(f: SearchFilters) -> list[Any]:
    return [f.since, f.until, f.agent_id, f.customer_id,
            like_prefix(f.customer_name) if f.customer_name else None,
            like_prefix(f.phone_prefix) if f.phone_prefix else None,
            like_prefix(f.phone_suffix_rev) if f.phone_suffix_rev else None,
            f.direction, f.disposition, f.min_ms, f.max_ms, f.followup_kind,
            f.followup_result, f.followup_id, f.complaint_id, f.has_complaint, f.category,
            " ".join(f.words) or None]


async def search(pool: asyncpg.Pool, f: SearchFilters) -> tuple[list[asyncpg.Record], int]:
    args = _search_args(f)
    after_at, after_id = f.after if f.after else (None, None)
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        # Plan each search for its own filters: a generic plan of the "$n IS NULL OR"
        # query would read the whole table whatever was asked.
        await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        rows = await conn.fetch(Q["search_recordings"], *args, after_at, after_id, f.limit)
        total = await conn.fetchval(Q["count_recordings"], *args)
    return rows, total


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
