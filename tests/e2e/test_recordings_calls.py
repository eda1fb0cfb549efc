"""Recordings of real calls: click-to-call through the sandbox Asterisk with sipp phones,
MixMonitor's WAV converted by the server's pipeline, found by search and played back."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callcenter.services.recordings import decode_pcm
from tests.console import AgentSession, ConsoleServer, running_server
from tests.harness.sipp import start_phone
from tests.waiting import first_result

AGENT_PORT, CUSTOMER_PORT = 16001, 16100


@pytest.fixture
async def server(db_url: str, sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    async with running_server(db_url, sandbox_env) as srv:
        srv.agent_id = await srv.add_agent("li", "1001")
        await srv.add_agent("zhao", None, role="supervisor")
        yield srv


async def test_a_real_call_is_converted_found_and_played(server: ConsoleServer) -> None:
    agent: AgentSession = await server.login("li")
    supervisor = await server.login("zhao")
    try:
        await agent.open_ws()
        seeded = await server.seed_followup(phone="+8613912345678", name="司马光")
        async with await start_phone(AGENT_PORT, "uas_answer", hold=6) as _, \
                await start_phone(CUSTOMER_PORT, "uas_answer", hold=4) as _:
            status, body = await agent.post("/api/calls", {"followup_id": seeded.followup_id,
                                                           "phone": seeded.phone})
            assert status == 202, body
            call_id = body["call"]["id"]
            await agent.wait_state(call_id, "ended", timeout=30)
        # The agent's wrap-up notes (written after the call) become searchable too.
        await server.pool.execute("UPDATE calls SET notes = '客户说刹车有异响' WHERE id = $1",
                                  call_id)

        async def converted() -> dict | None:
            row = await server.pool.fetchrow(
                "SELECT r.*, (SELECT count(*) FROM recording_jobs j"
                "             WHERE j.recording_id = r.id) AS jobs"
                " FROM recordings r WHERE call_id = $1", call_id)
            return dict(row) if row and row["format"] == "mp3" and row["jobs"] == 0 else None

        row = await first_result(converted, timeout=60, every=0.3)
        root = Path(server.settings.recordings_dir)
        mp3 = root / row["path"]
        assert mp3.is_file() and not mp3.with_suffix(".wav").exists()
        assert row["duration_ms"] > 1500 and row["customer_name"] == "司马光"

        for query in ("customer=司马", "phone=5678", "phone=139123&phone_match=start",
                      f"agent_id={server.agent_id}", "q=异响", f"customer_id={seeded.customer_id}"):
            status, body = await supervisor.get(f"/api/recordings?{query}")
            assert status == 200, body
            assert [i["id"] for i in body["items"]] == [row["id"]], query

        resp = await supervisor.http.get(f"/api/recordings/{row['id']}/audio")
        assert resp.status == 200 and resp.headers["Content-Type"] == "audio/mpeg"
        played = await resp.read()
        with tempfile.NamedTemporaryFile(suffix=".mp3") as copy:
            copy.write(played)
            copy.flush()
            pcm = await asyncio.to_thread(decode_pcm, Path(copy.name), 8000)
        assert abs(len(pcm) // 16 - row["duration_ms"]) < 300  # 16 bytes per ms at 8 kHz
        audit = await server.pool.fetch(
            "SELECT action, actor_id FROM audit_log WHERE target_id = $1", str(row["id"]))
        assert [a["action"] for a in audit] == ["recording.play"]
    finally:
        await agent.close()
        await supervisor.close()
