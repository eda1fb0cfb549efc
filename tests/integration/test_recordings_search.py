"""The recording search's index paths against the plain meaning of each filter, on real
PostgreSQL: 1,500 generated recordings, every search shape (and combinations) walked
page by page through the keyset cursor must give exactly the rows a filter written in
Python over all of them gives, in the same order; the total is exact up to the bound
and a lower bound past it; migration 0011 re-indexes the words already there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from callcenter.db.migrations import load_migrations
from callcenter.db.recordings import search, set_index
from callcenter.domain.recordings import COUNT_BOUND, SearchFilters, utc_midnight

ROWS = 1500
NOW = datetime.now(UTC)
WORDS = ("刹车", "异响", "保养", "预约", "投诉", "空调", "轮胎", "brake", "变速箱")
NAMES = ("王伟", "王芳", "王伟强", "欧阳娜", "欧阳娜娜", "司马", "李", "张三丰", "李_丽", "李文丽")

# Generated with set operations (as bench/bench_recordings.py does): names, phones,
# words, complaints and follow-ups spread so every filter matches some rows and not all.
GENERATE = f"""
SET session_replication_role = replica;  -- rows that link to ids no table holds
INSERT INTO users (id, username, display_name, role, password_hash)
SELECT g, 'agent' || g, '坐席' || g, 'agent', 'x' FROM generate_series(1, 6) g;
INSERT INTO recordings (path, format, status, duration_ms, agent_id, customer_id,
    direction, disposition, category, followup_kind, followup_result, followup_task_id,
    complaint_id, started_at, customer_name, phone, phone_rev, search_tsv)
SELECT 'r/' || g || '.mp3', 'mp3', 'ready', (g * 7919) % 600000, 1 + g % 6, 1 + g % 40,
    (ARRAY['inbound', 'outbound'])[1 + g % 2],
    (ARRAY['answered', 'answered', 'busy'])[1 + g % 3],
    (ARRAY['followup', 'inquiry', 'complaint'])[1 + g % 3],
    CASE WHEN g % 3 = 0 THEN (ARRAY['sales', 'service'])[1 + g / 3 % 2] END,
    CASE WHEN g % 3 = 0 THEN (ARRAY['satisfied', 'dissatisfied'])[1 + g / 6 % 2] END,
    CASE WHEN g % 3 = 0 THEN g END,
    CASE WHEN g % 11 = 0 THEN g END,
    started, name, phone, reverse(phone),
    recording_search_words(words, started)
FROM (SELECT g,
          -- some calls share a start time: the keyset's id breaks the tie
          $1::timestamptz - make_interval(secs => (hashint4(g) & 2147483647) % (90 * 86400)
                                                    / 7 * 7) AS started,
          (ARRAY{list(NAMES)!r})[1 + g % {len(NAMES)}] AS name,
          '13' || lpad(((hashint4(g + 1) & 2147483647) % 1000000000)::text, 9, '0') AS phone,
          (SELECT string_agg((ARRAY{list(WORDS)!r})[1 + (hashint4(g * 10 + k) & 2147483647)
                                                      % {len(WORDS)}], ' ')
           FROM generate_series(1, 1 + g % 3) k) AS words
      FROM generate_series(1, {ROWS}) g) s;
SET session_replication_role = origin;
ANALYZE recordings;
"""


@pytest.fixture
async def everything(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Every generated recording, newest first, with the words of its tsvector."""
    async with pool.acquire() as conn:
        await conn.execute(GENERATE.replace("$1", f"'{NOW.isoformat()}'"))
    rows = await pool.fetch(
        "SELECT *, tsvector_to_array(search_tsv) AS words FROM recordings"
        " ORDER BY started_at DESC, id DESC")
    return [dict(r) for r in rows]


def matches(f: SearchFilters, r: dict[str, Any]) -> bool:
    """Each filter as the API describes it, without any index in mind."""
    def starts(value: str | None, prefix: str | None) -> bool:
        return prefix is None or (value or "").startswith(prefix)

    def equal(value: object, wanted: object) -> bool:
        return wanted is None or value == wanted

    return ((f.since is None or r["started_at"] >= f.since)
            and (f.until is None or r["started_at"] < f.until)
            and equal(r["agent_id"], f.agent_id) and equal(r["customer_id"], f.customer_id)
            and starts(r["customer_name"], f.customer_name)
            and starts(r["phone"], f.phone_prefix)
            and starts(r["phone_rev"], f.phone_suffix_rev)
            and equal(r["direction"], f.direction) and equal(r["disposition"], f.disposition)
            and (f.min_ms is None or r["duration_ms"] >= f.min_ms)
            and (f.max_ms is None or r["duration_ms"] <= f.max_ms)
            and equal(r["followup_kind"], f.followup_kind)
            and equal(r["followup_result"], f.followup_result)
            and equal(r["followup_task_id"], f.followup_id)
            and equal(r["complaint_id"], f.complaint_id)
            and (f.has_complaint is None or (r["complaint_id"] is not None) == f.has_complaint)
            and equal(r["category"], f.category)
            and set(f.words) <= set(r["words"]))


def days(n: float) -> datetime:
    return NOW - timedelta(days=n)


SHAPES: dict[str, Callable[[list[dict[str, Any]]], SearchFilters]] = {
    "no filter": lambda rows: SearchFilters(),
    "agent, 7 days": lambda rows: SearchFilters(agent_id=2, since=days(7)),
    "customer id": lambda rows: SearchFilters(customer_id=7),
    "surname, 30 days": lambda rows: SearchFilters(customer_name="王", since=days(30)),
    "two characters": lambda rows: SearchFilters(customer_name="欧阳", since=days(30)),
    "three characters": lambda rows: SearchFilters(customer_name="王伟强"),
    "a name with LIKE's wildcard": lambda rows: SearchFilters(customer_name="李_丽"),
    "one day": lambda rows: SearchFilters(since=days(3), until=days(2)),
    "phone, last 3 digits": lambda rows: SearchFilters(
        phone_suffix_rev=rows[5]["phone_rev"][:3]),
    "phone, first 6 digits": lambda rows: SearchFilters(phone_prefix=rows[9]["phone"][:6]),
    "rare word, any date": lambda rows: SearchFilters(words=("变速箱",)),
    "two words, 30 days": lambda rows: SearchFilters(words=("刹车", "异响"), since=days(30)),
    "a word between two dates": lambda rows: SearchFilters(
        words=("brake",), since=days(61.3), until=days(12.7)),
    "a word between two UTC midnights": lambda rows: SearchFilters(
        words=("空调",), since=utc_midnight(days(40)), until=utc_midnight(days(3))),
    "a word and a customer": lambda rows: SearchFilters(words=("保养",), customer_id=3),
    "complaint linked, 30 days": lambda rows: SearchFilters(has_complaint=True,
                                                            since=days(30)),
    "no complaint, 10 days": lambda rows: SearchFilters(has_complaint=False, since=days(10)),
    "one complaint": lambda rows: SearchFilters(complaint_id=44),
    "service dissatisfied, 7 days": lambda rows: SearchFilters(
        followup_kind="service", followup_result="dissatisfied", since=days(7)),
    "dissatisfied, any kind": lambda rows: SearchFilters(followup_result="dissatisfied"),
    "one follow-up": lambda rows: SearchFilters(followup_id=300),
    "agent + disposition + >= 5 min, 90 days": lambda rows: SearchFilters(
        agent_id=2, disposition="answered", min_ms=300_000, since=days(90)),
    "direction, category, at most 2 min": lambda rows: SearchFilters(
        direction="inbound", category="complaint", max_ms=120_000),
}


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_every_shape_pages_through_exactly_the_matching_rows(
        pool: asyncpg.Pool, everything: list[dict[str, Any]], shape: str) -> None:
    f = replace(SHAPES[shape](everything), limit=37)
    expected = [r["id"] for r in everything if matches(f, r)]
    assert expected, "the shape must match something to mean anything"
    seen: list[int] = []
    while True:
        found = await search(pool, f)
        assert (found.total, found.total_is_lower_bound) == (
            (COUNT_BOUND, True) if len(expected) > COUNT_BOUND else (len(expected), False))
        seen += [r["id"] for r in found.rows]
        if len(found.rows) < f.limit:
            break
        f = replace(f, after=(found.rows[-1]["started_at"], found.rows[-1]["id"]))
    assert seen == expected


async def test_a_total_past_the_bound_is_a_lower_bound(
        pool: asyncpg.Pool, everything: list[dict[str, Any]]) -> None:
    broad = await search(pool, SearchFilters())
    assert len(everything) > COUNT_BOUND
    assert (broad.total, broad.total_is_lower_bound) == (COUNT_BOUND, True)
    # Exactly at the bound is still exact.
    cutoff = everything[COUNT_BOUND - 1]["started_at"]
    at_bound = [r for r in everything if r["started_at"] >= cutoff]
    exact = await search(pool, SearchFilters(since=cutoff))
    assert (exact.total, exact.total_is_lower_bound) == (
        (len(at_bound), False) if len(at_bound) <= COUNT_BOUND else (COUNT_BOUND, True))


async def test_indexing_a_recording_pairs_its_words_with_its_month_and_day(
        pool: asyncpg.Pool) -> None:
    rec = await pool.fetchval(
        "INSERT INTO recordings (path, format, status) VALUES ('x.mp3', 'mp3', 'ready')"
        " RETURNING id")
    started = datetime(2026, 5, 9, 23, 30, tzinfo=UTC)
    await set_index(pool, rec, {
        "agent_id": None, "customer_id": None, "vehicle_id": None, "followup_id": None,
        "complaint_id": None, "direction": "inbound", "disposition": "answered",
        "category": None, "followup_kind": None, "followup_result": None,
        "started_at": started, "customer_name": None, "phone": None, "phone_rev": None},
        "刹车 异响")
    found = await search(pool, SearchFilters(words=("刹车",), since=started,
                                             until=started + timedelta(minutes=1)))
    assert [r["id"] for r in found.rows] == [rec]
    words = await pool.fetchval(
        "SELECT tsvector_to_array(search_tsv) FROM recordings WHERE id = $1", rec)
    assert set(words) == {"刹车", "异响", "刹车~m202605", "异响~m202605", "刹车~d20260509",
                          "异响~d20260509"}


async def test_migration_0011_pairs_the_words_already_indexed_with_their_dates(
        empty_db_url: str) -> None:
    conn = await asyncpg.connect(empty_db_url)
    try:
        migrations = load_migrations()
        for migration in migrations[:10]:
            await conn.execute(migration.sql)
        await conn.execute(
            "INSERT INTO recordings (path, format, status, started_at, search_tsv) VALUES"
            " ('a.mp3', 'mp3', 'ready', '2026-05-09 23:30+00', to_tsvector('simple', '刹车 异响')),"
            " ('b.mp3', 'mp3', 'ready', '2026-05-09 23:30+00', NULL)")
        assert migrations[10].version == 11
        await conn.execute(migrations[10].sql)
        words = await conn.fetch(
            "SELECT tsvector_to_array(search_tsv) AS words FROM recordings ORDER BY path")
    finally:
        await conn.close()
    assert set(words[0]["words"]) == {"刹车", "异响", "刹车~m202605", "异响~m202605",
                                      "刹车~d20260509", "异响~d20260509"}
    assert words[1]["words"] is None  # not indexed yet: its index job will
