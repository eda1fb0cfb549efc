"""A click-to-call's progress, driven by domain events: a pure state machine.

The agent's channel is originated with a ChannelId we choose, so its Uniqueid is also
the call's Linkedid: the agent leg is the channel whose uniqueid equals the linkedid.
The Originate itself dials the agent (a DialBegin/DialEnd whose destination is that
leg); the customer leg is the destination of the Dial the dialplan runs afterwards.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from callcenter.domain.call_events import (
    CallEvent,
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
                self._end(event.at)
        return self.state is not before

    def close_unseen(self, at: float, answered: bool) -> None:
        """End a call whose last events were lost (AMI gap, server restart)."""
        if answered:
            self.agent_answered_at = self.agent_answered_at or self.started_at
            self.answered_at = self.answered_at or self.started_at
            self.outcome = CallState.ANSWERED
        elif self.outcome is None:
            self.outcome = CallState.FAILED
            self.agent_answered_at = self.agent_answered_at or self.started_at
        self._end(at)

    def _end(self, at: float) -> None:
        if self.agent_answered_at is None:
            self.outcome = CallState.AGENT_NO_ANSWER
        elif self.outcome is None:  # the agent hung up before the customer was dialed
            self.outcome = CallState.FAILED
        self.ended_at = at
        self.state = CallState.ENDED
