"""The real telephony stack: Asterisk 22 in the sandbox, sipp phones, our FastAGI server.

These tests pin the contract between dialplans/ and the server (see docs/asterisk.md):
the hotline's FastAGI route, the queue fallback when the server is down, click-to-call
through AMI Originate, MixMonitor recordings named after the linkedid, and the AMI
events (with Linkedid and Timestamp) the server consumes.

CALLCENTER_RECORD_AMI_FIXTURES=1 also saves the AMI frames of each call scenario to
tests/fixtures/ami/ for the unit tests of the event translator.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from callcenter.telephony.agi import AgiChannel, FastAgiServer
from callcenter.telephony.keypad import Keypad
from tests.harness import sandbox
from tests.harness.ami import AmiClient, AmiError, Frame
from tests.harness.fixtures import save_frames
from tests.harness.sipp import AGENT_EXTENSIONS, phone_port, register, start_caller, start_phone

pytestmark = pytest.mark.asterisk

CUSTOMER = "13800138000"


def _sip(env: dict[str, str]) -> tuple[str, int]:
    return env.get("CALLCENTER_SIP_HOST", "127.0.0.1"), int(env["CALLCENTER_SIP_PORT"])


def _agi_port_closed(env: dict[str, str]) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((env["CALLCENTER_AGI_HOST"], int(env["CALLCENTER_AGI_PORT"]))) != 0


def _no_noise(frames: list[Frame]) -> None:
    noisy = {"VarSet", "Newexten", "RTCPSent", "RTCPReceived", "TestEvent"}
    seen = sorted({f.event for f in frames if f.event in noisy})
    assert not seen, f"manager.conf eventfilter let through {seen}"


def _recordings(env: dict[str, str]) -> Path:
    return Path(env["CALLCENTER_RECORDINGS_DIR"])


async def _wait_recording(env: dict[str, str], linkedid: str, timeout: float = 10.0) -> Path:
    """The finished MixMonitor file of call ``linkedid`` (YYYY/MM/DD/<linkedid>.wav)."""
    async with asyncio.timeout(timeout):
        while True:
            found = list(_recordings(env).glob(f"*/*/*/{linkedid}.wav"))
            if found and found[0].stat().st_size > 0:
                return found[0]
            await asyncio.sleep(0.1)


async def _empty_queue(ami: AmiClient, queue: str = "hotline") -> None:
    """Remove members left in the queue (queue members outlive AMI sessions)."""
    status = await ami.send("QueueStatus", Queue=queue)
    for member in (f for f in status if f.event == "QueueMember"):
        await ami.action("QueueRemove", Queue=queue, Interface=member.get("Location"))


# ---------------------------------------------------------------------------- AMI


async def test_ami_login_with_the_configured_user(sandbox_env: dict[str, str]) -> None:
    client = AmiClient()
    response = await client.connect(
        sandbox_env["CALLCENTER_AMI_HOST"],
        int(sandbox_env["CALLCENTER_AMI_PORT"]),
        sandbox_env["CALLCENTER_AMI_USERNAME"],
        sandbox_env["CALLCENTER_AMI_SECRET"],
    )
    try:
        assert client.banner.startswith("Asterisk Call Manager/")
        assert response.get("Response") == "Success"
        version = await client.command("core show version")
        assert "Asterisk 22." in version
        pong = await client.action("Ping")
        assert pong.get("Ping") == "Pong"
    finally:
        await client.close()

    wrong = AmiClient()
    with pytest.raises(AmiError, match="login refused"):
        await wrong.connect(
            sandbox_env["CALLCENTER_AMI_HOST"],
            int(sandbox_env["CALLCENTER_AMI_PORT"]),
            sandbox_env["CALLCENTER_AMI_USERNAME"],
            "not-the-secret",
        )


async def test_events_carry_a_timestamp(ami: AmiClient) -> None:
    await ami.action("UserEvent", UserEvent="CallcenterProbe", Probe="1")
    event = await ami.wait_event("UserEvent", UserEvent="CallcenterProbe")
    assert float(event.get("Timestamp")) > 0


async def test_softphone_registers_with_the_sip_password(sandbox_env: dict[str, str]) -> None:
    password = sandbox_env["CALLCENTER_SIP_PASSWORD"]
    assert await register(*_sip(sandbox_env), "1050", password) == 0
    assert "1050/sip:1050@127.0.0.1:" in sandbox.cli("pjsip show contacts")
    assert await register(*_sip(sandbox_env), "1050", password + "-wrong") != 0


def test_fifty_agents_with_their_phones(sandbox_env: dict[str, str]) -> None:
    """Every agent 1001..1050 is an endpoint whose static contact is its phone port."""
    aors = sandbox.cli("pjsip show aors")
    for extension in AGENT_EXTENSIONS:
        assert f"{extension}/sip:{extension}@127.0.0.1:{phone_port(extension)} " in aors
    assert len(AGENT_EXTENSIONS) == 50


# ---------------------------------------------------------------------------- hotline


async def test_hotline_key_press_reaches_fastagi(
    sandbox_env: dict[str, str], ami: AmiClient
) -> None:
    """A caller dials the hotline, our FastAGI route answers, GET DATA gets the key."""
    seen: dict[str, str] = {}
    done = asyncio.Event()

    async def hotline(channel: AgiChannel) -> None:
        seen["caller_id"] = channel.caller_id
        seen["unique_id"] = channel.unique_id
        result = await channel.command("GET DATA beep 5000 1", timeout=10)
        seen["digits"] = result.digits
        await channel.set_variable("CC_IVR_CHOICE", "book")
        await channel.set_variable("CC_NEXT", "hangup")
        done.set()

    server = FastAgiServer(routes={"hotline": hotline})
    await server.start(sandbox_env["CALLCENTER_AGI_HOST"], int(sandbox_env["CALLCENTER_AGI_PORT"]))
    since = len(ami.frames)
    try:
        async with await start_caller(*_sip(sandbox_env), caller_id=CUSTOMER, keys="5") as caller:
            await caller.expect_success(timeout=30)
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await server.close()

    assert seen["caller_id"] == CUSTOMER
    assert seen["digits"] == "5"
    hangup = await ami.wait_event("Hangup", since=since, Uniqueid=seen["unique_id"])
    assert hangup.get("CallerIDNum") == CUSTOMER
    assert hangup.get("Linkedid") == seen["unique_id"]
    events = ami.events[since:]
    # CC_NEXT=hangup: the caller was not queued
    assert not [e for e in events if e.event == "QueueCallerJoin"]
    _no_noise(ami.frames)
    save_frames("hotline_ivr", ami, since)


async def test_a_key_between_agi_commands_is_dropped_by_asterisk_but_reported_to_ami(
    sandbox_env: dict[str, str], ami: AmiClient, keypad: Keypad
) -> None:
    """Why the hotline takes its keys from AMI (telephony/keypad.py): a key pressed
    while no AGI command runs never reaches the next GET DATA, but AMI reports it."""
    seen: dict[str, str] = {}

    async def hotline(channel: AgiChannel) -> None:
        keys = keypad.open(channel.unique_id)
        seen["unique_id"] = channel.unique_id
        # The flow is busy elsewhere (a slow database): no command reads the channel
        # while the caller presses 5, 1.2 s after the answer.
        await asyncio.sleep(2.5)
        seen["agi"] = (await channel.command("GET DATA silence/1 500 1", timeout=10)).digits
        seen["keypad"] = keys.typed_ahead()
        keypad.close(keys)
        await channel.set_variable("CC_NEXT", "hangup")

    server = FastAgiServer(routes={"hotline": hotline})
    await server.start(sandbox_env["CALLCENTER_AGI_HOST"], int(sandbox_env["CALLCENTER_AGI_PORT"]))
    since = len(ami.frames)
    try:
        async with await start_caller(*_sip(sandbox_env), caller_id=CUSTOMER, keys="5",
                                      first_key_after=1.2, hold=4) as caller:
            await caller.expect_success(timeout=30)
    finally:
        await server.close()

    assert seen["agi"] == "", "Asterisk passed on a key pressed between AGI commands"
    assert seen["keypad"] == "5"
    key = await ami.wait_event("DTMFEnd", since=since, Uniqueid=seen["unique_id"])
    assert key.get("Digit") == "5" and key.get("Direction") == "Received"
    assert not [f for f in ami.frames[since:] if f.event == "DTMFBegin"]  # filtered out
    save_frames("hotline_typeahead", ami, since)


async def test_hotline_without_agi_server_still_reaches_the_queue(
    sandbox_env: dict[str, str], ami: AmiClient
) -> None:
    """The server is down: the call is never dropped, the caller waits in the queue."""
    assert _agi_port_closed(sandbox_env), "something listens on the FastAGI port"
    await _empty_queue(ami)
    since = len(ami.frames)
    async with await start_caller(*_sip(sandbox_env), caller_id=CUSTOMER, hold=4) as caller:
        join = await ami.wait_event(
            "QueueCallerJoin", timeout=15, since=since, Queue="hotline", CallerIDNum=CUSTOMER
        )
        status = await ami.send("QueueStatus", Queue="hotline")
        entries = [f for f in status if f.event == "QueueEntry"]
        assert [e.get("Uniqueid") for e in entries] == [join.get("Uniqueid")]
        assert "PJSIP/trunk-" in sandbox.cli("queue show hotline")
        await caller.expect_success(timeout=20)
    abandon = await ami.wait_event("QueueCallerAbandon", since=since, Queue="hotline")
    assert abandon.get("Uniqueid") == join.get("Uniqueid")
    await ami.wait_event("Hangup", since=since, Uniqueid=join.get("Uniqueid"))
    _no_noise(ami.frames)
    save_frames("hotline_agi_down", ami, since)


async def test_queue_call_is_answered_by_an_agent_and_recorded(
    sandbox_env: dict[str, str], ami: AmiClient
) -> None:
    """CC_NEXT=queue puts the caller in the hotline queue; agent 1002 (added with
    QueueAdd) rings on its static contact 127.0.0.1:16002, answers, and the bridged
    call is recorded."""

    async def hotline(channel: AgiChannel) -> None:
        await channel.set_variable("CC_IVR_CHOICE", "agent")
        await channel.set_variable("CC_NEXT", "queue")

    await _empty_queue(ami)
    since = len(ami.frames)
    added = await ami.action(
        "QueueAdd", Queue="hotline", Interface="PJSIP/1002", MemberName="Agent 1002"
    )
    assert added.get("Response") == "Success", added.headers
    await ami.wait_event("QueueMemberAdded", since=since, Interface="PJSIP/1002")
    # a break and back: QueueMemberPause events
    await ami.action("QueuePause", Queue="hotline", Interface="PJSIP/1002", Paused="true",
                     Reason="break")
    await ami.wait_event("QueueMemberPause", since=since, Paused="1")
    await ami.action("QueuePause", Queue="hotline", Interface="PJSIP/1002", Paused="false")
    await ami.wait_event("QueueMemberPause", since=since, Paused="0")
    server = FastAgiServer(routes={"hotline": hotline})
    await server.start(sandbox_env["CALLCENTER_AGI_HOST"], int(sandbox_env["CALLCENTER_AGI_PORT"]))
    try:
        status = await ami.send("QueueStatus", Queue="hotline")
        members = [f for f in status if f.event == "QueueMember"]
        assert [m.get("Location") for m in members] == ["PJSIP/1002"]
        async with (
            await start_phone(16002, "uas_answer", hold=4) as agent,
            await start_caller(*_sip(sandbox_env), caller_id=CUSTOMER, hold=30) as caller,
        ):
            connect = await ami.wait_event("AgentConnect", timeout=20, since=since)
            channels = await ami.send("CoreShowChannels")
            assert len([f for f in channels if f.event == "CoreShowChannel"]) == 2
            await agent.expect_success(timeout=20)
            await caller.expect_success(timeout=20)
    finally:
        await server.close()
        await ami.action("QueueRemove", Queue="hotline", Interface="PJSIP/1002")

    linkedid = connect.get("Linkedid")
    called = await ami.wait_event("AgentCalled", since=since, Queue="hotline")
    assert called.get("Interface") == "PJSIP/1002"
    assert called.get("CallerIDNum") == CUSTOMER
    await ami.wait_event("AgentComplete", since=since, Linkedid=linkedid)
    await ami.wait_event("QueueMemberRemoved", since=since, Interface="PJSIP/1002")
    recording = await _wait_recording(sandbox_env, linkedid)
    assert recording.stat().st_size > 8000
    _no_noise(ami.frames)
    save_frames("queue_answered", ami, since)


# ---------------------------------------------------------------------------- click-to-call


async def _originate(ami: AmiClient, agent: str, number: str) -> Frame:
    response = await ami.action(
        "Originate",
        Channel=f"PJSIP/{agent}",
        Context="click-to-call",
        Exten=number,
        Priority="1",
        Async="true",
        Timeout="20000",
        CallerID=f'"Click-to-call" <{number}>',
    )
    assert response.get("Response") == "Success", response.headers
    return response


async def _trunk_dial_end(ami: AmiClient, since: int) -> Frame:
    """The DialEnd of the click-to-call Dial() towards the customer (Originate has
    its own DialBegin/DialEnd for the agent's leg)."""
    return await ami.wait_for(
        lambda f: f.event == "DialEnd" and f.get("DestChannel").startswith("PJSIP/trunk-"),
        timeout=15,
        since=since,
    )


async def test_click_to_call_bridges_agent_and_customer_and_records(
    sandbox_env: dict[str, str], ami: AmiClient
) -> None:
    since = len(ami.frames)
    async with (
        await start_phone(16001, "uas_answer", hold=60) as agent,
        await start_phone(16100, "uas_answer", hold=4) as customer,
    ):
        await _originate(ami, "1001", CUSTOMER)
        originated = await ami.wait_event("OriginateResponse", timeout=15, since=since)
        assert originated.get("Response") == "Success", originated.headers
        linkedid = originated.get("Uniqueid")
        dial_end = await _trunk_dial_end(ami, since)
        assert dial_end.get("DialStatus") == "ANSWER"
        await ami.wait_event("BridgeEnter", since=since, Channel=dial_end.get("DestChannel"))
        channels = await ami.send("CoreShowChannels")
        assert len([f for f in channels if f.event == "CoreShowChannel"]) == 2
        await customer.expect_success(timeout=20)
        await agent.expect_success(timeout=20)

    hangups = [
        await ami.wait_event("Hangup", since=since, Channel=dial_end.get("Channel")),
        await ami.wait_event("Hangup", since=since, Channel=dial_end.get("DestChannel")),
    ]
    call_events = [
        e
        for e in ami.events[since:]
        if e.get("Channel").startswith("PJSIP/") and "Linkedid" in e.headers
    ]
    assert {"Newchannel", "DialBegin", "DialEnd", "BridgeEnter", "Hangup"} <= {
        e.event for e in call_events
    }
    assert {e.get("Linkedid") for e in call_events} == {linkedid}
    assert {h.get("Linkedid") for h in hangups} == {linkedid}
    recording = await _wait_recording(sandbox_env, linkedid)
    assert recording.stat().st_size > 8000
    _no_noise(ami.frames)
    save_frames("click_to_call", ami, since)


async def test_click_to_call_busy_customer(sandbox_env: dict[str, str], ami: AmiClient) -> None:
    since = len(ami.frames)
    async with (
        await start_phone(16001, "uas_answer", hold=30) as agent,
        await start_phone(16100, "uas_busy") as customer,
    ):
        await _originate(ami, "1001", CUSTOMER)
        dial_end = await _trunk_dial_end(ami, since)
        assert dial_end.get("DialStatus") == "BUSY"
        await customer.expect_success(timeout=10)
        await agent.expect_success(timeout=10)
    await ami.wait_event("Hangup", since=since, Channel=dial_end.get("Channel"))
    save_frames("click_to_call_busy", ami, since)


async def test_click_to_call_agent_does_not_answer(
    sandbox_env: dict[str, str], ami: AmiClient
) -> None:
    """The agent's phone answers 480: Originate fails, the customer is never dialed."""
    since = len(ami.frames)
    async with await start_phone(16001, "uas_unavailable") as agent:
        await _originate(ami, "1001", CUSTOMER)
        originated = await ami.wait_event("OriginateResponse", timeout=15, since=since)
        assert originated.get("Response") == "Failure"
        await agent.expect_success(timeout=10)
    # Originate's own DialBegin/DialEnd for the agent's leg, never a Dial to the trunk
    assert not [
        e
        for e in ami.events[since:]
        if e.event == "DialBegin" and e.get("DestChannel").startswith("PJSIP/trunk-")
    ]
    save_frames("click_to_call_agent_unavailable", ami, since)


async def test_click_to_call_agent_never_picks_up(
    sandbox_env: dict[str, str], ami: AmiClient
) -> None:
    """The agent's phone rings until Originate's Timeout: Asterisk CANCELs it."""
    since = len(ami.frames)
    async with await start_phone(16003, "uas_noanswer") as agent:
        response = await ami.action(
            "Originate",
            Channel="PJSIP/1003",
            Context="click-to-call",
            Exten=CUSTOMER,
            Priority="1",
            Async="true",
            Timeout="3000",
        )
        assert response.get("Response") == "Success", response.headers
        originated = await ami.wait_event("OriginateResponse", timeout=15, since=since)
        assert originated.get("Response") == "Failure"
        await agent.expect_success(timeout=10)
    save_frames("click_to_call_agent_no_answer", ami, since)
