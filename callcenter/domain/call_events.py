"""What Asterisk tells us about calls, as typed domain events (no AMI types here).

``at`` is Asterisk's own event time (epoch seconds, from timestampevents=yes).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChannelCreated:
    at: float
    linkedid: str
    uniqueid: str
    channel: str
    caller_number: str
    exten: str
    context: str


@dataclass(frozen=True, slots=True)
class ChannelStateChanged:
    at: float
    linkedid: str
    uniqueid: str
    channel: str
    state: str  # "ringing", "up", "busy", "down", ...


@dataclass(frozen=True, slots=True)
class ChannelHungUp:
    at: float
    linkedid: str
    uniqueid: str
    channel: str
    cause: int
    cause_text: str


@dataclass(frozen=True, slots=True)
class DialStarted:
    at: float
    linkedid: str
    uniqueid: str
    dest_uniqueid: str
    dest_channel: str
    dial_string: str


@dataclass(frozen=True, slots=True)
class DialEnded:
    at: float
    linkedid: str
    uniqueid: str
    dest_uniqueid: str
    dest_channel: str
    status: str  # ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL


@dataclass(frozen=True, slots=True)
class OriginateFinished:
    at: float
    action_id: str
    success: bool
    reason: int  # Asterisk's originate reason: 4 answered, 5 busy, 3 no answer, ...
    uniqueid: str
    channel: str


@dataclass(frozen=True, slots=True)
class QueueMemberState:
    at: float
    queue: str
    interface: str
    status: int  # AST_DEVICE_*: 1 not in use, 2 in use, 6 ringing, 5 unavailable, ...
    paused: bool
    paused_reason: str
    in_call: bool


@dataclass(frozen=True, slots=True)
class QueueMemberRemoved:
    at: float
    queue: str
    interface: str


@dataclass(frozen=True, slots=True)
class CallerQueued:
    """A caller entered the agents' queue (after the IVR)."""

    at: float
    queue: str
    linkedid: str
    caller_uniqueid: str
    caller_number: str
    ivr_choice: str


@dataclass(frozen=True, slots=True)
class AgentRung:
    at: float
    queue: str
    interface: str
    linkedid: str
    caller_uniqueid: str
    agent_uniqueid: str
    caller_number: str
    ivr_choice: str


@dataclass(frozen=True, slots=True)
class AgentRingEnded:
    """An agent's phone stopped ringing without them answering (timeout, declined)."""

    at: float
    queue: str
    interface: str
    linkedid: str


@dataclass(frozen=True, slots=True)
class AgentAnswered:
    at: float
    queue: str
    interface: str
    linkedid: str
    agent_uniqueid: str


@dataclass(frozen=True, slots=True)
class CallerAbandoned:
    """The caller hung up while waiting in the queue."""

    at: float
    queue: str
    linkedid: str


@dataclass(frozen=True, slots=True)
class RecordingStarted:
    """MixMonitor opened the call's file (``path`` relative to the recordings folder;
    empty when the dialplan did not name it in CC_RECORDING)."""

    at: float
    linkedid: str
    uniqueid: str
    path: str


@dataclass(frozen=True, slots=True)
class SupervisionEnded:
    """A supervisor's ChanSpy stopped (ChanSpyStop): ``spyer_uniqueid`` is the
    supervisor's leg, the ChannelId the server gave its Originate."""

    at: float
    spyer_uniqueid: str
    spyee_channel: str


@dataclass(frozen=True, slots=True)
class LiveChannel:
    """One channel as Asterisk's snapshot (CoreShowChannels) reports it."""

    linkedid: str
    uniqueid: str
    channel: str
    state: str  # as ChannelStateChanged.state
    context: str


@dataclass(frozen=True, slots=True)
class CallerWaiting:
    """A caller waiting in a queue, as Asterisk's snapshot (QueueStatus) reports it; a
    caller from the trunk made the call, so their uniqueid is its linkedid."""

    queue: str
    uniqueid: str
    caller_number: str
    wait: int  # seconds


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """Everything live on Asterisk right after a (re)login; events during the gap were
    lost, so this replaces what any consumer believed. ``at`` is our clock when it was
    asked for: rows written after it may not be in it yet."""

    at: float
    channels: tuple[LiveChannel, ...]
    members: tuple[QueueMemberState, ...]
    waiting: tuple[CallerWaiting, ...] = ()

    @property
    def linkedids(self) -> frozenset[str]:
        return frozenset(c.linkedid for c in self.channels)


CallEvent = (ChannelCreated | ChannelStateChanged | ChannelHungUp | DialStarted | DialEnded
             | OriginateFinished | QueueMemberState | QueueMemberRemoved | CallerQueued
             | AgentRung | AgentRingEnded | AgentAnswered | CallerAbandoned | RecordingStarted
             | SupervisionEnded | LiveSnapshot)
