"""Recordings on the real server and PostgreSQL, with WAV files made here (the calls
that make them through Asterisk are in tests/e2e/test_recordings_calls.py): the pipeline,
search, Range playback, who may play what, the audit trail, reconciliation, retention,
a conversion killed with SIGKILL, a WAV cut by a PBX crash, empty files of unanswered
attempts, and an event loop that keeps running while a call is transcribed."""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time
import wave
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from callcenter.services.recordings import (
    RecordingWorker,
    ffmpeg,
    purge_expired,
    reconcile,
    tidy_files,
)
from callcenter.services.transcripts import NoTranscriber, PocketsphinxTranscriber
from tests.console import AgentSession, ConsoleServer, running_server
from tests.integration.fake_ami import FakeAmi
from tests.waiting import first_result


def write_wav(path: Path, seconds: float, rate: int = 8000) -> None:
    """A tone with some noise: MixMonitor's format (8 kHz, 16-bit, mono)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    total = int(seconds * rate)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        # a second at a time: one join of a 15-minute file holds the GIL for too long
        for start in range(0, total, rate):
            w.writeframes(b"".join(
                struct.pack("<h", int(6000 * math.sin(i / 7) * (1 + math.sin(i / 4000)) / 2
                                      + rng.randint(-300, 300)))
                for i in range(start, min(start + rate, total))))


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
        assert status == 200 and (body["total"], body["total_is_lower_bound"]) == (5, False)
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
    audit = await pool.fetch(
        "SELECT action, target_id FROM audit_log WHERE target_type = 'recording'")
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


def cut_by_a_crash(path: Path) -> None:
    """What a kill -9 of Asterisk leaves: the samples, under format_wav's opening header
    (RIFF and data sizes 0)."""
    with path.open("r+b") as f:
        f.seek(4)
        f.write(struct.pack("<I", 0))
        f.seek(40)
        f.write(struct.pack("<I", 0))


async def test_the_worker_repairs_a_cut_recording_before_converting_it(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    root = tmp_path / "rec"
    agent = await pool.fetchval(
        "INSERT INTO users (username, display_name, role, password_hash, extension)"
        " VALUES ('li', 'Li', 'agent', 'x', '1001') RETURNING id")
    _, rec = await add_recorded_call(pool, root, agent_id=agent, seconds=6)
    wav = root / (await pool.fetchval("SELECT path FROM recordings WHERE id = $1", rec))
    cut_by_a_crash(wav)
    assert await RecordingWorker(pool, root, NoTranscriber()).drain() >= 1
    row = await pool.fetchrow("SELECT * FROM recordings WHERE id = $1", rec)
    assert (row["status"], row["format"], row["last_error"]) == ("ready", "mp3", None)
    assert abs(row["duration_ms"] - 6000) < 100 and max(row["peaks"]) > 10
    assert not wav.exists() and (root / row["path"]).is_file()


async def test_empty_files_of_unanswered_attempts_are_removed_cut_ones_repaired(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    root = tmp_path / "rec"
    agent = await pool.fetchval(
        "INSERT INTO users (username, display_name, role, password_hash, extension)"
        " VALUES ('li', 'Li', 'agent', 'x', '1001') RETURNING id")
    day = root / "2026" / "05" / "09"
    _, rec = await add_recorded_call(pool, root, agent_id=agent, seconds=1)
    with_row = root / (await pool.fetchval("SELECT path FROM recordings WHERE id = $1", rec))
    header = with_row.read_bytes()[:44]
    files = {
        "unanswered": header,                       # a click-to-call nobody answered
        "waiting": header,                          # a caller still in the queue
        "young": header,                            # an attempt of a minute ago
        "crashed": header + b"\x01\x02" * 8000,   # cut by a crash, nobody linked it
    }
    day.mkdir(parents=True)
    for name, content in files.items():
        (day / f"{name}.wav").write_bytes(content)
    cut_by_a_crash(day / "crashed.wav")
    with_row.write_bytes(header)  # a row's file is never touched, empty or not
    long_ago = time.time() - 3600
    for path in [*day.iterdir(), with_row]:
        if path.name != "young.wav":
            os.utime(path, (long_ago, long_ago))
    await pool.execute(
        "INSERT INTO calls (linkedid, direction, started_at, state)"
        " VALUES ('waiting', 'inbound', now() - interval '1 hour', 'queued')")
    repaired, removed = await tidy_files(pool, root, min_age=600)
    assert removed == ["2026/05/09/unanswered.wav"]
    assert repaired == ["2026/05/09/crashed.wav"]
    assert sorted(p.name for p in day.iterdir()) == ["crashed.wav", "waiting.wav",
                                                      "young.wav"]
    with wave.open(str(day / "crashed.wav")) as w:
        assert w.getnframes() == 8000
    assert with_row.read_bytes() == header
    # the reconciler tidies the same way, and reports what it did
    (day / "unanswered-2.wav").write_bytes(header)
    os.utime(day / "unanswered-2.wav", (long_ago, long_ago))
    report = await reconcile(pool, root, min_age=600)
    assert report.removed == ["2026/05/09/unanswered-2.wav"] and report.repaired == []
    assert "2026/05/09/unanswered-2.wav" not in report.orphans
    assert "2026/05/09/crashed.wav" in report.orphans


# -- the event loop keeps running while a call is transcribed ----------------------------

MAX_STALL = 0.2  # seconds; the AMI link is declared dead after 3 s without a Pong


def speech_wav(path: Path, seconds: float) -> None:
    """English speech at MixMonitor's 8 kHz (espeak-ng, then ffmpeg)."""
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is not installed (scripts/test installs it)"
    sentence = ("The customer called about a brake noise on the new car and asked for a "
                "service appointment next Tuesday morning. ")
    raw = path.with_suffix(".22k.wav")
    subprocess.run([espeak, "-v", "en-us", "-w", str(raw), sentence * 8], check=True)
    subprocess.run([ffmpeg(), "-nostdin", "-v", "error", "-y", "-i", str(raw), "-t",
                    str(seconds), "-ar", "8000", "-ac", "1", "-c:a", "pcm_s16le", str(path)],
                   check=True)
    raw.unlink()


class Ticker:
    """Measures how late the event loop runs a 10 ms timer."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, loop.time() - before - 0.01)

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0.05)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def test_transcribing_a_call_never_stalls_the_event_loop(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    """pocketsphinx holds the GIL while it decodes: run in a thread, it froze the loop
    for 17 s on a 30 s call. The whole pipeline (conversion, transcription, index) runs
    here on a real recording while the loop is timed."""
    root = tmp_path / "rec"
    agent = await pool.fetchval(
        "INSERT INTO users (username, display_name, role, password_hash, extension)"
        " VALUES ('li', 'Li', 'agent', 'x', '1001') RETURNING id")
    _, rec = await add_recorded_call(pool, root, agent_id=agent, seconds=0.1)
    wav = root / (await pool.fetchval("SELECT path FROM recordings WHERE id = $1", rec))
    await asyncio.to_thread(speech_wav, wav, 12)
    worker = RecordingWorker(pool, root, PocketsphinxTranscriber())
    async with Ticker() as ticker:
        started = time.monotonic()
        assert await worker.drain() >= 3  # process, index, transcribe, index again
        took = time.monotonic() - started
    row = await pool.fetchrow("SELECT * FROM recordings WHERE id = $1", rec)
    assert row["format"] == "mp3" and abs(row["duration_ms"] - 12_000) < 100
    assert row["transcript"] and row["search_tsv"] is not None
    assert ticker.worst < MAX_STALL, (
        f"the event loop stalled {ticker.worst:.3f} s during a {took:.1f} s pipeline")


class SleepingTranscriber:
    """Stands for a long transcription: writes its pid, then sleeps."""

    name = "sleeping"

    def __init__(self, pid_file: Path) -> None:
        self.pid_file = pid_file

    def transcribe(self, pcm: bytes) -> str:
        self.pid_file.write_text(str(os.getpid()))
        time.sleep(120)
        return ""


async def test_closing_the_worker_ends_the_transcribing_process(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    root = tmp_path / "rec"
    agent = await pool.fetchval(
        "INSERT INTO users (username, display_name, role, password_hash, extension)"
        " VALUES ('li', 'Li', 'agent', 'x', '1001') RETURNING id")
    await add_recorded_call(pool, root, agent_id=agent, seconds=1)
    pid_file = tmp_path / "transcriber.pid"
    worker = RecordingWorker(pool, root, SleepingTranscriber(pid_file), poll_seconds=0.05)
    worker.start()
    try:
        await first_result(lambda: asyncio.to_thread(pid_file.exists), timeout=30)
        pid = int(pid_file.read_text())
    finally:
        await worker.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
