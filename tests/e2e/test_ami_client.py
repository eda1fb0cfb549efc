"""The server's AMI client against the real Asterisk: login, events, and recovery after
Asterisk restarts, with the live state read again."""

from __future__ import annotations

import asyncio
import time

from callcenter.domain.call_events import QueueMemberState
from callcenter.services.live_state import LiveState
from callcenter.telephony.ami import AmiClient, AmiItem, AmiResync
from callcenter.telephony.ami_events import WANTED_EVENTS, snapshot, translate
from tests.harness import sandbox
from tests.harness.sipp import start_phone
from tests.waiting import eventually


async def test_login_events_and_reconnect_after_an_asterisk_restart(
        sandbox_env: dict[str, str]) -> None:
    live = LiveState()
    seen: list[str] = []

    async def on_event(item: AmiItem) -> None:
        if isinstance(item, AmiResync):
            live.apply(snapshot(item.channels, item.queue_status, item.at))
            return
        seen.append(item["Event"])
        event = translate(item)
        if event is not None:
            live.apply(event)

    client = AmiClient(
        sandbox_env["CALLCENTER_AMI_HOST"], int(sandbox_env["CALLCENTER_AMI_PORT"]),
        sandbox_env["CALLCENTER_AMI_USERNAME"], sandbox_env["CALLCENTER_AMI_SECRET"],
        on_event, events=WANTED_EVENTS, ping_interval=1, ping_timeout=1,
        reconnect_min=0.2, reconnect_max=1)
    client.start()
    try:
        await client.wait_connected(10)
        assert client.logins == 1 and live.resyncs == 1
        # A queue member added through AMI shows up in the state.
        await client.send({"Action": "QueueAdd", "Queue": "hotline",
                           "Interface": "PJSIP/1005", "Paused": "true"})
        await eventually(lambda: ("hotline", "PJSIP/1005") in live.members)
        assert live.members[("hotline", "PJSIP/1005")].paused
        # Events of a real call arrive, filtered at the source (no VarSet).
        async with await start_phone(16005, "uas_answer", hold=1):
            await client.send({"Action": "Originate", "Channel": "PJSIP/1005",
                               "Application": "Wait", "Data": "1", "Async": "true"},
                              as_list=False)
            await eventually(lambda: "Hangup" in seen, 15)
        assert "Newchannel" in seen and "VarSet" not in seen

        started = time.monotonic()
        env = await asyncio.to_thread(sandbox.restart)  # blocking: off the loop
        assert env["CALLCENTER_AMI_PORT"] == sandbox_env["CALLCENTER_AMI_PORT"]
        await eventually(lambda: client.logins == 2 and client.connected, 20)
        recovered = time.monotonic() - started
        assert recovered < 15, f"reconnect took {recovered:.1f} s"
        # State was read again (the snapshot follows the login through the event
        # queue): the member added before the restart is gone.
        await eventually(lambda: live.resyncs == 2, 5)
        assert ("hotline", "PJSIP/1005") not in live.members
        assert live.channels == {}  # the call before the restart left nothing behind
        assert all(isinstance(m, QueueMemberState) for m in live.members.values())
    finally:
        await client.close()
