"""Call supervision (listen, whisper, barge) and forced pause or log-out of an agent.

Supervising: the supervisor's own phone (their extension) is rung by an AMI Originate
into the dialplan's [cc-supervise] context; once they answer, ChanSpy joins them to
the agent's channel of the live call in the mode asked (domain/supervision.py). The
call must be live with the agent talking on it (CallRegistry.agent_uniqueid), and the
agent's channel known to LiveState, else 409 ``call_not_live``.

Forcing: the agent's queue membership is changed exactly as the agent's own buttons
change it (services/agents.py); Asterisk's QueueMemberPause / QueueMemberRemoved event
then reaches AgentStates, which pushes the new state to the agent's console.

Every use is written to the audit log *before* Asterisk is asked, so nothing happens
unaudited: a row may stand for an attempt Asterisk then refused (the answer was 503).
Its end is written when Asterisk reports it (ChanSpyStop, ``SupervisionEnds``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from callcenter.domain.agent_state import HOTLINE_QUEUE, interface_of
from callcenter.domain.call_events import CallEvent, SupervisionEnded
from callcenter.domain.supervision import (
    Mode,
    check_may_supervise,
    check_supervises,
    spy_caller_id,
)
from callcenter.domain.users import User
from callcenter.errors import Conflict, TelephonyUnavailable
from callcenter.services import agents
from callcenter.services.calls import CallRegistry
from callcenter.services.click_to_call import AmiSender, NoExtension
from callcenter.services.live_state import LiveState

log = logging.getLogger(__name__)

SPY_CONTEXT = "cc-supervise"
# The Originate's ChannelId (and ActionID) prefix: the supervisor's leg is no call of
# the registry's, and its OriginateResponse matches none.
SPY_PREFIX = "cc-spy-"


class CallNotLive(Conflict):
    """The call is not in progress, or its agent is not (yet) talking on it."""

    error_id = "call_not_live"


class AgentNotInQueue(Conflict):
    """Forcing the pause or log-out of an agent who is not in the hotline queue."""

    error_id = "agent_not_in_queue"


class Audit(Protocol):
    """Where supervision is recorded (db/supervision.py)."""

    async def record(self, actor_id: int, action: str, target_type: str, target_id: int,
                     remote: str | None, details: dict[str, Any]) -> None: ...

    async def record_end(self, spy_channel_id: str, at: float) -> bool: ...


@dataclass(frozen=True)
class Supervision:
    call_id: int
    mode: Mode
    channel: str  # the agent's channel ChanSpy joins

    def to_dict(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "mode": self.mode.value, "channel": self.channel}


def _connected(ami: AmiSender) -> None:
    if not ami.connected:
        raise TelephonyUnavailable("the phone system (Asterisk) is not connected; "
                                   "try again in a moment")


async def supervise(ami: AmiSender, registry: CallRegistry, live: LiveState, user: User,
                    call_id: int, mode: Mode, *, audit: Audit, remote: str | None = None,
                    ring_seconds: int = 30) -> Supervision:
    """Ring the supervisor's phone and join it to the call's agent channel in ``mode``."""
    check_supervises(user)
    found = registry.agent_uniqueid(call_id)
    channel = live.channels.get(found[1]) if found is not None else None
    if found is None or channel is None:
        raise CallNotLive("the call is not in progress with its agent", call_id=call_id)
    agent_id = found[0]
    check_may_supervise(user, agent_id)
    if user.extension is None:
        raise NoExtension("your account has no phone extension to listen from")
    _connected(ami)
    spy_id = f"{SPY_PREFIX}{uuid.uuid4().hex}"
    await audit.record(user.id, f"call.{mode.value}", "call", call_id, remote,
                       {"agent_id": agent_id, "mode": mode.value, "channel": channel.name,
                        "extension": user.extension, "spy_channel_id": spy_id})
    await ami.send({
        "Action": "Originate", "ActionID": spy_id, "ChannelId": spy_id,
        "Channel": f"PJSIP/{user.extension}", "Context": SPY_CONTEXT, "Exten": "s",
        "Priority": "1", "Async": "true", "Timeout": str(ring_seconds * 1000),
        "CallerID": spy_caller_id(mode, channel.name),
        # A list: one Variable header each (read by [cc-supervise]).
        "Variable": [f"CC_SPY_CHANNEL={channel.name}", f"CC_SPY_MODE={mode.value}",
                     f"CC_CALL_ID={call_id}"],
    })
    log.info("supervision %s: %s %s call %d (%s)", spy_id, user.username, mode.value,
             call_id, channel.name)
    return Supervision(call_id, mode, channel.name)


def _member_interface(live: LiveState, agent: User) -> str:
    """The agent's queue interface, if LiveState (Asterisk's view) has them in the
    queue."""
    interface = interface_of(agent.extension) if agent.extension is not None else None
    if interface is None or (HOTLINE_QUEUE, interface) not in live.members:
        raise AgentNotInQueue(f"{agent.display_name} is not in the hotline queue",
                              user_id=agent.id)
    return interface


async def force_pause(ami: AmiSender, supervisor: User, agent: User, paused: bool,
                      reason: str, *, live: LiveState, audit: Audit,
                      remote: str | None = None) -> None:
    """Pause (with a reason) or unpause an agent in the hotline queue."""
    check_supervises(supervisor)
    _member_interface(live, agent)
    _connected(ami)
    await audit.record(supervisor.id, "agent.force_pause" if paused else "agent.force_unpause",
                       "agent", agent.id, remote, {"reason": reason, "paused": paused})
    try:
        await agents.pause(ami, agent, paused, reason)
    except agents.NotInQueue:  # left the queue since LiveState last heard of them
        raise AgentNotInQueue(f"{agent.display_name} is not in the hotline queue",
                              user_id=agent.id) from None
    log.info("%s %s %s", supervisor.username, "paused" if paused else "unpaused",
             agent.username)


async def force_logout(ami: AmiSender, supervisor: User, agent: User, *, live: LiveState,
                       audit: Audit, remote: str | None = None) -> None:
    """Take an agent out of the hotline queue."""
    check_supervises(supervisor)
    _member_interface(live, agent)
    _connected(ami)
    await audit.record(supervisor.id, "agent.force_logout", "agent", agent.id, remote, {})
    await agents.log_out(ami, agent)
    log.info("%s logged %s out of the queue", supervisor.username, agent.username)


class SupervisionEnds:
    """Writes the end of each supervision this server started, as Asterisk reports it
    (a telephony consumer: services/dispatch.py). A spy that never started (the
    supervisor did not answer) has no ChanSpyStop, and so no end row."""

    EVENTS = (SupervisionEnded,)

    def __init__(self, audit: Audit) -> None:
        self._audit = audit

    async def on_event(self, event: CallEvent) -> None:
        if isinstance(event, SupervisionEnded) and event.spyer_uniqueid.startswith(SPY_PREFIX):
            if not await self._audit.record_end(event.spyer_uniqueid, event.at):
                log.warning("supervision %s ended, but its start is not on record",
                            event.spyer_uniqueid)
