"""Queue statistics against the real PostgreSQL: the sums PostgreSQL makes by bucket equal
the domain's, the file import adds exactly the lines the table lacks (again: nothing),
Asterisk's one-column rows are split, and the role Asterisk writes with may insert
queue_log lines and nothing else."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from callcenter.db.database import embedded_postgres
from callcenter.db.queue_statistics import QueueLogStore, scram_verifier
from callcenter.domain.queue_statistics import (
    Buckets,
    By,
    QueueLogLine,
    Thresholds,
    bucket_key,
    figures_from_sums,
    parse_file_line,
    total,
)
from callcenter.errors import ValidationError
from callcenter.services import queue_statistics
from callcenter.settings import Settings
from tests.console import center_server, login
from tests.integration.fake_ami import FakeAmi

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "queue_log" / "hotline_day.queue_log"
SETTINGS = Settings()
INSERT = ("INSERT INTO queue_log (time, callid, queuename, agent, event,"
          " data1, data2, data3, data4, data5) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")


def _fixture_lines() -> list[QueueLogLine]:
    return [line for raw in FIXTURE.read_text().splitlines()
            if (line := parse_file_line(raw)) is not None]


async def _insert(pool: asyncpg.Pool, lines: list[QueueLogLine], *,
                  micro: int = 0) -> None:
    """As Asterisk's insert: the table's time has microseconds before the file's second."""
    await pool.executemany(INSERT, [
        (line.time - timedelta(microseconds=micro), line.callid, line.queuename, line.agent,
         line.event, *line.data) for line in lines])


async def test_postgresql_sums_by_bucket_equal_the_domains(pool: asyncpg.Pool) -> None:
    lines = _fixture_lines()
    await _insert(pool, lines, micro=250_000)
    store, tz, limits = QueueLogStore(pool), SETTINGS.tz, Thresholds(20, 5)
    starts, ends = datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC)
    for by in By:
        expected = Buckets(bucket_key(by, tz), limits).add_all(
            # the domain sees the table's times, a quarter second earlier
            [QueueLogLine(line.time - timedelta(microseconds=250_000), line.callid,
                          line.queuename, line.agent, line.event, line.data)
             for line in lines]).sums
        got = dict(await store.sums_by(starts, ends, by.value, limits, tz))
        assert got == expected, by
    whole = await store.sums_by(starts, ends, "total", limits, tz)
    assert [sums for _, sums in whole] == [total(lines, limits)]


async def test_figures_over_a_range_of_days_with_the_agents_names(pool: asyncpg.Pool) -> None:
    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    await pool.execute("INSERT INTO users (username, display_name, role, password_hash,"
                       " extension) VALUES ('li', '李雷', 'agent', 'x', '1001')")
    await _insert(pool, [
        QueueLogLine(at, "1.1", "hotline", "PJSIP/1001", "CONNECT", ("4", "1.2", "2", "", "")),
        QueueLogLine(at + timedelta(seconds=30), "1.1", "hotline", "PJSIP/1001",
                     "COMPLETECALLER", ("4", "30", "1", "", "")),
        QueueLogLine(at, "2.1", "hotline", "PJSIP/1009", "CONNECT", ("25", "2.2", "2", "", "")),
        QueueLogLine(at, "3.1", "hotline", "NONE", "ABANDON", ("1", "1", "2", "", "")),
        # a member with a MemberName: Asterisk logs that on a call's lines
        QueueLogLine(at, "5.1", "hotline", "王芳", "CONNECT", ("5", "5.2", "2", "", "")),
        # the next day in Shanghai
        QueueLogLine(at + timedelta(days=1), "4.1", "hotline", "NONE", "ABANDON",
                     ("1", "1", "40", "", "")),
    ])
    reply = await queue_statistics.figures(pool, SETTINGS, date(2026, 12, 1),
                                           date(2026, 12, 1), "agent")
    assert reply["from"] == reply["to"] == "2026-12-01"
    assert {r["bucket"]: (r["agent_name"], r["answered"], r["offered"])
            for r in reply["rows"]} == {"PJSIP/1001": ("李雷", 1, 1),
                                        "PJSIP/1009": (None, 1, 1), "王芳": ("王芳", 1, 1),
                                        None: (None, 0, 1)}
    assert reply["rows"][-1]["bucket"] is None  # the callers no agent answered come last
    assert reply["total"]["offered"] == 4
    assert reply["total"]["short_abandoned"] == 1
    assert reply["total"]["service_level"] == round(2 / 3, 4)  # 2 of 3 within 20 s
    assert reply["total"]["average_talk_seconds"] == 30.0
    days = await queue_statistics.figures(pool, SETTINGS, date(2026, 12, 1),
                                          date(2026, 12, 2), "day")
    assert [(r["bucket"], r["offered"], r["abandoned"]) for r in days["rows"]] == [
        ("2026-12-01", 4, 0), ("2026-12-02", 1, 1)]


async def test_today_is_one_row_of_todays_lines(pool: asyncpg.Pool) -> None:
    now = datetime.now(UTC)
    await _insert(pool, [
        QueueLogLine(now, "1.1", "hotline", "PJSIP/1001", "CONNECT", ("3", "", "", "", "")),
        QueueLogLine(now - timedelta(days=2), "0.1", "hotline", "NONE", "ABANDON",
                     ("1", "1", "30", "", ""))])
    figures = await queue_statistics.today(pool, SETTINGS)
    assert figures == figures_from_sums(total([QueueLogLine(
        now, "1.1", "hotline", "PJSIP/1001", "CONNECT", ("3", "", "", "", ""))],
        Thresholds()), Thresholds())
    assert figures["offered"] == 1 and figures["average_answer_seconds"] == 3.0


@pytest.mark.parametrize(("start", "end", "by", "field"), [
    (date(2026, 12, 2), date(2026, 12, 1), "day", "to"),
    (date(2025, 1, 1), date(2026, 12, 1), "day", "to"),
    (date(2026, 12, 1), date(2026, 12, 1), "week", "by"),
])
async def test_a_bad_range_is_refused(pool: asyncpg.Pool, start: date, end: date, by: str,
                                      field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        await queue_statistics.figures(pool, SETTINGS, start, end, by)
    assert caught.value.details["field"] == field


async def _rows(pool: asyncpg.Pool) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await pool.fetch(
        "SELECT date_trunc('second', time), callid, queuename, agent, event,"
        " data1, data2, data3, data4, data5 FROM queue_log ORDER BY id")]


async def test_the_file_import_adds_what_the_table_lacks_once(pool: asyncpg.Pool,
                                                              tmp_path: Path) -> None:
    lines = _fixture_lines()
    # Asterisk reached PostgreSQL for the first half only
    await _insert(pool, lines[:20], micro=400_000)
    path = tmp_path / "queue_log"
    path.write_text(FIXTURE.read_text())
    assert await queue_statistics.import_file(pool, path) == len(lines) - 20
    assert await queue_statistics.import_file(pool, path) == 0
    assert len(await _rows(pool)) == len(lines)
    # a line Asterisk is still writing waits for its end of line
    with path.open("a") as out:
        out.write("1796141200|1796141199.9|hotline|NONE|ENTERQUEUE||138")
    assert await queue_statistics.import_file(pool, path) == 0
    with path.open("a") as out:
        out.write("00138000|1\n1796141205|1796141199.9|hotline|NONE|ABANDON|1|1|5\n")
    assert await queue_statistics.import_file(pool, path) == 2
    # the server's position lost (another database, a copied file): still nothing twice
    await pool.execute("DELETE FROM queue_log_file")
    assert await queue_statistics.import_file(pool, path) == 0
    assert len(await _rows(pool)) == len(lines) + 2


async def test_a_rotated_file_is_read_from_its_start(pool: asyncpg.Pool,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_text("1796141149|1796141149.4|hotline|NONE|ENTERQUEUE||13800138000|1\n")
    assert await queue_statistics.import_file(pool, path) == 1
    path.rename(tmp_path / "queue_log.0")
    path.write_text("1796141155|1796141149.4|hotline|NONE|ABANDON|1|1|6\n")
    assert await queue_statistics.import_file(pool, path) == 1
    assert await queue_statistics.import_file(pool, tmp_path / "missing") == 0


async def test_garbage_lines_are_skipped_not_fatal(pool: asyncpg.Pool, tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"\xff\xfe garbage\n1796141155|1.1|hotline|NONE|ABANDON|1|1|6\n\n")
    assert await queue_statistics.import_file(pool, path) == 1


async def test_a_one_column_row_is_split_into_the_fields(pool: asyncpg.Pool) -> None:
    # Asterisk writes "data" when it started while the table was out of reach
    await pool.execute(
        "INSERT INTO queue_log (time, callid, queuename, agent, event, data)"
        " VALUES ('2026-12-01 02:00:00.123456', '1.1', 'hotline', 'NONE', 'ABANDON',"
        " '1|1|6')")
    row = await pool.fetchrow("SELECT data, data1, data2, data3, data4, data5 FROM queue_log")
    assert tuple(row) == (None, "1", "1", "6", "", "")


async def test_asterisks_role_may_insert_lines_and_nothing_more(pool: asyncpg.Pool,
                                                                db_url: str) -> None:
    role, password = f"asterisk_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    store = QueueLogStore(pool)
    await store.grant_writer(role, password)
    await store.grant_writer(role, password)  # a restart: the same role, updated
    head, _, query = db_url.partition("?")
    scheme, _, rest = head.partition("://")
    as_asterisk = await asyncpg.connect(f"{scheme}://{role}:{password}@{rest.split('@')[-1]}"
                                        + (f"?{query}" if query else ""))
    try:
        assert await as_asterisk.fetchval("SHOW timezone") == "UTC"
        # Asterisk's own statement shape (queue_log_realtime_use_gmt: a UTC time as text)
        await as_asterisk.execute(
            "INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data2,"
            " data3) VALUES ('2026-12-01 02:00:00.5', '1.1', 'hotline', 'NONE', 'ABANDON',"
            " '1', '1', '6')")
        for statement in ("SELECT * FROM queue_log", "DELETE FROM queue_log",
                          "UPDATE queue_log SET event = 'X'", "SELECT * FROM users"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await as_asterisk.execute(statement)
    finally:
        await as_asterisk.close()
        await pool.execute(f'DROP OWNED BY "{role}"')
        await pool.execute(f'DROP ROLE "{role}"')
    assert await pool.fetchval("SELECT time FROM queue_log") == datetime(
        2026, 12, 1, 2, 0, 0, 500_000, tzinfo=UTC)



async def test_the_embedded_postgresql_listens_on_loopback_for_passwords_only(
        tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with embedded_postgres(tmp_path, port) as url:
        assert url.endswith(f"&port={port}")  # the server itself stays on the socket
        own = await asyncpg.connect(url)
        try:
            await own.execute(f"CREATE ROLE writer LOGIN PASSWORD '{scram_verifier('pw-1')}'")
        finally:
            await own.close()
        tcp = f"127.0.0.1:{port}/postgres"
        writer = await asyncpg.connect(f"postgresql://writer:pw-1@{tcp}")
        await writer.close()
        for who in ("writer:wrong", "postgres", "postgres:"):
            with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError):
                await asyncpg.connect(f"postgresql://{who}@{tcp}")


async def test_the_route_is_for_supervisors_and_defaults_to_today(
        db_url: str, fake_ami: FakeAmi) -> None:
    async with center_server(db_url, fake_ami.port, "boss") as server:
        await _insert(server.pool, [QueueLogLine(datetime.now(UTC), "1.1", "hotline",
                                                 "PJSIP/1001", "CONNECT", ("3", "", "", "", ""))])
        boss, li = await login(server.base_url, "boss"), await login(server.base_url, "li")
        try:
            status, reply = await boss.get("/api/queue/statistics?by=agent")
            assert status == 200, reply
            assert reply["from"] == reply["to"] == server.today.isoformat()
            assert [(r["bucket"], r["agent_name"]) for r in reply["rows"]] == [
                ("PJSIP/1001", "Li")]
            status, reply = await boss.get("/api/queue/statistics?from=2026-13-01")
            assert (status, reply["error_id"]) == (400, "invalid_input")
            status, reply = await li.get("/api/queue/statistics")
            assert (status, reply["error_id"]) == (403, "forbidden")
        finally:
            await boss.close()
            await li.close()
