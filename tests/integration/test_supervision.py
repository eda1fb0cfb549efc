"""Call supervision and forced queue changes over HTTP, on the loopback AMI peer: who is
refused (403 for an agent, with the usual error body), a bad mode (400), a call that is
not live (409), the Originate's fields, the audit rows, and the agent's console told of
a forced pause. The real ChanSpy on the real Asterisk is in tests/e2e/test_supervision.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from callcenter.keys import AMI, CALLS, LIVE_STATE
from tests.console import AgentSession, ConsoleServer
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually, first_result

AGENT_CHANNEL = "PJSIP/1001-0000002a"


@pytest.fixture
async def server(agent_server: ConsoleServer) -> ConsoleServer:
    """agent_server (agent li on 1001, in the queue by the peer's QueueStatus), agent
    wang (1002, not in the queue), supervisor zhao with a phone (1008), supervisor qian
    without one."""
    await agent_server.add_agent("wang", "1002")
    await agent_server.add_agent("zhao", "1008", role="supervisor")
    await agent_server.add_agent("qian", None, role="supervisor")
    return agent_server


@pytest.fixture
async def zhao(server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await server.login("zhao")
    yield session
    await session.close()


async def _user_id(server: ConsoleServer, username: str) -> int:
    return await server.pool.fetchval("SELECT id FROM users WHERE username = $1", username)


def _actions(peer: FakeAmi, name: str) -> list[list[tuple[str, str]]]:
    return [headers for headers in peer.received_headers if ("Action", name) in headers]


async def _live_call(server: ConsoleServer, li: AgentSession, peer: FakeAmi) -> int:
    """A click-to-call of li's whose agent leg Asterisk reports answered."""
    seeded = await server.seed_followup()
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert status == 202, body
    call_id = body["call"]["id"]
    await eventually(lambda: bool(_actions(peer, "Originate")))
    linkedid = dict(_actions(peer, "Originate")[-1])["ChannelId"]
    common = {"Linkedid": linkedid, "Uniqueid": linkedid, "Channel": AGENT_CHANNEL}
    peer.emit(Event="Newchannel", ChannelState="4", Context="click-to-call", **common)
    peer.emit(Event="Newstate", ChannelState="6", **common)
    await eventually(lambda: server.app[CALLS].agent_uniqueid(call_id) is not None
                     and linkedid in server.app[LIVE_STATE].channels)
    return call_id


async def _audit(server: ConsoleServer, action: str) -> list[dict[str, Any]]:
    rows = await server.pool.fetch(
        "SELECT a.*, u.username FROM audit_log a JOIN users u ON u.id = a.actor_id"
        " WHERE action = $1 ORDER BY a.id", action)
    return [dict(r) for r in rows]


async def test_an_agents_session_is_refused_everything(
        server: ConsoleServer, li: AgentSession, fake_ami: FakeAmi) -> None:
    call_id = await _live_call(server, li, fake_ami)
    wang = await _user_id(server, "wang")
    for path, body in ((f"/api/calls/{call_id}/supervise", {"mode": "listen"}),
                       (f"/api/agents/{wang}/pause", {"paused": True, "reason": "x"}),
                       (f"/api/agents/{wang}/logout", {})):
        status, answer = await li.post(path, body)
        assert status == 403, (path, answer)
        assert answer["error_id"] == "forbidden" and answer["message"]
    assert len(_actions(fake_ami, "Originate")) == 1  # li's own call only
    assert not _actions(fake_ami, "QueuePause") and not _actions(fake_ami, "QueueRemove")
    assert await server.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE target_type IN ('call', 'agent')") == 0


@pytest.mark.parametrize("mode", ["listen", "whisper", "barge"])
async def test_supervising_rings_the_supervisors_phone_into_chanspy_and_is_audited(
        server: ConsoleServer, li: AgentSession, zhao: AgentSession, fake_ami: FakeAmi,
        mode: str) -> None:
    call_id = await _live_call(server, li, fake_ami)
    status, body = await zhao.post(f"/api/calls/{call_id}/supervise", {"mode": mode})
    assert status == 202, body
    assert body == {"supervision": {"call_id": call_id, "mode": mode,
                                    "channel": AGENT_CHANNEL}}
    originate = _actions(fake_ami, "Originate")[-1]
    fields = dict(originate)
    assert fields["Channel"] == "PJSIP/1008" and fields["Context"] == "cc-supervise"
    assert (fields["Exten"], fields["Priority"], fields["Async"]) == ("s", "1", "true")
    assert fields["CallerID"] == f'"{mode.title()} 1001" <1001>'
    assert fields["ChannelId"].startswith("cc-spy-")
    assert [v for k, v in originate if k == "Variable"] == [
        f"CC_SPY_CHANNEL={AGENT_CHANNEL}", f"CC_SPY_MODE={mode}", f"CC_CALL_ID={call_id}"]
    [row] = await _audit(server, f"call.{mode}")
    assert (row["username"], row["target_type"], row["target_id"]) == (
        "zhao", "call", str(call_id))
    assert row["details"]["agent_id"] == await _user_id(server, "li")
    assert row["details"]["mode"] == mode and row["details"]["channel"] == AGENT_CHANNEL
    assert row["remote_addr"] == "127.0.0.1" and row["at"] is not None
    # The audit trail shows it to supervisors.
    status, trail = await zhao.get(f"/api/audit?target_type=call&target_id={call_id}")
    assert status == 200 and [e["action"] for e in trail["items"]] == [f"call.{mode}"]


async def test_a_bad_mode_is_a_400_naming_the_field(
        server: ConsoleServer, li: AgentSession, zhao: AgentSession,
        fake_ami: FakeAmi) -> None:
    call_id = await _live_call(server, li, fake_ami)
    for body in ({"mode": "spy"}, {"mode": "LISTEN"}, {}, {"mode": "listen", "x": 1}):
        status, answer = await zhao.post(f"/api/calls/{call_id}/supervise", body)
        assert (status, answer["error_id"]) == (400, "invalid_input"), body
    assert len(_actions(fake_ami, "Originate")) == 1


async def test_a_call_that_is_not_live_is_a_409(
        server: ConsoleServer, li: AgentSession, zhao: AgentSession,
        fake_ami: FakeAmi) -> None:
    status, answer = await zhao.post("/api/calls/999999/supervise", {"mode": "listen"})
    assert (status, answer["error_id"]) == (409, "call_not_live")
    # Placed but the agent's phone has not answered: nothing to listen to yet.
    seeded = await server.seed_followup()
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert status == 202
    status, answer = await zhao.post(f"/api/calls/{body['call']['id']}/supervise",
                                     {"mode": "barge"})
    assert (status, answer["error_id"]) == (409, "call_not_live")
    assert answer["details"] == {"call_id": body["call"]["id"]}
    assert len(_actions(fake_ami, "Originate")) == 1
    assert await _audit(server, "call.barge") == []


async def test_no_phone_a_refused_originate_and_ami_down(
        server: ConsoleServer, li: AgentSession, zhao: AgentSession,
        fake_ami: FakeAmi) -> None:
    call_id = await _live_call(server, li, fake_ami)
    qian = await server.login("qian")
    try:
        status, answer = await qian.post(f"/api/calls/{call_id}/supervise",
                                         {"mode": "listen"})
        assert (status, answer["error_id"]) == (409, "no_extension")
    finally:
        await qian.close()
    fake_ami.refuse.add("Originate")
    status, answer = await zhao.post(f"/api/calls/{call_id}/supervise", {"mode": "whisper"})
    assert (status, answer["error_id"]) == (503, "ami_action_failed")
    # Written before Asterisk was asked: the attempt is on record.
    assert len(await _audit(server, "call.whisper")) == 1
    # AMI down: refused before anything is written or sent.
    await fake_ami.close()
    await eventually(lambda: not server.app[AMI].connected)
    status, answer = await zhao.post(f"/api/calls/{call_id}/supervise", {"mode": "barge"})
    assert (status, answer["error_id"]) == (503, "telephony_unavailable")
    assert await _audit(server, "call.barge") == []


async def test_a_forced_pause_reaches_asterisk_the_audit_log_and_the_agents_console(
        server: ConsoleServer, zhao: AgentSession, fake_ami: FakeAmi) -> None:
    wang = await server.login("wang")
    try:
        await wang.open_ws()
        wang_id = await _user_id(server, "wang")
        # wang logs in to the queue (Asterisk's event is what the server goes by).
        fake_ami.emit(Event="QueueMemberAdded", Queue="hotline", Interface="PJSIP/1002",
                      StateInterface="PJSIP/1002", Paused="0", Status="1")
        await eventually(lambda: _states(wang) == ["logged_out", "available"])
        status, _ = await zhao.post(f"/api/agents/{wang_id}/pause",
                                    {"paused": True, "reason": "质检谈话"})
        assert status == 204
        pause = dict(_actions(fake_ami, "QueuePause")[-1])
        assert (pause["Interface"], pause["Paused"], pause["Reason"]) == (
            "PJSIP/1002", "true", "质检谈话")
        [row] = await _audit(server, "agent.force_pause")
        assert (row["username"], row["target_type"], row["target_id"]) == (
            "zhao", "agent", str(wang_id))
        assert row["details"] == {"paused": True, "reason": "质检谈话"}
        # Asterisk's event tells the agent's console (AgentStates), as for their own pause.
        fake_ami.emit(Event="QueueMemberPause", Queue="hotline", Interface="PJSIP/1002",
                      StateInterface="PJSIP/1002", Paused="1", PausedReason="质检谈话",
                      Status="1")
        await eventually(lambda: _states(wang)[-1] == "paused")
        assert wang.messages[-1]["paused_reason"] == "质检谈话"

        status, _ = await zhao.post(f"/api/agents/{wang_id}/pause", {"paused": False})
        assert status == 204
        assert dict(_actions(fake_ami, "QueuePause")[-1])["Paused"] == "false"
        assert len(await _audit(server, "agent.force_unpause")) == 1
    finally:
        await wang.close()


def _states(session: AgentSession) -> list[str]:
    return [m["state"] for m in session.messages if m.get("type") == "agent_state"]


async def test_a_forced_logout(server: ConsoleServer, zhao: AgentSession,
                               fake_ami: FakeAmi) -> None:
    li_id = await _user_id(server, "li")
    status, _ = await zhao.post(f"/api/agents/{li_id}/logout", {})
    assert status == 204
    remove = dict(_actions(fake_ami, "QueueRemove")[-1])
    assert (remove["Queue"], remove["Interface"]) == ("hotline", "PJSIP/1001")
    assert [r["target_id"] for r in await _audit(server, "agent.force_logout")] == [
        str(li_id)]


async def test_forcing_an_agent_not_in_the_queue_or_no_user(
        server: ConsoleServer, zhao: AgentSession, fake_ami: FakeAmi) -> None:
    wang = await _user_id(server, "wang")
    qian = await _user_id(server, "qian")  # no phone: never in the queue
    for user_id in (wang, qian):
        for path, body in ((f"/api/agents/{user_id}/pause", {"paused": True}),
                           (f"/api/agents/{user_id}/logout", {})):
            status, answer = await zhao.post(path, body)
            assert (status, answer["error_id"]) == (409, "agent_not_in_queue"), path
    status, answer = await zhao.post("/api/agents/999999/logout", {})
    assert (status, answer["error_id"]) == (404, "not_found")
    status, answer = await zhao.post(f"/api/agents/{wang}/pause", {"paused": "yes"})
    assert (status, answer["error_id"]) == (400, "invalid_input")
    assert not _actions(fake_ami, "QueuePause") and not _actions(fake_ami, "QueueRemove")
    assert await server.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE target_type = 'agent'") == 0


async def test_the_end_of_a_supervision_is_audited_when_asterisk_reports_it(
        server: ConsoleServer, li: AgentSession, zhao: AgentSession,
        fake_ami: FakeAmi) -> None:
    call_id = await _live_call(server, li, fake_ami)
    status, _ = await zhao.post(f"/api/calls/{call_id}/supervise", {"mode": "barge"})
    assert status == 202
    spy_id = dict(_actions(fake_ami, "Originate")[-1])["ChannelId"]
    [start] = await _audit(server, "call.barge")
    stopped_at = start["at"].timestamp() + 12.5
    # Another ChanSpy on this Asterisk (not one of ours) is ignored.
    fake_ami.emit(Event="ChanSpyStop", SpyerUniqueid="1796000000.7",
                  SpyeeChannel=AGENT_CHANNEL, Timestamp=f"{stopped_at:.6f}")
    fake_ami.emit(Event="ChanSpyStop", SpyerUniqueid=spy_id, SpyerChannel="PJSIP/1008-01",
                  SpyeeChannel=AGENT_CHANNEL, Timestamp=f"{stopped_at:.6f}")
    ended = await first_result(lambda: _audit(server, "call.supervise_end"))
    [row] = ended
    assert (row["username"], row["target_type"], row["target_id"]) == (
        "zhao", "call", str(call_id))
    assert row["details"] == {"spy_channel_id": spy_id, "mode": "barge",
                              "agent_id": await _user_id(server, "li"), "seconds": 12.5}
