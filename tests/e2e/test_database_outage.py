"""PostgreSQL away for 30 s while calls end loses nothing.

A PostgreSQL of its own (the shared test server must not stop), the server beside the
real Asterisk sandbox, an answered click-to-call and an answered hotline call. The
database stops; both calls hang up meanwhile; it comes back 30 s later: both rows end
with Asterisk's times, the follow-up attempt is there, and the agents are free (no
``agent_busy``) without any restart.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.console import AgentSession, running_server
from tests.harness.ami import AmiClient
from tests.harness.sipp import start_caller, start_phone
from tests.waiting import eventually, first_result

pytestmark = pytest.mark.asterisk
OUTAGE_SECONDS = 30


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, object]]:
    import pgserver

    with tempfile.TemporaryDirectory(prefix="callcenter-outage-pg-") as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="stop")
        try:
            yield folder, server
        finally:
            server.cleanup()


async def _hang_up(ami: AmiClient, linkedid: str) -> None:
    for channel in await ami.send("CoreShowChannels"):
        if channel.event == "CoreShowChannel" and channel.get("Linkedid") == linkedid:
            await ami.send("Hangup", Channel=channel.get("Channel"))


async def test_calls_ending_while_postgresql_is_down_are_written_when_it_is_back(
        own_postgres: tuple[str, object], sandbox_env: dict[str, str],
        ami: AmiClient) -> None:
    import pgserver

    folder, pg = own_postgres
    url = pg.get_uri()  # type: ignore[attr-defined]
    async with running_server(url, sandbox_env) as server:
        await server.quiet_asterisk()
        await server.add_agent("li", "1001")
        await server.add_agent("wang", "1002")
        li, wang = await server.login("li"), await server.login("wang")
        for session in (li, wang):
            await session.open_ws()
        seeded = await server.seed_followup()
        # Two calls each for li's phone and the customer: the call after the outage too
        # (a phone that is gone would leave PJSIP treating 1001 as unreachable for the
        # next test).
        phones = [await start_phone(16100, "uas_answer", hold=90, calls=2),
                  await start_phone(16001, "uas_answer", hold=90, calls=2),
                  await start_phone(16002, "uas_answer", hold=90)]
        caller = None
        try:
            status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                        "phone": seeded.phone})
            assert status == 202, body
            outbound = body["call"]
            await li.wait_state(outbound["id"], "answered", 20)
            status, _ = await wang.post("/api/agent/login", {})
            assert status == 204
            caller = await start_caller("127.0.0.1", 15060, caller_id="13800138222",
                                        keys="0", hold=90)
            inbound = await _answered_inbound(wang)

            pg.cleanup()  # type: ignore[attr-defined]  # PostgreSQL stops
            stopped_at = datetime.now(UTC)
            since = len(ami.frames)
            await _hang_up(ami, outbound["linkedid"])
            await _hang_up(ami, inbound["linkedid"])
            await asyncio.sleep(OUTAGE_SECONDS)
            restarted = pgserver.get_server(Path(folder), cleanup_mode="stop")
            assert restarted.get_uri() == url

            rows = {}
            for name, call in (("outbound", outbound), ("inbound", inbound)):
                rows[name] = await first_result(lambda call=call: server.pool.fetchrow(
                    "SELECT * FROM calls WHERE id = $1 AND ended_at IS NOT NULL",
                    call["id"]), 30)
            assert rows["outbound"]["disposition"] == "answered"
            assert rows["inbound"]["disposition"] == "answered"
            for name, row in rows.items():
                hangup = next(f for f in ami.frames[since:] if f.event == "Hangup"
                              and f.get("Uniqueid") == row["linkedid"])
                asterisks = datetime.fromtimestamp(float(hangup.get("Timestamp")), UTC)
                assert abs((row["ended_at"] - asterisks).total_seconds()) <= 1.0, name
                assert row["ended_at"] > stopped_at and not row["ended_unseen"], name
            attempt = await server.pool.fetchval(
                "SELECT result FROM followup_attempts WHERE call_id = $1", outbound["id"])
            assert attempt == "answered"
            # Nobody is left "busy": li calls again at once.
            again = await server.seed_followup(phone="+8613800138002")
            status, body = await li.post("/api/calls", {"followup_id": again.followup_id,
                                                        "phone": again.phone})
            assert status == 202, body
            await li.wait_state(body["call"]["id"], "answered", 20)
            await _hang_up(ami, body["call"]["linkedid"])
            await li.wait_state(body["call"]["id"], "ended", 20)
        finally:
            # Nothing of this test may ring the next one's phones.
            await server.quiet_asterisk()
            for sipp in [*phones, *([caller] if caller else [])]:
                await sipp.stop()
            for session in (li, wang):
                await session.close()


async def _answered_inbound(session: AgentSession) -> dict:
    def answered() -> dict | None:
        return next((m["call"] for m in session.messages if m.get("type") == "call"
                     and m["call"]["direction"] == "inbound"
                     and m["call"]["state"] == "answered"), None)
    await eventually(lambda: answered() is not None, 20)
    call = answered()
    assert call is not None
    return call

