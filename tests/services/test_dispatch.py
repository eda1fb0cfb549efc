"""The dispatcher's lanes: one call's events in order, other calls' events not held up
by a slow one, the snapshot alone with everything before it done, failures contained."""

from __future__ import annotations

import asyncio

from callcenter.domain.call_events import (
    CallEvent,
    ChannelHungUp,
    ChannelStateChanged,
    LiveSnapshot,
    QueueMemberState,
)
from callcenter.services.dispatch import Dispatcher, lane_of


def state(linkedid: str, what: str) -> ChannelStateChanged:
    return ChannelStateChanged(0.0, linkedid, linkedid, f"PJSIP/{linkedid}", what)


def member(interface: str, status: int) -> QueueMemberState:
    return QueueMemberState(0.0, "hotline", interface, status, False, "", False)


SNAPSHOT = LiveSnapshot(0.0, (), ())


class Recorder:
    """A consumer that takes ``slow[linkedid]`` seconds over that call's first event."""

    EVENTS = (ChannelStateChanged, QueueMemberState, LiveSnapshot)

    def __init__(self, slow: dict[str, float] | None = None) -> None:
        self.slow = dict(slow or {})
        self.seen: list[str] = []

    async def on_event(self, event: CallEvent) -> None:
        if isinstance(event, ChannelStateChanged):
            await asyncio.sleep(self.slow.pop(event.linkedid, 0.0))
            self.seen.append(f"{event.linkedid}:{event.state}")
        elif isinstance(event, QueueMemberState):
            self.seen.append(f"{event.interface}:{event.status}")
        else:
            self.seen.append("snapshot")


def dispatcher_for(*consumers: Recorder) -> Dispatcher:
    dispatcher = Dispatcher()
    for consumer in consumers:
        dispatcher.subscribe(consumer.on_event, consumer.EVENTS)
    return dispatcher


def test_lanes() -> None:
    assert lane_of(state("a", "up")) == "a"
    assert lane_of(ChannelHungUp(0.0, "a", "u", "PJSIP/x", 16, "Normal Clearing")) == "a"
    assert lane_of(member("PJSIP/1001", 1)) == "member hotline PJSIP/1001"
    assert lane_of(SNAPSHOT) is None


async def test_one_calls_events_keep_their_order_while_another_call_goes_ahead() -> None:
    recorder = Recorder(slow={"a": 0.05})
    dispatcher = dispatcher_for(recorder)
    for event in (state("a", "ring"), state("b", "ring"), state("a", "up"),
                  state("b", "up"), member("PJSIP/1001", 6)):
        await dispatcher.deliver(event)
    await dispatcher.drained()
    seen = recorder.seen
    assert [e for e in seen if e.startswith("a:")] == ["a:ring", "a:up"]
    assert [e for e in seen if e.startswith("b:")] == ["b:ring", "b:up"]
    # The slow call held nobody else up.
    assert seen[-2:] == ["a:ring", "a:up"]


async def test_the_snapshot_waits_for_every_lane_and_holds_what_follows() -> None:
    recorder = Recorder(slow={"a": 0.05})
    dispatcher = dispatcher_for(recorder)
    await dispatcher.deliver(state("a", "ring"))
    await dispatcher.deliver(SNAPSHOT)  # returns once handled, after "a"
    await dispatcher.deliver(state("b", "ring"))
    await dispatcher.drained()
    assert recorder.seen == ["a:ring", "snapshot", "b:ring"]


async def test_a_failing_consumer_leaves_the_others_and_the_lane_going() -> None:
    async def failing(event: CallEvent) -> None:
        raise RuntimeError("boom")

    recorder = Recorder()
    dispatcher = Dispatcher()
    dispatcher.subscribe(failing, (ChannelStateChanged,))
    dispatcher.subscribe(recorder.on_event, recorder.EVENTS)
    await dispatcher.deliver(state("a", "ring"))
    await dispatcher.deliver(state("a", "up"))
    await dispatcher.drained()
    assert recorder.seen == ["a:ring", "a:up"]


async def test_close_gives_the_lanes_a_moment_then_stops_them() -> None:
    recorder = Recorder(slow={"a": 0.02, "b": 30.0})
    dispatcher = dispatcher_for(recorder)
    await dispatcher.deliver(state("a", "ring"))
    await dispatcher.deliver(state("b", "ring"))
    await dispatcher.close(grace=0.2)
    assert recorder.seen == ["a:ring"]
