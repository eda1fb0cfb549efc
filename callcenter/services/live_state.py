"""What is happening on Asterisk right now: open channels and queue members.

Replaced by Asterisk's own snapshot after every AMI login (events during a gap are
lost, so the snapshot wins), then kept current from events. A read model: no consumer
depends on it being updated before or after another one (services/dispatch.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.domain.call_events import (
    CallEvent,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    LiveSnapshot,
    QueueMemberRemoved,
    QueueMemberState,
)


@dataclass
class Channel:
    linkedid: str
    name: str
    state: str


@dataclass
class LiveState:
    channels: dict[str, Channel] = field(default_factory=dict)
    members: dict[tuple[str, str], QueueMemberState] = field(default_factory=dict)
    resyncs: int = 0

    EVENTS = (ChannelCreated, ChannelStateChanged, ChannelHungUp, QueueMemberState,
              QueueMemberRemoved, LiveSnapshot)

    async def on_event(self, event: CallEvent) -> None:
        self.apply(event)

    def apply(self, event: CallEvent) -> None:
        match event:
            case LiveSnapshot():
                self.resyncs += 1
                self.channels = {c.uniqueid: Channel(c.linkedid, c.channel, c.state)
                                 for c in event.channels}
                self.members = {(m.queue, m.interface): m for m in event.members}
            case ChannelCreated():
                self.channels[event.uniqueid] = Channel(event.linkedid, event.channel, "new")
            case ChannelStateChanged():
                known = self.channels.setdefault(
                    event.uniqueid, Channel(event.linkedid, event.channel, event.state))
                known.state = event.state
            case ChannelHungUp():
                self.channels.pop(event.uniqueid, None)
            case QueueMemberState():
                self.members[(event.queue, event.interface)] = event
            case QueueMemberRemoved():
                self.members.pop((event.queue, event.interface), None)

    def summary(self) -> dict[str, int]:
        return {"channels": len(self.channels),
                "calls": len({c.linkedid for c in self.channels.values()}),
                "queue_members": len(self.members), "resyncs": self.resyncs}
