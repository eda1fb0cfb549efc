"""A recording survives a PBX crash: a bridged click-to-call with speech through the
sandbox Asterisk, ``kill -9`` of Asterisk mid-call, then Asterisk started again. The
MixMonitor file holds the flushed samples under a header that says "no audio"; the
server's pipeline repairs it and keeps what was said up to the crash, less the unflushed
stdio buffer (at most 32 KiB: 2.048 s at 8 kHz). Also: an attempt that never bridged
leaves no file behind.

The test session holds the sandbox (conftest ``sandbox_env``); Asterisk is left running.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callcenter.recordings_files import holds_no_audio, layout
from callcenter.services.recordings import decode_pcm, ffmpeg, tidy_files
from tests.console import AgentSession, ConsoleServer, running_server
from tests.harness import sandbox
from tests.harness.sipp import PCAPS, SCENARIOS, Sipp, _common_args, _free_block, start_phone
from tests.waiting import first_result

AGENT_PORT, CUSTOMER_PORT = 16001, 16100
SPEECH = PCAPS / "g711a.pcap"  # what uas_answer.xml plays: 7.05 s of speech, once
BUFFER_SECONDS = 32768 / 16000  # ast_writefile's stdio buffer, in 8 kHz 16-bit audio
SPOKEN_BEFORE_KILL = 11.0  # seconds of bridged speech before Asterisk is killed


@pytest.fixture
async def server(db_url: str, sandbox_env: dict[str, str],
                 tmp_path: Path) -> AsyncIterator[ConsoleServer]:
    env = {**sandbox_env, "CALLCENTER_RECORDINGS_TRANSCRIBER": "none",
           "CALLCENTER_AMI_RECONNECT_MAX": "1"}
    async with running_server(db_url, env) as srv:
        srv.agent_id = await srv.add_agent("li", "1001")
        await srv.add_agent("zhao", None, role="supervisor")
        await srv.quiet_asterisk()
        yield srv


def speech_alaw(path: Path) -> None:
    """About 20 s of English speech as 8 kHz A-law, what sipp's rtp_stream sends."""
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is not installed (scripts/test installs it)"
    raw = path.with_suffix(".22k.wav")
    sentence = "The customer called about a brake noise and asked for an appointment. "
    subprocess.run([espeak, "-v", "en-us", "-w", str(raw), sentence * 5], check=True)
    subprocess.run([ffmpeg(), "-nostdin", "-v", "error", "-y", "-i", str(raw), "-ar", "8000",
                    "-ac", "1", "-c:a", "pcm_alaw", str(path)], check=True)
    raw.unlink()


async def talking_customer(port: int) -> Sipp:
    """The trunk's customer: answers and speaks without a pause (speech looped for as
    long as the call lasts), waiting for a BYE that a killed PBX never sends."""
    workdir = Path(tempfile.mkdtemp(prefix=f"sipp-talking-{port}-"))
    audio = workdir / "speech.alaw.wav"
    await asyncio.to_thread(speech_alaw, audio)
    text = (SCENARIOS / "uas_answer.xml").read_text()
    pcap = f'<exec play_pcap_audio="{SPEECH}"/>'
    assert pcap in text and "m=audio [media_port] " in text, "uas_answer.xml changed"
    text = text.replace(pcap, f'<exec rtp_stream="{audio},-1,8,PCMA/8000"/>')
    text = text.replace("m=audio [media_port] ", "m=audio [rtpstream_audio_port] ")
    (workdir / "talking.xml").write_text(text)
    media = _free_block()
    args = ["-sf", str(workdir / "talking.xml"), "-p", str(port),
            *_common_args("talking", media, 1)]
    return await Sipp(f"talking customer on {port}", args, workdir, media).start()


def kill_asterisk() -> float:
    """SIGKILL, as a crash: nothing is flushed, no file is closed. Returns when (epoch
    seconds) the signal was sent, once the process is gone (a zombie counts as gone:
    its parent may be slow to reap it)."""
    pid = int((sandbox.state_dir() / "asterisk.pid").read_text())
    killed_at = time.time()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except FileNotFoundError:
            return killed_at
        if state in ("Z", "X"):
            return killed_at
        time.sleep(0.02)
    raise AssertionError(f"Asterisk {pid} outlived SIGKILL")


async def recording_path(server: ConsoleServer, linkedid: str) -> Path:
    root = Path(server.settings.recordings_dir)

    def find() -> Path | None:
        return next(root.glob(f"*/*/*/{linkedid}.wav"), None)

    return await first_result(lambda: asyncio.to_thread(find), timeout=15, every=0.1)


async def test_audio_recorded_before_a_pbx_crash_is_kept(server: ConsoleServer) -> None:
    agent: AgentSession = await server.login("li")
    supervisor = await server.login("zhao")
    try:
        await agent.open_ws()
        seeded = await server.seed_followup(phone="+8613912345678", name="诸葛亮")
        async with await start_phone(AGENT_PORT, "uas_answer", hold=60) as _, \
                await talking_customer(CUSTOMER_PORT) as _:
            status, body = await agent.post("/api/calls", {"followup_id": seeded.followup_id,
                                                           "phone": seeded.phone})
            assert status == 202, body
            call_id, linkedid = body["call"]["id"], body["call"]["linkedid"]
            await agent.wait_state(call_id, "answered", timeout=30)
            seen_answered = time.time()
            wav = await recording_path(server, linkedid)
            await asyncio.sleep(SPOKEN_BEFORE_KILL - (time.time() - seen_answered))
            try:
                killed_at = await asyncio.to_thread(kill_asterisk)
                # What the crash left, before anything touches the file.
                cut = await asyncio.to_thread(layout, wav)
                head = await asyncio.to_thread(lambda: wav.read_bytes()[:44])
            finally:
                await asyncio.to_thread(sandbox.start)
        assert cut is not None, f"{wav.name} is not a WAV file after the crash"
        assert cut.data_size == 0, "the header was complete: not a crash-cut file?"
        on_disk = cut.on_disk / 16000  # seconds of 8 kHz 16-bit samples

        async def converted() -> dict | None:
            row = await server.pool.fetchrow(
                "SELECT r.*, (SELECT count(*) FROM recording_jobs j"
                "             WHERE j.recording_id = r.id) AS jobs"
                " FROM recordings r WHERE call_id = $1", call_id)
            return dict(row) if row and row["format"] == "mp3" and row["jobs"] == 0 else None

        row = await first_result(converted, timeout=90, every=0.3)
        assert row["status"] == "ready", row["last_error"]
        call = await server.pool.fetchrow("SELECT * FROM calls WHERE id = $1", call_id)
        assert call["ended_at"] is not None and call["disposition"] == "answered"
        # Spoken: from the customer's answer (Asterisk's clock) to the kill.
        spoken = killed_at - call["answered_at"].timestamp()
        kept = row["duration_ms"] / 1000
        print(f"\ncrash after {spoken:.2f} s of bridged speech: file {cut.file_size} bytes,"
              f" header RIFF size {struct.unpack_from('<I', head, 4)[0]}, data size "
              f"{cut.data_size}: {on_disk:.3f} s of samples on disk; kept {kept:.3f} s,"
              f" lost {spoken - kept:.2f} s")
        assert spoken - BUFFER_SECONDS - 0.5 <= on_disk <= spoken + 0.2
        assert abs(kept - on_disk) < 0.1
        assert max(row["peaks"]) > 10  # speech, not silence
        # What the supervisor plays back decodes to that length.
        resp = await supervisor.http.get(f"/api/recordings/{row['id']}/audio")
        assert resp.status == 200
        with tempfile.NamedTemporaryFile(suffix=".mp3") as copy:
            copy.write(await resp.read())
            copy.flush()
            pcm = await asyncio.to_thread(decode_pcm, Path(copy.name), 8000)
        assert abs(len(pcm) / 16000 - kept) < 0.3
    finally:
        await agent.close()
        await supervisor.close()


async def test_an_attempt_that_never_bridged_leaves_no_file(server: ConsoleServer) -> None:
    agent: AgentSession = await server.login("li")
    try:
        await agent.open_ws()
        seeded = await server.seed_followup(phone="+8613912345679", name="司马懿")
        async with await start_phone(AGENT_PORT, "uas_answer", hold=30) as _, \
                await start_phone(CUSTOMER_PORT, "uas_busy") as _:
            status, body = await agent.post("/api/calls", {"followup_id": seeded.followup_id,
                                                           "phone": seeded.phone})
            assert status == 202, body
            call_id, linkedid = body["call"]["id"], body["call"]["linkedid"]
            wav = await recording_path(server, linkedid)
            await agent.wait_state(call_id, "ended", timeout=30)
        # MixMonitor created the file when the agent's leg reached it, bridged or not.
        assert await asyncio.to_thread(holds_no_audio, wav)
        root = Path(server.settings.recordings_dir)
        # untouched for 10 minutes (min_age), as the hourly tidy-up sees it
        long_ago = time.time() - 3600
        await asyncio.to_thread(os.utime, wav, (long_ago, long_ago))
        _, removed = await tidy_files(server.pool, root, min_age=600)
        relative = await asyncio.to_thread(
            lambda: wav.resolve().relative_to(root.resolve()).as_posix())
        assert relative in removed
        assert not await asyncio.to_thread(wav.exists)
        assert await server.pool.fetchval(
            "SELECT count(*) FROM recordings WHERE call_id = $1", call_id) == 0
    finally:
        await agent.close()
