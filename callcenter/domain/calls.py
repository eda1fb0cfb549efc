"""Calls as pure state machines driven by domain events: outbound and inbound.

Outbound (click-to-call): the agent's channel is originated with a ChannelId we choose,
so its Uniqueid is also the call's Linkedid: the agent leg is the channel whose uniqueid
equals the linkedid. The Originate itself dials the agent (a DialBegin/DialEnd whose
destination is that leg); the customer leg is the destination of the Dial the dialplan
runs afterwards.

Inbound (the hotline queue): only the agent whose phone rings gets the screen-pop; it is
withdrawn when their phone stops ringing, when another agent answers, or when the
caller hangs up.

Both can be rebuilt from what their call row holds (services/calls.py writes every
fact as it happens), so a restarted server continues a call it did not see begin.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from callcenter.domain.call_events import (
    AgentAnswered,
    AgentRingEnded,
    AgentRung,
    CallerAbandoned,
    CallEvent,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    DialEnded,
    DialStarted,
    OriginateFinished,
)


class CallState(enum.StrEnum):
    AGENT_RINGING = "agent_ringing"
    AGENT_ANSWERED = "agent_answered"
    CUSTOMER_RINGING = "customer_ringing"
    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    AGENT_NO_ANSWER = "agent_no_answer"
    ENDED = "ended"


# Dial's DIALSTATUS -> what happened with the customer. CANCEL: the agent hung up while
# the customer's phone was still ringing, so for the follow-up it was not answered.
DIAL_OUTCOMES = {
    "ANSWER": CallState.ANSWERED,
    "BUSY": CallState.BUSY,
    "NOANSWER": CallState.NO_ANSWER,
    "CANCEL": CallState.NO_ANSWER,
    "CHANUNAVAIL": CallState.UNREACHABLE,
    "CONGESTION": CallState.UNREACHABLE,
}


@dataclass(frozen=True, slots=True)
class Leg:
    """One channel of a call, as the call_legs table keeps it."""

    uniqueid: str
    channel: str
    role: str  # agent | customer | caller
    created_at: float
    answered_at: float | None
    hungup_at: float | None


@dataclass
class Channels:
    """The names and times of a call's channels as their events passed by (a call
    rebuilt after a restart knows only what its row and the snapshot said)."""

    names: dict[str, str] = field(default_factory=dict)
    created: dict[str, float] = field(default_factory=dict)
    hungup: dict[str, float] = field(default_factory=dict)

    def see(self, event: CallEvent) -> None:
        match event:
            case ChannelCreated():
                self.names[event.uniqueid] = event.channel
                self.created[event.uniqueid] = event.at
            case ChannelHungUp():
                self.names.setdefault(event.uniqueid, event.channel)
                self.hungup[event.uniqueid] = event.at

    def leg(self, uniqueid: str, channel: str, role: str, created_at: float,
            answered_at: float | None, ended_at: float | None) -> Leg:
        return Leg(uniqueid, self.names.get(uniqueid) or channel, role,
                   self.created.get(uniqueid, created_at), answered_at,
                   self.hungup.get(uniqueid, ended_at))


@dataclass
class OutboundCall:
    linkedid: str
    started_at: float
    state: CallState = CallState.AGENT_RINGING
    outcome: CallState | None = None
    agent_answered_at: float | None = None
    customer_uniqueid: str = ""
    customer_channel: str = ""
    answered_at: float | None = None
    ended_at: float | None = None
    hangup_cause: int | None = None
    channels: Channels = field(default_factory=Channels)

    def legs(self) -> list[Leg]:
        """The agent's leg, and the customer's once they were dialed."""
        legs = [self.channels.leg(self.linkedid, "", "agent", self.started_at,
                                  self.agent_answered_at, self.ended_at)]
        if self.customer_uniqueid:
            legs.append(self.channels.leg(self.customer_uniqueid, self.customer_channel,
                                          "customer", self.started_at, self.answered_at,
                                          self.ended_at))
        return legs

    @property
    def ended(self) -> bool:
        return self.ended_at is not None

    @property
    def disposition(self) -> str | None:
        """The calls.disposition once ended: the outcome, named as the schema names it."""
        if not self.ended:
            return None
        return (self.outcome or CallState.FAILED).value

    @property
    def duration(self) -> float | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0.0, self.ended_at - self.answered_at)

    def apply(self, event: CallEvent) -> bool:
        """Advance on one event of this call; True when the visible state changed."""
        if self.ended:
            return False
        self.channels.see(event)
        before = self.state
        match event:
            case ChannelStateChanged(uniqueid=uid, state="up") if uid == self.linkedid:
                self.agent_answered_at = event.at
                self.state = CallState.AGENT_ANSWERED
            case DialStarted(dest_uniqueid=uid) if uid == self.linkedid:
                pass  # the Originate dialing the agent's own phone
            case DialEnded(dest_uniqueid=uid, status=status) if uid == self.linkedid:
                if status == "ANSWER" and self.agent_answered_at is None:
                    self.agent_answered_at = event.at
                    self.state = CallState.AGENT_ANSWERED
            case DialStarted():
                self.customer_uniqueid = event.dest_uniqueid
                self.customer_channel = event.dest_channel
                self.state = CallState.CUSTOMER_RINGING
            case DialEnded():
                self.outcome = DIAL_OUTCOMES.get(event.status, CallState.FAILED)
                self.state = self.outcome
                if self.outcome is CallState.ANSWERED:
                    self.answered_at = event.at
            case OriginateFinished(success=False):
                self._end(event.at)
            case ChannelHungUp(uniqueid=uid) if uid == self.linkedid:
                self.hangup_cause = event.cause
                self._end(event.at)
        return self.state is not before

    def originate_failed(self, at: float) -> None:
        """Asterisk never took the Originate: the call ends before anyone was rung."""
        self.outcome = CallState.FAILED
        self.agent_answered_at = self.agent_answered_at or at
        self._end(at)

    def close_unseen(self, at: float, answered_at: float | None) -> None:
        """End a call whose last events were lost (AMI gap, server restart):
        ``answered_at`` when the customer was heard (a recording), else the last
        state it was seen in decides."""
        if answered_at is not None or self.answered_at is not None:
            self.answered_at = self.answered_at or answered_at
            self.agent_answered_at = self.agent_answered_at or self.answered_at
            self.outcome = CallState.ANSWERED
        elif self.state is CallState.CUSTOMER_RINGING:
            self.outcome = CallState.NO_ANSWER
        self._end(at)

    def _end(self, at: float) -> None:
        if self.agent_answered_at is None:
            self.outcome = CallState.AGENT_NO_ANSWER
        elif self.outcome is None:  # the agent hung up before the customer was dialed
            self.outcome = CallState.FAILED
        self.ended_at = at
        self.state = CallState.ENDED


# -- inbound -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pop:
    interface: str
    at: float  # when Asterisk started ringing the agent


@dataclass(frozen=True, slots=True)
class Withdraw:
    interface: str
    reason: str  # not_answered | answered_elsewhere | caller_hung_up


@dataclass(frozen=True, slots=True)
class Answered:
    interface: str
    at: float


@dataclass(frozen=True, slots=True)
class Ended:
    disposition: str  # answered | abandoned
    at: float


Effect = Pop | Withdraw | Answered | Ended


@dataclass
class InboundCall:
    linkedid: str
    caller_uniqueid: str
    caller_number: str
    ivr_choice: str
    queued_at: float
    ringing: set[str] = field(default_factory=set)
    answered_by: str | None = None
    answered_at: float | None = None
    agent_uniqueid: str = ""
    ended_at: float | None = None
    arrived_at: float | None = None  # from the trunk, before the IVR
    caller_channel: str = ""
    hangup_cause: int | None = None
    channels: Channels = field(default_factory=Channels)

    @property
    def started_at(self) -> float:
        return self.queued_at if self.arrived_at is None else self.arrived_at

    def legs(self) -> list[Leg]:
        """The caller's leg, and the agent's who answered."""
        legs = [self.channels.leg(self.caller_uniqueid, self.caller_channel or "trunk",
                                  "caller", self.started_at, self.started_at, self.ended_at)]
        if self.answered_by and self.agent_uniqueid and self.answered_at is not None:
            legs.append(self.channels.leg(self.agent_uniqueid, self.answered_by, "agent",
                                          self.answered_at, self.answered_at, self.ended_at))
        return legs

    def apply(self, event: CallEvent) -> list[Effect]:
        if self.ended_at is not None:
            return []
        self.channels.see(event)
        match event:
            case AgentRung(interface=interface) if self.answered_by is None:
                if event.ivr_choice:
                    self.ivr_choice = event.ivr_choice
                self.ringing.add(interface)
                return [Pop(interface, event.at)]
            case AgentRingEnded(interface=interface) if interface in self.ringing:
                self.ringing.discard(interface)
                return [Withdraw(interface, "not_answered")]
            case AgentAnswered(interface=interface):
                self.answered_by, self.answered_at = interface, event.at
                self.agent_uniqueid = event.agent_uniqueid
                others = sorted(self.ringing - {interface})
                self.ringing.clear()
                return [*(Withdraw(i, "answered_elsewhere") for i in others),
                        Answered(interface, event.at)]
            case CallerAbandoned():
                return self._end(event.at)
            case ChannelHungUp(uniqueid=uid) if uid == self.caller_uniqueid:
                self.hangup_cause = event.cause
                return self._end(event.at)
        return []

    def _end(self, at: float) -> list[Effect]:
        self.ended_at = at
        withdrawn = [Withdraw(i, "caller_hung_up") for i in sorted(self.ringing)]
        self.ringing.clear()
        return [*withdrawn,
                Ended("answered" if self.answered_by else "abandoned", at)]


# -- what a call's row holds -----------------------------------------------------------


@dataclass(frozen=True)
class CallRecord:
    """An open call as its row holds it (times as epoch seconds, like events)."""

    id: int
    linkedid: str
    direction: str  # outbound | inbound
    state: str
    agent_id: int | None
    customer_id: int | None
    followup_id: int | None
    phone: str
    ivr_choice: str
    started_at: float
    agent_answered_at: float | None
    answered_at: float | None
    customer_uniqueid: str
    customer_channel: str
    agent_interface: str
    agent_uniqueid: str
    recording_file: str
    updated_at: float  # the last fact written: the last moment it was known alive

    def outbound(self) -> OutboundCall:
        """The click-to-call where its row left it."""
        try:
            state = CallState(self.state)
        except ValueError:
            state = CallState.AGENT_RINGING
        outcome = CallState.ANSWERED if self.answered_at is not None else None
        return OutboundCall(self.linkedid, self.started_at, state=state, outcome=outcome,
                            agent_answered_at=self.agent_answered_at,
                            customer_uniqueid=self.customer_uniqueid,
                            customer_channel=self.customer_channel,
                            answered_at=self.answered_at)

    def inbound(self) -> InboundCall:
        """The queued or answered hotline call where its row left it (the caller's
        channel is the one that made the call: its uniqueid is the linkedid)."""
        return InboundCall(self.linkedid, self.linkedid, self.phone, self.ivr_choice,
                           self.started_at, answered_by=self.agent_interface or None,
                           answered_at=self.answered_at, agent_uniqueid=self.agent_uniqueid,
                           arrived_at=self.started_at)


def inbound_disposition(record: CallRecord, answered_at: float | None) -> str:
    """How an inbound call that ended unseen is filed: answered if an agent took it (its
    row or its recording says so), abandoned if it was waiting, else it ended in the IVR."""
    if record.answered_at is not None or answered_at is not None:
        return "answered"
    return "abandoned" if record.state == "queued" else "ivr"
