"""AMI frames -> domain events: small pure functions, one per event name.

Frames are plain mappings of header -> value (panoramisk's Message is one), so the
translation is tested on frames recorded from the real Asterisk.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence

from callcenter.domain.call_events import (
    AgentAnswered,
    AgentRingEnded,
    AgentRung,
    CallerAbandoned,
    CallerQueued,
    CallerWaiting,
    CallEvent,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    DialEnded,
    DialStarted,
    LiveChannel,
    LiveSnapshot,
    OriginateFinished,
    QueueMemberRemoved,
    QueueMemberState,
    RecordingStarted,
    SupervisionEnded,
)
from callcenter.telephony.ami import AmiItem, AmiResync, EventHandler

Frame = Mapping[str, str]

# ChannelState numbers (AST_STATE_*) to the words the console shows.
_STATES = {"0": "down", "4": "ringing", "5": "ringing", "6": "up", "7": "busy"}


def _at(f: Frame) -> float:
    try:
        return float(f.get("Timestamp", ""))
    except ValueError:  # timestampevents off: our clock is the next best thing
        return time.time()


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _channel_created(f: Frame) -> ChannelCreated:
    return ChannelCreated(_at(f), f["Linkedid"], f["Uniqueid"], f["Channel"],
                          f.get("CallerIDNum", ""), f.get("Exten", ""), f.get("Context", ""))


def _state(f: Frame) -> ChannelStateChanged:
    state = _STATES.get(f.get("ChannelState", ""), f.get("ChannelStateDesc", "").lower())
    return ChannelStateChanged(_at(f), f["Linkedid"], f["Uniqueid"], f["Channel"], state)


def _hangup(f: Frame) -> ChannelHungUp:
    return ChannelHungUp(_at(f), f["Linkedid"], f["Uniqueid"], f["Channel"],
                         _int(f.get("Cause", "")), f.get("Cause-txt", ""))


def _dial_begin(f: Frame) -> DialStarted:
    return DialStarted(_at(f), f.get("Linkedid") or f["DestLinkedid"], f.get("Uniqueid", ""),
                       f["DestUniqueid"], f["DestChannel"], f.get("DialString", ""))


def _dial_end(f: Frame) -> DialEnded:
    return DialEnded(_at(f), f.get("Linkedid") or f["DestLinkedid"], f.get("Uniqueid", ""),
                     f["DestUniqueid"], f["DestChannel"], f.get("DialStatus", ""))


def _originate(f: Frame) -> OriginateFinished:
    return OriginateFinished(_at(f), f.get("ActionID", ""), f.get("Response") == "Success",
                             _int(f.get("Reason", "")), f.get("Uniqueid", ""),
                             f.get("Channel", ""))


def _member(f: Frame) -> QueueMemberState:
    # QueueMemberStatus/Added/Pause name it Interface; QueueStatus's QueueMember, Location.
    interface = f.get("Interface") or f.get("StateInterface") or f.get("Location", "")
    return QueueMemberState(_at(f), f["Queue"], interface, _int(f.get("Status", "")),
                            f.get("Paused") == "1", f.get("PausedReason", ""),
                            f.get("InCall") == "1")


def _member_removed(f: Frame) -> QueueMemberRemoved:
    return QueueMemberRemoved(_at(f), f["Queue"], f.get("Interface") or f.get("Location", ""))


def _chan_var(f: Frame, wanted: str) -> str:
    """A channel variable from the ChanVariable header(s) (manager.conf channelvars)."""
    values = f.get("ChanVariable", "")
    for item in values if isinstance(values, list) else [values]:
        name, _, value = item.partition("=")
        if name == wanted:
            return value
    return ""


def _ivr_choice(f: Frame) -> str:
    return _chan_var(f, "CC_IVR_CHOICE")


# Where the dialplan (dialplans/extensions.conf, CC_RECORDINGS) has MixMonitor write; the
# server sees the same folder as its recordings_dir.
ASTERISK_RECORDINGS = "/var/spool/asterisk/recordings/"


def _recording_started(f: Frame) -> RecordingStarted:
    path = _chan_var(f, "CC_RECORDING")
    relative = path[len(ASTERISK_RECORDINGS):] if path.startswith(ASTERISK_RECORDINGS) else ""
    return RecordingStarted(_at(f), f["Linkedid"], f["Uniqueid"], relative)


def _live_channel(f: Frame) -> LiveChannel:
    state = _STATES.get(f.get("ChannelState", ""), f.get("ChannelStateDesc", "").lower())
    return LiveChannel(f["Linkedid"], f["Uniqueid"], f["Channel"], state, f.get("Context", ""))


def _caller_queued(f: Frame) -> CallerQueued:
    return CallerQueued(_at(f), f["Queue"], f["Linkedid"], f["Uniqueid"],
                        f.get("CallerIDNum", ""), _ivr_choice(f))


def _agent_called(f: Frame) -> AgentRung:
    return AgentRung(_at(f), f["Queue"], f.get("Interface", ""), f["Linkedid"], f["Uniqueid"],
                     f.get("DestUniqueid", ""), f.get("CallerIDNum", ""), _ivr_choice(f))


def _agent_ring_ended(f: Frame) -> AgentRingEnded:
    return AgentRingEnded(_at(f), f["Queue"], f.get("Interface", ""), f["Linkedid"])


def _agent_connected(f: Frame) -> AgentAnswered:
    return AgentAnswered(_at(f), f["Queue"], f.get("Interface", ""), f["Linkedid"],
                         f.get("DestUniqueid", ""))


def _caller_abandoned(f: Frame) -> CallerAbandoned:
    return CallerAbandoned(_at(f), f["Queue"], f["Linkedid"])


def _spy_stopped(f: Frame) -> SupervisionEnded:
    return SupervisionEnded(_at(f), f["SpyerUniqueid"], f.get("SpyeeChannel", ""))


TRANSLATORS: dict[str, Callable[[Frame], CallEvent]] = {
    "Newchannel": _channel_created,
    "Newstate": _state,
    "Hangup": _hangup,
    "DialBegin": _dial_begin,
    "DialEnd": _dial_end,
    "OriginateResponse": _originate,
    "QueueMemberStatus": _member,
    "QueueMemberAdded": _member,
    "QueueMemberPause": _member,
    "QueueMember": _member,
    "QueueMemberRemoved": _member_removed,
    "QueueCallerJoin": _caller_queued,
    "AgentCalled": _agent_called,
    "AgentRingNoAnswer": _agent_ring_ended,
    "AgentConnect": _agent_connected,
    "QueueCallerAbandon": _caller_abandoned,
    "MixMonitorStart": _recording_started,
    "ChanSpyStop": _spy_stopped,
}

# What the reader keeps; everything else is dropped before it is queued.
WANTED_EVENTS = frozenset(TRANSLATORS) | {"FullyBooted", "Shutdown", "CoreShowChannel"}


def translate(frame: Frame) -> CallEvent | None:
    """The domain event for one AMI frame, or None for frames we don't use.

    A frame missing a header its event always carries is malformed: None, not a crash.
    """
    translator = TRANSLATORS.get(frame.get("Event", ""))
    if translator is None:
        return None
    try:
        return translator(frame)
    except KeyError:
        return None


def snapshot(channels: Sequence[Frame], queue_status: Sequence[Frame],
             at: float) -> LiveSnapshot:
    """Asterisk's answers to CoreShowChannels and QueueStatus after a login, as one
    event; malformed entries are left out like malformed events."""
    live = []
    for frame in channels:
        try:
            live.append(_live_channel(frame))
        except KeyError:
            continue
    members = [e for e in map(translate, queue_status) if isinstance(e, QueueMemberState)]
    waiting = [CallerWaiting(f["Queue"], f["Uniqueid"], f.get("CallerIDNum", ""),
                             _int(f.get("Wait", "")))
               for f in queue_status
               if f.get("Event") == "QueueEntry" and "Queue" in f and "Uniqueid" in f]
    return LiveSnapshot(at, tuple(live), tuple(members), tuple(waiting))


def feed(deliver: Callable[[CallEvent], Awaitable[None]]) -> EventHandler:
    """The AMI client's handler: each frame (or post-login snapshot) as a domain event,
    handed to ``deliver`` (services/dispatch.py) in arrival order."""

    async def on_ami(item: AmiItem) -> None:
        event = (snapshot(item.channels, item.queue_status, item.at)
                 if isinstance(item, AmiResync) else translate(item))
        if event is not None:
            await deliver(event)

    return on_ami
