"""An inbound call through the agents' queue, as a pure state machine with effects.

Only the agent whose phone rings gets the screen-pop; it is withdrawn when their phone
stops ringing, when another agent answers, or when the caller hangs up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.domain.call_events import (
    AgentAnswered,
    AgentRingEnded,
    AgentRung,
    CallerAbandoned,
    CallEvent,
    ChannelHungUp,
)


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
    ended_at: float | None = None

    def apply(self, event: CallEvent) -> list[Effect]:
        if self.ended_at is not None:
            return []
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
                others = sorted(self.ringing - {interface})
                self.ringing.clear()
                return [*(Withdraw(i, "answered_elsewhere") for i in others),
                        Answered(interface, event.at)]
            case CallerAbandoned():
                return self._end(event.at)
            case ChannelHungUp(uniqueid=uid) if uid == self.caller_uniqueid:
                return self._end(event.at)
        return []

    def _end(self, at: float) -> list[Effect]:
        self.ended_at = at
        withdrawn = [Withdraw(i, "caller_hung_up") for i in sorted(self.ringing)]
        self.ringing.clear()
        return [*withdrawn,
                Ended("answered" if self.answered_by else "abandoned", at)]
