"""Every live message a console gets, built in one place and sent through one port.

``Publish`` is the port: a message addressed to one user. In one process it is the
WebSocket hub (http/ws.py); with several servers it is a bus publisher whose
subscribers deliver to the sockets they hold (docs/architecture.md). Messages:

- ``call``: a call's state, in the one shape the REST API returns too (``CallView``);
- ``pop`` / ``pop_withdrawn``: the screen-pop of a ringing inbound call;
- ``agent_state``: the agent's place in the hotline queue.

Every call change and agent state also goes to the ``Watch`` given, the supervisors'
board (services/board.py), which shows them to whoever watches the center.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from callcenter.domain.agent_state import AgentState

Message = dict[str, Any]
Publish = Callable[[int, Message], None]


def iso_time(ts: float | datetime | None) -> str | None:
    """An epoch time (Asterisk's event clock) or a timestamp as ISO 8601, for consoles."""
    if ts is None:
        return None
    if isinstance(ts, datetime):
        return ts.isoformat()
    return datetime.fromtimestamp(ts, UTC).isoformat()


@dataclass(frozen=True)
class CallView:
    """A call as consoles and the API show it."""

    id: int
    linkedid: str
    direction: str
    state: str
    agent_id: int | None
    customer_id: int | None
    phone: str | None
    started_at: float | datetime
    answered_at: float | datetime | None = None
    ended_at: float | datetime | None = None
    disposition: str | None = None
    followup_id: int | None = None
    ivr_choice: str | None = None
    recording: Mapping[str, Any] | None = None
    queued_at: float | None = None  # an inbound caller's queue join (the board shows it)

    @property
    def duration(self) -> float | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        end, start = (t.timestamp() if isinstance(t, datetime) else t
                      for t in (self.ended_at, self.answered_at))
        return max(0.0, end - start)

    def to_dict(self) -> Message:
        return {
            "id": self.id, "linkedid": self.linkedid, "direction": self.direction,
            "state": self.state, "agent_id": self.agent_id, "customer_id": self.customer_id,
            "followup_id": self.followup_id, "phone": self.phone,
            "ivr_choice": self.ivr_choice, "started_at": iso_time(self.started_at),
            "answered_at": iso_time(self.answered_at), "ended_at": iso_time(self.ended_at),
            "duration": self.duration, "disposition": self.disposition,
            "recording": None if self.recording is None else dict(self.recording)}


def call_message(view: CallView) -> Message:
    return {"type": "call", "call": view.to_dict()}


def agent_state_message(state: AgentState, paused_reason: str,
                        wrap_up_call_id: int | None) -> Message:
    """The agent's place in the queue, as the console and GET /api/agent/state show it."""
    return {"type": "agent_state", "state": state.value, "paused_reason": paused_reason,
            "wrap_up_call_id": wrap_up_call_id}


class Watch(Protocol):
    """Whoever watches every call and agent (the board): told each change, never blocks."""

    def call(self, view: CallView) -> None: ...

    def agent(self, user_id: int, message: Message) -> None: ...


class _Nobody:
    def call(self, view: CallView) -> None:
        pass

    def agent(self, user_id: int, message: Message) -> None:
        pass


class Notifier:
    def __init__(self, publish: Publish, watch: Watch | None = None) -> None:
        self._publish = publish
        self._watch = watch or _Nobody()

    def call(self, user_id: int | None, view: CallView) -> None:
        """A call changed: to its agent's console (if any) and to the board."""
        if user_id is not None:
            self._publish(user_id, call_message(view))
        self._watch.call(view)

    def agent_state(self, user_id: int, message: Message) -> None:
        """An ``agent_state_message``: to the agent's console and to the board."""
        self._publish(user_id, message)
        self._watch.agent(user_id, message)

    def pop(self, user_id: int, pop: Message, rung_at: float) -> None:
        self._publish(user_id, {**pop, "rung_at": rung_at})

    def pop_withdrawn(self, user_id: int, call_id: int, linkedid: str, reason: str) -> None:
        self._publish(user_id, {"type": "pop_withdrawn", "call_id": call_id,
                                "linkedid": linkedid, "reason": reason})
