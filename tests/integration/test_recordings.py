"""Recordings on the real server and PostgreSQL, with WAV files made here (the calls
that make them through Asterisk are in tests/e2e/test_recordings_calls.py): the pipeline,
search, Range playback, who may play what, the audit trail, reconciliation, retention,
and a conversion killed with SIGKILL."""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import random
import signal
import struct
import sys
import wave
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from callcenter.services.recordings import RecordingWorker, purge_expired, reconcile
from callcenter.services.transcripts import NoTranscriber
from tests.console import AgentSession, ConsoleServer, running_server
from tests.integration.fake_ami import FakeAmi
from tests.waiting import first_result


def write_wav(path: Path, seconds: float, rate: int = 8000) -> None:
    """A tone with some noise: MixMonitor's format (8 kHz, 16-bit, mono)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    frames = b"".join(
        struct.pack("<h", int(6000 * math.sin(i / 7) * (1 + math.sin(i / 4000)) / 2
                              + rng.randint(-300, 300)))
        for i in range(int(seconds * rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)


async def add_recorded_call(pool: asyncpg.Pool, root: Path, *, agent_id: int,
                            customer: str = "张伟", phone: str = "+8613800138000",
                            notes: str | None = None, seconds: float = 3.0,
                            started: datetime | None = None) -> tuple[int, int]:
    """A finished answered call with its MixMonitor WAV linked, as call tracking does."""
    started = started or datetime.now(UTC)
    linkedid = f"cc-{os.urandom(6).hex()}"
    relative = f"{started:%Y/%m/%d}/{linkedid}.wav"
    await asyncio.to_thread(write_wav, root / relative, seconds)
    async with pool.acquire() as conn, conn.transaction():
        customer_id = await conn.fetchval(
            "INSERT INTO customers (name) VALUES ($1) RETURNING id", customer)
        await conn.execute("INSERT INTO customer_phones (customer_id, e164) VALUES ($1, $2)",
                           customer_id, phone)
        call_id = await conn.fetchval(
            "INSERT INTO calls (linkedid, direction, customer_id, agent_id, callee_number,"
            " started_at, answered_at, ended_at, disposition, state, category, notes)"
            " VALUES ($1, 'outbound', $2, $3, $4, $5, $5, $6, 'answered', 'ended',"
            " 'followup', $7) RETURNING id",
            linkedid, customer_id, agent_id, phone, started, started + timedelta(seconds=3),
            notes)
        recording_id = await conn.fetchval(
            "INSERT INTO recordings (call_id, path, format, status) VALUES ($1, $2, 'wav',"
            " 'ready') RETURNING id", call_id, relative)
    return call_id, recording_id


async def jobs_left(pool: asyncpg.Pool) -> int:
    return await pool.fetchval("SELECT count(*) FROM recording_jobs")


async def processed(pool: asyncpg.Pool, recording_id: int, timeout: float = 20) -> dict:
    async def done() -> dict | None:
        row = await pool.fetchrow("SELECT * FROM recordings WHERE id = $1", recording_id)
        left = await pool.fetchval(
            "SELECT count(*) FROM recording_jobs WHERE recording_id = $1", recording_id)
        return dict(row) if row["format"] == "mp3" and left == 0 else None

    return await first_result(done, timeout)


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi,
                 tmp_path: Path) -> AsyncIterator[ConsoleServer]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0",
           "CALLCENTER_RECORDINGS_TRANSCRIBER": "none"}
    async with running_server(db_url, env, recordings_dir=tmp_path / "rec") as srv:
        srv.ids = {name: await srv.add_agent(name, ext, role) for name, ext, role in (
            ("li", "1001", "agent"), ("wang", "1002", "agent"), ("zhao", None, "supervisor"))}
        yield srv


@pytest.fixture
async def sessions(server: ConsoleServer) -> AsyncIterator[dict[str, AgentSession]]:
    logged = {name: await server.login(name) for name in ("li", "wang", "zhao")}
    yield logged
    for session in logged.values():
        await session.close()


async def test_pipeline_converts_verifies_and_removes_the_original(
        server: ConsoleServer) -> None:
    root = server.settings.recordings_dir
    _, rec = await add_recorded_call(server.pool, root, agent_id=server.ids["li"],
                                     seconds=4)
    row = await processed(server.pool, rec)
    mp3 = root / row["path"]
    assert row["path"].endswith(".mp3") and row["status"] == "ready"
    assert mp3.is_file() and not mp3.with_suffix(".wav").exists()
    assert row["sha256"] == hashlib.sha256(mp3.read_bytes()).hexdigest()
    assert row["size_bytes"] == mp3.stat().st_size
    assert abs(row["duration_ms"] - 4000) < 100
    assert len(row["peaks"]) == 200 and max(row["peaks"]) > 10
    assert row["original_sha256"] and row["original_sha256"] != row["sha256"]
    assert row["agent_id"] == server.ids["li"] and row["phone"] == "13800138000"


async def test_search_by_customer_phone_digits_agent_text_with_keyset_pages(
        server: ConsoleServer, sessions: dict[str, AgentSession]) -> None:
    root, pool = server.settings.recordings_dir, server.pool
    base = datetime.now(UTC) - timedelta(hours=1)
    made = []
    for n in range(5):
        made.append(await add_recorded_call(
            pool, root, agent_id=server.ids["li" if n % 2 else "wang"],
            customer=f"王{n}芳" if n else "欧阳娜娜", phone=f"+861390000{n:04d}",
            started=base + timedelta(minutes=n), notes=None if n else "客户反映刹车有异响"))
    for _, rec in made:
        await processed(pool, rec)
    zhao = sessions["zhao"]

    async def ids(query: str) -> list[int]:
        status, body = await zhao.get(f"/api/recordings?{query}")
        assert status == 200, body
        return [item["id"] for item in body["items"]]

    first = made[0][1]
    assert await ids("customer=欧阳") == [first]
    assert await ids("phone=0000") == [first]                       # the last 4 digits
    assert await ids("phone=1390000&phone_match=start") == [r for _, r in made][::-1]
    assert await ids("q=刹车") == [first]
    assert await ids("q=异响 刹车") == [first]
    assert await ids(f"agent_id={server.ids['li']}") == [made[3][1], made[1][1]]
    # Notes written at wrap-up, after the recording was indexed, are found too.
    await pool.execute("UPDATE calls SET notes = '预约下周保养' WHERE id = $1", made[4][0])
    await first_result(lambda: ids("q=保养"), timeout=10)
    assert await ids("q=保养") == [made[4][1]]
    # Keyset pages: 2 + 2 + 1, newest first, with the total on every page.
    seen, cursor = [], ""
    while True:
        status, body = await zhao.get(f"/api/recordings?limit=2{cursor}")
        assert status == 200 and body["total"] == 5
        seen += [item["id"] for item in body["items"]]
        if not body["next_cursor"]:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert seen == [r for _, r in made][::-1]
    # An agent sees only their own calls, whatever they ask for.
    status, body = await sessions["li"].get(f"/api/recordings?agent_id={server.ids['wang']}")
    assert {i["agent_id"] for i in body["items"]} == {server.ids["li"]}
    for bad in ("from=yesterday", "phone=12", "direction=sideways", "cursor=zzz"):
        status, body = await zhao.get(f"/api/recordings?{bad}")
        assert (status, body["error_id"]) == (400, "invalid_input"), bad


async def test_range_requests_return_exactly_the_bytes_asked_for(
        server: ConsoleServer, sessions: dict[str, AgentSession]) -> None:
    root = server.settings.recordings_dir
    _, rec = await add_recorded_call(server.pool, root, agent_id=server.ids["li"])
    row = await processed(server.pool, rec)
    data = (root / row["path"]).read_bytes()
    http = sessions["zhao"].http
    resp = await http.get(f"/api/recordings/{rec}/audio", headers={"Range": "bytes=100-1099"})
    assert resp.status == 206
    assert resp.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert await resp.read() == data[100:1100]
    resp = await http.get(f"/api/recordings/{rec}/audio", headers={"Range": "bytes=-50"})
    assert (resp.status, await resp.read()) == (206, data[-50:])
    resp = await http.get(f"/api/recordings/{rec}/audio")
    assert resp.status == 200 and resp.headers["Content-Type"] == "audio/mpeg"
    assert await resp.read() == data
    resp = await http.get(f"/api/recordings/{rec}/audio",
                          headers={"Range": f"bytes={len(data) + 10}-"})
    assert resp.status == 416


async def test_who_may_play_what_and_every_play_is_audited(
        server: ConsoleServer, sessions: dict[str, AgentSession]) -> None:
    root, pool = server.settings.recordings_dir, server.pool
    _, rec = await add_recorded_call(pool, root, agent_id=server.ids["li"])
    await processed(pool, rec)
    url = f"/api/recordings/{rec}/audio"
    assert (await sessions["li"].http.get(url)).status == 200
    assert (await sessions["zhao"].http.get(url + "?download=1")).status == 200
    resp = await sessions["wang"].http.get(url)
    assert (resp.status, (await resp.json())["error_id"]) == (403, "forbidden")
    for path in (url, f"/api/recordings/{rec}", f"/api/recordings/{rec}/waveform"):
        assert (await sessions["wang"].http.get(path)).status == 403
    async with aiohttp.ClientSession(server.base_url) as anonymous:
        for path in (url, "/api/recordings", "/api/audit"):
            assert (await anonymous.get(path)).status == 401
    status, body = await sessions["zhao"].get("/api/audit?target_type=recording")
    assert status == 200
    rows = [(r["actor"], r["action"], r["target_id"]) for r in body["items"]]
    assert ("li", "recording.play", str(rec)) in rows
    assert ("zhao", "recording.download", str(rec)) in rows
    assert all(r["remote_addr"] == "127.0.0.1" and r["at"] for r in body["items"])
    assert (await sessions["li"].get("/api/audit"))[0] == 403
    status, body = await sessions["li"].get(f"/api/recordings/{rec}")
    assert status == 200 and len(body["recording"]["peaks"]) == 200
    assert "path" not in body["recording"]


async def test_path_traversal_is_refused(server: ConsoleServer,
                                         sessions: dict[str, AgentSession]) -> None:
    zhao = sessions["zhao"].http
    for path in ("/api/recordings/..%2F..%2Fetc%2Fpasswd/audio",
                 "/api/recordings/1%2F..%2F..%2Fetc%2Fpasswd/audio",
                 "/api/recordings/-1/audio", "/static/..%2F..%2Fetc%2Fpasswd"):
        resp = await zhao.get(path)
        assert resp.status in (400, 403, 404), path
        assert b"root:" not in await resp.read()
    # A row that names a file outside the folder (by hand or by a bug) is not served.
    call_id, _ = await add_recorded_call(server.pool, server.settings.recordings_dir,
                                         agent_id=server.ids["li"])
    evil = await server.pool.fetchval(
        "INSERT INTO recordings (call_id, path, format, status) VALUES"
        " ($1, '../../../../etc/passwd', 'mp3', 'ready') RETURNING id", call_id)
    resp = await zhao.get(f"/api/recordings/{evil}/audio")
    assert resp.status == 400 and b"root:" not in await resp.read()


async def test_reconciler_reports_an_orphan_file_and_a_missing_file(
        server: ConsoleServer) -> None:
    root, pool = server.settings.recordings_dir, server.pool
    _, kept = await add_recorded_call(pool, root, agent_id=server.ids["li"])
    _, lost = await add_recorded_call(pool, root, agent_id=server.ids["li"])
    await processed(pool, kept)
    lost_row = await processed(pool, lost)
    (root / lost_row["path"]).unlink()
    orphan = root / "2026/01/02/transferred-1.wav"
    write_wav(orphan, 1)
    report = await reconcile(pool, root, min_age=0)
    assert report.orphans == ["2026/01/02/transferred-1.wav"]
    assert report.missing == [lost]


async def test_retention_purge_removes_the_file_marks_the_row_and_audits(
        server: ConsoleServer) -> None:
    root, pool = server.settings.recordings_dir, server.pool
    old_start = datetime.now(UTC) - timedelta(days=40)
    _, old = await add_recorded_call(pool, root, agent_id=server.ids["li"], started=old_start)
    _, new = await add_recorded_call(pool, root, agent_id=server.ids["li"])
    old_row = await processed(pool, old)
    await processed(pool, new)
    assert await purge_expired(pool, root, days=30) == 1
    assert not (root / old_row["path"]).exists()
    rows = {r["id"]: r for r in await pool.fetch("SELECT id, status, purged_at FROM recordings")}
    assert rows[old]["status"] == "purged" and rows[old]["purged_at"] is not None
    assert rows[new]["status"] == "ready"
    audit = await pool.fetch("SELECT action, target_id FROM audit_log")
    assert [(a["action"], a["target_id"]) for a in audit] == [("recording.purge", str(old))]
    assert await purge_expired(pool, root, days=30) == 0


KILLABLE_WORKER = """
import asyncio, sys
from pathlib import Path
from callcenter.db.database import create_pool
from callcenter.services.recordings import RecordingWorker
from callcenter.services.transcripts import NoTranscriber

async def main():
    pool = await create_pool(sys.argv[1], min_size=1, max_size=2)
    await RecordingWorker(pool, Path(sys.argv[2]), NoTranscriber(), lease_seconds=2).drain()

asyncio.run(main())
"""


async def test_pipeline_killed_mid_conversion_finishes_after_restart(
        pool: asyncpg.Pool, db_url: str, tmp_path: Path) -> None:
    root = tmp_path / "rec"
    agent = await pool.fetchval(
        "INSERT INTO users (username, display_name, role, password_hash, extension)"
        " VALUES ('li', 'Li', 'agent', 'x', '1001') RETURNING id")
    # Long enough that the conversion is still running when the worker is killed.
    _, rec = await add_recorded_call(pool, root, agent_id=agent, seconds=900)
    wav = root / (await pool.fetchval("SELECT path FROM recordings WHERE id=$1", rec))
    part = wav.with_suffix(".mp3.part")
    worker = await asyncio.create_subprocess_exec(sys.executable, "-c", KILLABLE_WORKER,
                                                  db_url, str(root))
    try:
        await first_result(lambda: asyncio.to_thread(part.exists), timeout=30, every=0.01)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        await worker.wait()
    assert wav.is_file() and not wav.with_suffix(".mp3").exists()
    assert await pool.fetchval("SELECT format FROM recordings WHERE id=$1", rec) == "wav"
    # A new worker takes the job once the dead one's lease has run out.
    await asyncio.sleep(2.1)
    restarted = RecordingWorker(pool, root, NoTranscriber(), lease_seconds=2)
    assert await restarted.drain() >= 1
    rows = await pool.fetch("SELECT * FROM recordings")
    assert len(rows) == 1 and rows[0]["format"] == "mp3" and rows[0]["status"] == "ready"
    assert abs(rows[0]["duration_ms"] - 900_000) < 500
    files = sorted(p.name for p in root.rglob("*") if p.is_file())
    assert files == [wav.with_suffix(".mp3").name]
    assert await jobs_left(pool) == 0
