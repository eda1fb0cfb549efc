"""What is happening on Asterisk right now: open channels and queue members.

Rebuilt from Asterisk's own snapshot after every AMI login (events during a gap are
lost, so the snapshot wins), then kept current from events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.domain.call_events import (
    CallEvent,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
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

    def reset(self, snapshot: list[CallEvent]) -> None:
        self.channels.clear()
        self.members.clear()
        self.resyncs += 1
        for event in snapshot:
            self.apply(event)

    def apply(self, event: CallEvent) -> None:
        match event:
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
