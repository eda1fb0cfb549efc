"""The queue's summary (migration 0022) against the real PostgreSQL: whatever inserts the
lines (a plain insert, Asterisk's insert-only role, the file import), the sums it gives
by day, hour, queue, agent and total equal the sums over the lines themselves, for
thresholds up to the edges of its wait cap; a rebuild gives the same rows; a zone change
rebuilds it; thresholds past the cap, or a zone it was not rebuilt in, read the lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.queue_statistics import SUMMARY_WAIT_CAP, QueueLogStore
from callcenter.db.reports import ReportStore
from callcenter.domain.queue_statistics import By, Thresholds
from callcenter.services import hotline_report, queue_statistics
from callcenter.settings import Settings

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "queue_log" / "hotline_day.queue_log"
DAYS = (date(2026, 11, 30), date(2026, 12, 3))
INSERT = ("INSERT INTO queue_log (time, callid, queuename, agent, event,"
          " data1, data2, data3, data4, data5) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
# beside the fixture: waits past the cap, a wait at it, a garbled wait, another queue,
# a caller leaving just before a local midnight, a transfer's talk
EXTRA = [
    (datetime(2026, 12, 1, 3, 0, tzinfo=UTC), "x.1", "hotline", "PJSIP/1002", "CONNECT",
     "900", "x.1", "1", "", ""),
    (datetime(2026, 12, 1, 3, 5, tzinfo=UTC), "x.2", "hotline", "NONE", "ABANDON",
     "1", "1", "1200", "", ""),
    (datetime(2026, 12, 1, 3, 6, tzinfo=UTC), "x.3", "hotline", "NONE", "ABANDON",
     "1", "1", str(SUMMARY_WAIT_CAP), "", ""),
    (datetime(2026, 12, 1, 3, 7, tzinfo=UTC), "x.4", "hotline", "PJSIP/1002", "CONNECT",
     "soon", "x.4", "1", "", ""),
    (datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC), "x.5", "sales", "NONE",
     "EXITWITHTIMEOUT", "1", "1", "45", "", ""),
    (datetime(2026, 12, 1, 16, 0, 1, tzinfo=UTC), "x.6", "sales", "Wang", "ATTENDEDTRANSFER",
     "LINK", "x", "3", "77", ""),
]
LIMITS = [Thresholds(20, 5), Thresholds(0, 0), Thresholds(SUMMARY_WAIT_CAP - 1,
                                                          SUMMARY_WAIT_CAP)]


async def _fill(pool: asyncpg.Pool) -> None:
    assert await queue_statistics.import_file(pool, FIXTURE)  # the file import's inserts
    await pool.executemany(INSERT, EXTRA)


async def _summary(pool: asyncpg.Pool) -> set[tuple[Any, ...]]:
    return {tuple(tuple(v) if isinstance(v, list) else v for v in row.values())
            for row in await pool.fetch("SELECT * FROM report_queue")}


async def _both(store: QueueLogStore, by: str, limits: Thresholds, tz: ZoneInfo
                ) -> tuple[Any, Any]:
    """(from the summary, from the lines) over DAYS."""
    starts = datetime.combine(DAYS[0], time.min, tz)
    ends = datetime.combine(DAYS[1] + timedelta(days=1), time.min, tz)
    return (await store.summed_days(*DAYS, by, limits, tz),
            await store.sums_by(starts, ends, by, limits, tz))


async def test_the_summary_sums_equal_the_lines_by_every_bucket(pool: asyncpg.Pool) -> None:
    await _fill(pool)
    store, tz = QueueLogStore(pool), Settings().tz
    for limits in LIMITS:
        for by in [*(b.value for b in By), "total"]:
            summed, lines = await _both(store, by, limits, tz)
            assert summed == lines, (by, limits)
            assert summed, by
    kept = await _summary(pool)
    await pool.execute("SELECT reports_rebuild()")
    assert await _summary(pool) == kept


async def test_the_zone_changes_rebuild_it_and_thresholds_past_the_cap_read_the_lines(
        pool: asyncpg.Pool) -> None:
    await _fill(pool)
    store = QueueLogStore(pool)
    utc = ZoneInfo("UTC")
    # counted in Shanghai: not an answer for UTC's days
    assert await store.summed_days(*DAYS, "day", Thresholds(), utc) is None
    assert await ReportStore(pool).set_zone("UTC") is True
    for by in ("day", "hour", "total"):
        summed, lines = await _both(store, by, Thresholds(), utc)
        assert summed == lines, by
    assert await store.summed_days(*DAYS, "day", Thresholds(SUMMARY_WAIT_CAP, 5), utc) is None
    assert await store.summed_days(*DAYS, "day",
                                   Thresholds(20, SUMMARY_WAIT_CAP + 1), utc) is None
    # the service gives the same figures either way
    settings = replace(Settings(), timezone="UTC")
    past = replace(settings, queue_service_level_seconds=SUMMARY_WAIT_CAP,
                   queue_short_abandon_seconds=SUMMARY_WAIT_CAP + 1)
    summed = await queue_statistics.figures(pool, settings, *DAYS, "agent")
    read = await queue_statistics.figures(pool, past, *DAYS, "agent")
    for name in ("offered", "answered", "average_wait_seconds", "average_talk_seconds"):
        assert read["total"][name] == summed["total"][name], name
    assert [r["bucket"] for r in read["rows"]] == [r["bucket"] for r in summed["rows"]]
    assert read["total"]["longest_wait_seconds"] == summed["total"]["longest_wait_seconds"] \
        == 1200
    report = await hotline_report.hotline(pool, settings, *DAYS)
    assert report["total"] == summed["total"]


async def test_asterisks_insert_only_role_keeps_the_summary(
        pool: asyncpg.Pool, as_asterisk: asyncpg.Connection) -> None:
    # the one-column shape, split by 0012's trigger before this summary reads it
    await as_asterisk.execute(
        "INSERT INTO queue_log (time, callid, queuename, agent, event, data)"
        " VALUES ('2026-12-01 02:00:00.5', 'a.1', 'hotline', 'PJSIP/1001', 'CONNECT',"
        " '12|a.1|3')")
    reply = await queue_statistics.figures(pool, Settings(), *DAYS, "day")
    assert [(r["bucket"], r["answered"], r["average_answer_seconds"])
            for r in reply["rows"]] == [("2026-12-01", 1, 12.0)]
