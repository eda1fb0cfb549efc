"""Agents in the hotline queue: log in, log out, pause with a reason, and their live state.

The queue membership lives in Asterisk (QueueAdd/QueueRemove/QueuePause); our view of
it is LiveState, rebuilt from QueueStatus after every AMI login, so a restart of the
server or of Asterisk shows the truth again (and every agent is told it).
"""

from __future__ import annotations

from callcenter.db.agents import AgentStore
from callcenter.domain.agent_state import HOTLINE_QUEUE, agent_state, interface_of
from callcenter.domain.call_events import (
    CallEvent,
    LiveSnapshot,
    QueueMemberRemoved,
    QueueMemberState,
)
from callcenter.domain.users import User
from callcenter.errors import Conflict, ValidationError
from callcenter.services.calls import Extensions, durably
from callcenter.services.click_to_call import AmiSender, NoExtension
from callcenter.services.live_state import LiveState
from callcenter.services.notifier import Message, Notifier, agent_state_message
from callcenter.telephony.ami import AmiActionFailed

MAX_REASON = 80
# What Asterisk's QueuePause answers for an interface that is not a member of the queue.
_NOT_A_MEMBER = "interface not found"


class NotInQueue(Conflict):
    """Pausing (or unpausing) an agent who has not logged in to the hotline queue."""

    error_id = "not_in_queue"


def _interface(user: User) -> str:
    if user.extension is None:
        raise NoExtension("your account has no phone extension")
    return interface_of(user.extension)


async def _tolerant(ami: AmiSender, action: dict[str, str], already: str) -> None:
    """Send; an error saying the wanted state already holds counts as success."""
    try:
        await ami.send(action)
    except AmiActionFailed as exc:
        if already not in str(exc.details.get("reason", "")).lower():
            raise


async def log_in(ami: AmiSender, user: User) -> None:
    interface = _interface(user)
    # MemberName is the interface (PJSIP/1001), which Asterisk writes as the agent of
    # every queue_log line: the statistics name the agent by extension, so a renamed
    # agent's days stay one agent's (services/queue_statistics.py).
    await _tolerant(ami, {"Action": "QueueAdd", "Queue": HOTLINE_QUEUE, "Interface": interface,
                          "StateInterface": interface, "MemberName": interface,
                          "Paused": "false"}, "already there")


async def log_out(ami: AmiSender, user: User) -> None:
    await _tolerant(ami, {"Action": "QueueRemove", "Queue": HOTLINE_QUEUE,
                          "Interface": _interface(user)}, "not there")


async def pause(ami: AmiSender, user: User, paused: bool, reason: str = "") -> None:
    if len(reason) > MAX_REASON or "\n" in reason:
        raise ValidationError(f"reason: one line of at most {MAX_REASON} characters",
                              field="reason")
    try:
        await ami.send({"Action": "QueuePause", "Queue": HOTLINE_QUEUE,
                        "Interface": _interface(user), "Paused": "true" if paused else "false",
                        "Reason": reason})
    except AmiActionFailed as exc:
        # Asterisk refuses the pause of a non-member: a refusal of the request, not a
        # telephony outage (503), so the console can say "log in to the queue first".
        if _NOT_A_MEMBER in str(exc.details.get("reason", "")).lower():
            raise NotInQueue("you are not in the hotline queue: log in to it first") from None
        raise


class AgentStates:
    """Each agent's state, pushed to their consoles when Asterisk reports a change and
    after every AMI resync (the snapshot may differ from what was pushed before).

    Computed from the event itself, never from another consumer's view of it, so the
    order in which consumers get an event does not matter."""

    EVENTS = (QueueMemberState, QueueMemberRemoved, LiveSnapshot)

    def __init__(self, store: AgentStore, live: LiveState, extensions: Extensions,
                 notifier: Notifier) -> None:
        self._store = store
        self._live = live
        self._extensions = extensions
        self._notify = notifier
        self._known: set[str] = set()  # interfaces whose user was told a state

    async def on_event(self, event: CallEvent) -> None:
        match event:
            case LiveSnapshot():
                members = {m.interface: m for m in event.members if m.queue == HOTLINE_QUEUE}
                for interface in sorted(self._known | set(members)):
                    await self._tell(interface, members.get(interface))
            case QueueMemberState() if event.queue == HOTLINE_QUEUE:
                await self._tell(event.interface, event)
            case QueueMemberRemoved() if event.queue == HOTLINE_QUEUE:
                await self._tell(event.interface, None)

    async def _tell(self, interface: str, member: QueueMemberState | None) -> None:
        user_id = await durably(lambda: self._extensions.user_of(interface),
                                f"user of {interface}")
        if user_id is None:
            return
        self._known.add(interface)
        self._notify.agent_state(user_id, await self._state(member, user_id))

    async def _state(self, member: QueueMemberState | None, user_id: int) -> Message:
        wrap_up = await self._store.awaiting_wrap_up(user_id)
        return agent_state_message(agent_state(member, wrap_up is not None),
                                   member.paused_reason if member and member.paused else "",
                                   wrap_up)

    async def state_of(self, user: User) -> Message:
        member = None
        if user.extension is not None:
            member = self._live.members.get((HOTLINE_QUEUE, interface_of(user.extension)))
        return await self._state(member, user.id)

    async def current(self, user_id: int) -> Message:
        extension = await self._store.extension_of(user_id)
        member = None if extension is None else self._live.members.get(
            (HOTLINE_QUEUE, interface_of(extension)))
        return await self._state(member, user_id)

    async def push(self, user_id: int) -> None:
        """Send the agent's state again, e.g. once their call is closed (wrap-up): Asterisk
        reports the phone idle before the call's row is closed."""
        self._notify.agent_state(user_id, await self.current(user_id))
