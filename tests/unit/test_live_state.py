from callcenter.domain.call_events import (
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    LiveChannel,
    LiveSnapshot,
    QueueMemberRemoved,
    QueueMemberState,
)
from callcenter.services.live_state import LiveState


def _member(interface: str, paused: bool = False) -> QueueMemberState:
    return QueueMemberState(1.0, "hotline", interface, 1, paused, "", False)


def test_channels_follow_their_events() -> None:
    live = LiveState()
    live.apply(ChannelCreated(1.0, "L1", "U1", "PJSIP/1001-0001", "1001", "s", "click-to-call"))
    live.apply(ChannelCreated(1.1, "L1", "U2", "PJSIP/trunk-0002", "", "138", "click-to-call"))
    live.apply(ChannelStateChanged(1.2, "L1", "U1", "PJSIP/1001-0001", "up"))
    assert live.summary()["channels"] == 2 and live.summary()["calls"] == 1
    assert live.channels["U1"].state == "up"
    live.apply(ChannelHungUp(2.0, "L1", "U2", "PJSIP/trunk-0002", 16, "Normal Clearing"))
    live.apply(ChannelHungUp(2.0, "L1", "U1", "PJSIP/1001-0001", 16, "Normal Clearing"))
    assert live.summary()["channels"] == 0


def test_a_resync_replaces_what_we_believed() -> None:
    live = LiveState()
    live.apply(_member("PJSIP/1001"))
    live.apply(ChannelCreated(1.0, "L9", "U9", "PJSIP/1001-0009", "", "", ""))
    # Asterisk restarted: the snapshot knows only 1002, paused.
    live.apply(LiveSnapshot(2.0, (LiveChannel("L8", "U8", "PJSIP/1002-0008", "up", "agents"),),
                            (_member("PJSIP/1002", paused=True),)))
    assert list(live.members) == [("hotline", "PJSIP/1002")]
    assert live.members[("hotline", "PJSIP/1002")].paused
    assert list(live.channels) == ["U8"] and live.resyncs == 1
    live.apply(QueueMemberRemoved(3.0, "hotline", "PJSIP/1002"))
    assert live.members == {}
