"""The AMI -> domain event translation, on frames recorded from the real Asterisk 22."""

from __future__ import annotations

import pytest

from callcenter.domain.call_events import (
    AgentRung,
    ChannelCreated,
    ChannelHungUp,
    DialEnded,
    OriginateFinished,
    QueueMemberState,
)
from callcenter.domain.calls import OutboundCall
from callcenter.telephony.ami_events import snapshot, translate
from tests.frames import events


def _translated(name: str) -> list:
    return [e for e in map(translate, events(name)) if e is not None]


def test_click_to_call_frames() -> None:
    translated = _translated("click_to_call")
    created = [translate(f) for f in events("click_to_call") if f["Event"] == "Newchannel"]
    assert len(created) == 2 and len({e.linkedid for e in created}) == 1
    # The snapshot taken mid-call (CoreShowChannels) lists the same two channels, up.
    listed = snapshot([f for f in events("click_to_call") if f["Event"] == "CoreShowChannel"],
                      [], 1.0).channels
    assert {c.uniqueid for c in listed} == {e.uniqueid for e in created}
    assert {c.state for c in listed} == {"up"}
    assert all(e.at > 1.7e9 for e in translated)  # timestampevents=yes
    originate = next(e for e in translated if isinstance(e, OriginateFinished))
    assert originate.success and originate.reason == 4
    ends = [e for e in translated if isinstance(e, DialEnded)]
    assert [e.status for e in ends] == ["ANSWER", "ANSWER"]
    assert sum(isinstance(e, ChannelHungUp) for e in translated) == 2


@pytest.mark.parametrize(("name", "disposition"), [
    ("click_to_call", "answered"),
    ("click_to_call_busy", "busy"),
    ("click_to_call_agent_unavailable", "agent_no_answer"),
])
def test_recorded_calls_drive_the_call_progress(name: str, disposition: str) -> None:
    translated = _translated(name)
    first = next(e for e in translated if isinstance(e, ChannelCreated))
    call = OutboundCall(first.linkedid, first.at)
    for event in translated:
        if getattr(event, "linkedid", None) == first.linkedid or isinstance(
                event, OriginateFinished):
            call.apply(event)
    assert call.ended, name
    assert call.disposition == disposition


def test_queue_frames() -> None:
    translated = _translated("queue_answered")
    rung = [e for e in translated if isinstance(e, AgentRung)]
    assert rung and rung[0].queue == "hotline" and rung[0].interface.startswith("PJSIP/")
    assert any(isinstance(e, QueueMemberState) for e in translated)


def test_frames_we_do_not_use_or_cannot_read_are_dropped() -> None:
    assert translate({"Event": "VarSet", "Variable": "X"}) is None
    assert translate({"Event": "Hangup"}) is None  # missing headers: not a crash
    assert translate({"Event": "Newstate", "Timestamp": "bad", "Linkedid": "1",
                      "Uniqueid": "1", "Channel": "x", "ChannelState": "6"}).state == "up"
