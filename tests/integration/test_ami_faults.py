"""The AMI client against a loopback peer that misbehaves (fault injection)."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.telephony.ami import AmiClient, AmiDisconnected, AmiItem, AmiResync
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually


@pytest.fixture
async def peer(fake_ami: FakeAmi) -> FakeAmi:
    return fake_ami


def _client(peer: FakeAmi, seen: list[AmiItem], **kw) -> AmiClient:
    async def on_event(item: AmiItem) -> None:
        seen.append(item)

    kw.setdefault("ping_interval", 0.2)
    kw.setdefault("ping_timeout", 0.3)
    return AmiClient("127.0.0.1", peer.port, "callcenter", "s3cret", on_event,
                     reconnect_min=0.1, reconnect_max=0.5, **kw)


async def test_unanswered_ping_is_noticed_and_a_reconnect_follows(peer: FakeAmi) -> None:
    seen: list[AmiItem] = []
    client = _client(peer, seen)
    client.start()
    try:
        await client.wait_connected(5)
        assert client.logins == 1
        peer.answer_pings = False  # the link is now half-open: TCP up, nobody home
        await eventually(lambda: client.logins == 1 and not client.connected, 3)
        assert "no Pong" in client.last_error
        peer.answer_pings = True
        await eventually(lambda: client.logins == 2 and client.connected, 5)
        assert peer.connections == 2
        # State is re-read after each login and arrives in the event stream (handed to
        # the consumer a moment after the link counts as connected).
        def resyncs() -> list[AmiResync]:
            return [i for i in seen if isinstance(i, AmiResync)]
        await eventually(lambda: len(resyncs()) == 2, 3)
        assert len(resyncs()) == 2
        assert resyncs()[-1].queue_status[0]["StateInterface"] == "PJSIP/1001"
    finally:
        await client.close()


async def test_an_unanswered_originate_is_failed_not_resent(peer: FakeAmi) -> None:
    client = _client(peer, [], ping_interval=30)
    client.start()
    try:
        await client.wait_connected(5)
        peer.swallow.add("Originate")
        pending = asyncio.create_task(client.send({"Action": "Originate", "Channel": "PJSIP/1"}))
        await eventually(lambda: any(a["Action"] == "Originate" for a in peer.received))
        for w in peer.writers:  # Asterisk goes away mid-action
            w.close()
        with pytest.raises(AmiDisconnected, match="not re-sent"):
            await pending
        await eventually(lambda: client.logins == 2 and client.connected, 5)
        await asyncio.sleep(0.3)
        originates = [a for a in peer.received if a["Action"] == "Originate"]
        assert len(originates) == 1
    finally:
        await client.close()


async def test_events_keep_their_order_and_survive_a_failing_handler(peer: FakeAmi) -> None:
    seen: list[str] = []

    async def on_event(item: AmiItem) -> None:
        if isinstance(item, AmiResync):
            return
        if item["Uniqueid"] == "3":
            raise RuntimeError("handler bug")
        await asyncio.sleep(0.001 * (10 - int(item["Uniqueid"])))  # slower early handlers
        seen.append(item["Uniqueid"])

    client = AmiClient("127.0.0.1", peer.port, "u", "s", on_event, ping_interval=30)
    client.start()
    try:
        await client.wait_connected(5)
        for n in range(10):
            peer.emit(Event="Newchannel", Uniqueid=str(n), Linkedid="1")
        await eventually(lambda: len(seen) == 9)
        assert seen == [str(n) for n in range(10) if n != 3]
    finally:
        await client.close()


async def test_send_without_a_link_is_refused_at_once() -> None:
    async def on_event(item: AmiItem) -> None:
        pass

    client = AmiClient("127.0.0.1", 1, "u", "s", on_event, reconnect_min=0.05)
    client.start()
    try:
        with pytest.raises(AmiDisconnected):
            await client.send({"Action": "Originate"})
        await asyncio.sleep(0.2)
        assert "ConnectionRefused" in client.last_error or "Errno" in client.last_error
    finally:
        await client.close()
