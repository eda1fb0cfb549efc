"""A crash or an AMI gap loses no call: open call rows whose channels are gone when the
server (re)connects are closed from what their rows hold and what their recordings
say (a loopback AMI peer reports no live channel; the end-to-end crash tests do the same
against the real Asterisk)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from tests.console import running_server
from tests.integration.fake_ami import FakeAmi
from tests.integration.test_recordings import write_wav
from tests.waiting import first_result


async def _open_call(db_url: str, linkedid: str, direction: str, started: datetime,
                     state: str, answered_at: datetime | None = None) -> int:
    """A row as the registry leaves it while the call is up (services/calls.py)."""
    conn = await asyncpg.connect(db_url)
    try:
        customer = await conn.fetchval(
            "INSERT INTO customers (name) VALUES ('陈静') RETURNING id")
        task = await conn.fetchval(
            "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date)"
            " VALUES ('sales', $1, $2, current_date) RETURNING id", linkedid, customer)
        agent_answered = started + timedelta(seconds=2) if direction == "outbound" else None
        return await conn.fetchval(
            "INSERT INTO calls (linkedid, direction, customer_id, started_at, state,"
            " followup_task_id, agent_answered_at, answered_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $4::timestamptz + interval '3 seconds')"
            " RETURNING id",
            linkedid, direction, customer, started, state,
            task if direction == "outbound" else None, agent_answered, answered_at)
    finally:
        await conn.close()


async def test_calls_that_ended_while_unseen_are_closed(db_url: str, fake_ami: FakeAmi,
                                                         tmp_path: Path) -> None:
    started = datetime.now(UTC) - timedelta(minutes=5)
    # Answered before the crash, hung up while no server watched: 2 s were recorded.
    recorded = await _open_call(db_url, "cc-recorded", "outbound", started, "answered",
                                started + timedelta(seconds=5))
    silent = await _open_call(db_url, "cc-silent", "outbound", started, "customer_ringing")
    waiting = await _open_call(db_url, "1795464557.23", "inbound", started, "queued")
    in_ivr = await _open_call(db_url, "1795464557.40", "inbound", started, "ivr")
    wav = tmp_path / f"{started:%Y/%m/%d}" / "cc-recorded.wav"
    write_wav(wav, 2.0)
    hung_up_at = started + timedelta(seconds=7)
    os.utime(wav, (hung_up_at.timestamp(), hung_up_at.timestamp()))
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0",
           "CALLCENTER_RECORDINGS_TRANSCRIBER": "none"}
    async with running_server(db_url, env, recordings_dir=tmp_path) as server:
        # The loopback Asterisk reports no channels: all three calls are over.
        await first_result(lambda: server.pool.fetchval(
            "SELECT count(*) = 4 FROM calls WHERE ended_at IS NOT NULL"))
        rows = {r["id"]: r for r in await server.pool.fetch("SELECT * FROM calls")}
        assert {i: r["disposition"] for i, r in rows.items()} == {
            recorded: "answered", silent: "no_answer", waiting: "abandoned", in_ivr: "ivr"}
        assert all(r["ended_unseen"] for r in rows.values())
        # The recording's closing time is the hang-up; the answer time stays the row's.
        assert rows[recorded]["ended_at"] == hung_up_at
        assert rows[recorded]["answered_at"] == started + timedelta(seconds=5)
        # Without a recording, the last fact the row holds is the best there is.
        assert rows[silent]["ended_at"] == started + timedelta(seconds=3)
        # The answered one counts as an attempt, its recording is linked; the failed one
        # is a not-reached attempt that puts its task on "call again".
        recording = await first_result(lambda: server.pool.fetchrow(
            "SELECT status, duration_ms FROM recordings WHERE call_id = $1", recorded))
        assert recording["status"] != "missing" and recording["duration_ms"] == 2000
        status = await server.pool.fetchval(
            "SELECT t.status FROM followup_tasks t JOIN calls c ON c.followup_task_id = t.id"
            " WHERE c.id = $1", silent)
        assert status == "call_again"


async def test_a_call_whose_recording_a_pbx_crash_cut_is_answered_with_its_times(
        db_url: str, fake_ami: FakeAmi, tmp_path: Path) -> None:
    """Asterisk died mid-call: its WAV header still says 0 bytes of audio. The server
    missed the answer too, so only the repaired file tells that (and when) it was."""
    started = datetime.now(UTC) - timedelta(minutes=5)
    cut = await _open_call(db_url, "cc-cut", "outbound", started, "customer_ringing")
    wav = tmp_path / f"{started:%Y/%m/%d}" / "cc-cut.wav"
    write_wav(wav, 4.0)
    with wav.open("r+b") as f:  # as MixMonitor leaves it until it closes the file
        f.seek(4)
        f.write((36).to_bytes(4, "little"))
        f.seek(40)
        f.write((0).to_bytes(4, "little"))
    crashed_at = started + timedelta(seconds=9)
    os.utime(wav, (crashed_at.timestamp(), crashed_at.timestamp()))
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0",
           "CALLCENTER_RECORDINGS_TRANSCRIBER": "none"}
    async with running_server(db_url, env, recordings_dir=tmp_path) as server:
        row = await first_result(lambda: server.pool.fetchrow(
            "SELECT * FROM calls WHERE id = $1 AND ended_at IS NOT NULL", cut))
        assert row["disposition"] == "answered" and row["ended_unseen"]
        assert row["ended_at"] == crashed_at
        assert row["answered_at"] == crashed_at - timedelta(seconds=4)
