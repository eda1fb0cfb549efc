"""Call supervision end to end: the server, the sandbox Asterisk's ChanSpy, sipp phones.

A click-to-call of agent li (1001, a sipp phone on 16001) to the customer behind the
trunk (a sipp phone on 16100) is answered on both sides; supervisor zhao's phone (1008,
a sipp phone on its static contact) is rung by POST /api/calls/{id}/supervise, answers,
and Asterisk reports ChanSpyStart with the agent's channel as the spyee.

What reaches whom is judged by the audio each leg's phone receives. The agent's and the
customer's phones send digital silence the whole time (tests/harness/rtp.py: a phone
that sent nothing would get nothing either way, since ChanSpy mixes the supervisor into
frames that flow), while the supervisor's phone plays about seven seconds of speech
(sipp's g711a.pcap). A raw-socket sniffer on the loopback keeps the RTP that Asterisk
sends to the agent's and the customer's media ports and decodes it: silence is RMS 8;
with the supervisor mixed in it is in the hundreds or more. Compared over WINDOW
seconds from ChanSpyStart, against the same phones' RMS before the supervisor joined
(which must be silence, and must have packets, so that "silent" is never "nothing
measured"):

| mode    | agent's phone receives | customer's phone receives |
| ------- | ---------------------- | ------------------------- |
| listen  | silence                | silence                   |
| whisper | the supervisor         | silence                   |
| barge   | the supervisor         | the supervisor            |

The thresholds: "the supervisor" is RMS over HEARS, silence under SILENT, and every
window holds at least MIN_PACKETS packets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.console import AgentSession, ConsoleServer, running_server
from tests.harness.ami import AmiClient, Frame
from tests.harness.rtp import Received, RtpSniffer, silence_pcap
from tests.harness.sipp import TRUNK_PORT, phone_port, start_phone
from tests.waiting import eventually, first_result

AGENT, SUPERVISOR = "1001", "1008"
WINDOW = 2.0  # seconds of the supervisor's speech judged
HEARS, SILENT = 200.0, 40.0  # RMS of the decoded samples
MIN_PACKETS = 20  # 30 ms packets: about 66 in two seconds
EXPECTED = {"listen": (False, False), "whisper": (True, False), "barge": (True, True)}


@pytest.fixture
async def server(db_url: str, sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    async with running_server(db_url, sandbox_env) as srv:
        await srv.quiet_asterisk()
        await srv.add_agent("li", AGENT)
        await srv.add_agent("zhao", SUPERVISOR, role="supervisor")
        yield srv


@pytest.fixture
async def li(server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await server.login("li")
    await session.open_ws()
    yield session
    await session.close()


@pytest.fixture
async def zhao(server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await server.login("zhao")
    yield session
    await session.close()


async def _channels(ami: AmiClient, linkedid: str) -> list[Frame]:
    return [f for f in await ami.send("CoreShowChannels")
            if f.event == "CoreShowChannel" and f.get("Linkedid") == linkedid]


async def _answered_call(server: ConsoleServer, li: AgentSession) -> tuple[int, str]:
    seeded = await server.seed_followup()
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert status == 202, body
    call_id = body["call"]["id"]
    await li.wait_state(call_id, "answered", timeout=20)
    return call_id, body["call"]["linkedid"]


@pytest.mark.parametrize("mode", ["listen", "whisper", "barge"])
async def test_the_supervisors_phone_joins_the_agents_call(
        server: ConsoleServer, li: AgentSession, zhao: AgentSession, ami: AmiClient,
        tmp_path: Path, mode: str) -> None:
    silence = silence_pcap(tmp_path / "silence.pcap", seconds=20)
    async with await start_phone(phone_port(AGENT), hold=25, audio=silence) as agent, \
            await start_phone(TRUNK_PORT, hold=25, audio=silence) as customer, \
            await start_phone(phone_port(SUPERVISOR), hold=25) as supervisor:
        sniffer = RtpSniffer({agent.media_port, customer.media_port}).start()
        try:
            call_id, linkedid = await _answered_call(server, li)
            answered = time.monotonic()
            legs = await _channels(ami, linkedid)
            agent_leg = next(f.get("Channel") for f in legs if f.get("Uniqueid") == linkedid)

            # An agent may not, not even on their own call.
            status, refused = await li.post(f"/api/calls/{call_id}/supervise",
                                            {"mode": mode})
            assert (status, refused["error_id"]) == (403, "forbidden")

            await asyncio.sleep(1.5)  # the silence before, for the comparison
            since = len(ami.frames)
            asked = time.monotonic()
            status, body = await zhao.post(f"/api/calls/{call_id}/supervise",
                                           {"mode": mode})
            assert status == 202, body
            assert body["supervision"] == {"call_id": call_id, "mode": mode,
                                           "channel": agent_leg}
            start = await ami.wait_event("ChanSpyStart", timeout=15, since=since,
                                         SpyeeChannel=agent_leg)
            joined = time.monotonic()
            assert start.get("SpyerChannel").startswith(f"PJSIP/{SUPERVISOR}-")
            await asyncio.sleep(WINDOW + 0.2)
            ports = (agent.media_port, customer.media_port)
            before = [sniffer.received(p, answered + 0.3, asked) for p in ports]
            during = [sniffer.received(p, joined + 0.2, joined + 0.2 + WINDOW)
                      for p in ports]
        finally:
            sniffer.close()
        _judge(mode, before, during)

        # E ends the spy with the agent's channel.
        await ami.action("Hangup", Channel=agent_leg)
        stop = await ami.wait_event("ChanSpyStop", timeout=10, since=since,
                                    SpyeeChannel=agent_leg)
        # Every phone is sent its BYE and ends its call: none is killed with a BYE still
        # on its way, which Asterisk would resend to the next test's phone on that port.
        for phone in (agent, customer, supervisor):
            await phone.expect_success(timeout=15)
    [row] = await server.pool.fetch(
        "SELECT * FROM audit_log WHERE action = $1 AND target_id = $2",
        f"call.{mode}", str(call_id))
    assert row["details"]["channel"] == agent_leg
    # The supervisor's leg is the Originate's ChannelId: how its end is matched.
    assert stop.get("SpyerUniqueid") == row["details"]["spy_channel_id"]
    end = await first_result(lambda: server.pool.fetchrow(
        "SELECT details FROM audit_log WHERE action = 'call.supervise_end'"
        " AND target_id = $1", str(call_id)))
    assert end["details"]["mode"] == mode and end["details"]["seconds"] >= WINDOW


def _judge(mode: str, before: list[Received], during: list[Received]) -> None:
    seen = {"mode": mode, "before": before, "during": during}
    for leg, was, now, hears in zip(("agent", "customer"), before, during, EXPECTED[mode],
                                    strict=True):
        assert was.packets >= MIN_PACKETS and was.rms < SILENT, (leg, seen)
        assert now.packets >= MIN_PACKETS, (leg, seen)
        if hears:
            assert now.rms > HEARS, (leg, seen)
        else:
            assert now.rms < SILENT, (leg, seen)


async def test_a_forced_pause_and_log_out_reach_the_agents_console(
        server: ConsoleServer, li: AgentSession, zhao: AgentSession) -> None:
    """Through Asterisk's own QueueMemberPause / QueueMemberRemoved, as the agent's
    buttons do."""
    def states() -> list[tuple[str, str]]:
        return [(m["state"], m["paused_reason"]) for m in li.messages
                if m.get("type") == "agent_state"]

    li_id = await server.pool.fetchval("SELECT id FROM users WHERE username = 'li'")
    status, body = await zhao.post(f"/api/agents/{li_id}/pause", {"paused": True})
    assert (status, body["error_id"]) == (409, "agent_not_in_queue")
    status, _ = await li.post("/api/agent/login", {})
    assert status == 204
    await eventually(lambda: bool(states()) and states()[-1][0] != "logged_out")
    status, _ = await zhao.post(f"/api/agents/{li_id}/pause",
                                {"paused": True, "reason": "质检辅导"})
    assert status == 204
    await eventually(lambda: states()[-1] == ("paused", "质检辅导"), 10)
    status, _ = await zhao.post(f"/api/agents/{li_id}/logout", {})
    assert status == 204
    await eventually(lambda: states()[-1][0] == "logged_out", 10)
    actions = await server.pool.fetch(
        "SELECT action FROM audit_log WHERE target_type = 'agent' ORDER BY id")
    assert [a["action"] for a in actions] == ["agent.force_pause", "agent.force_logout"]
