"""An agent's state in the queue, from Asterisk's member status and our wrap-up rule."""

from __future__ import annotations

import enum

from callcenter.domain.call_events import QueueMemberState

HOTLINE_QUEUE = "hotline"  # the queue of dialplans/queues.conf


class AgentState(enum.StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"
    UNAVAILABLE = "unavailable"  # logged in, but the phone is not reachable


# AST_DEVICE_* numbers in QueueMemberStatus.Status
_RINGING = {6, 7}
_IN_USE = {2, 3, 7, 8}
_UNREACHABLE = {4, 5}


def agent_state(member: QueueMemberState | None, awaiting_wrap_up: bool) -> AgentState:
    if member is None:
        return AgentState.LOGGED_OUT
    if member.status in _RINGING:
        return AgentState.RINGING
    if member.in_call or member.status in _IN_USE:
        return AgentState.ON_CALL
    if member.paused:
        return AgentState.PAUSED
    if member.status in _UNREACHABLE:
        return AgentState.UNAVAILABLE
    if awaiting_wrap_up:
        return AgentState.WRAP_UP
    return AgentState.AVAILABLE


def interface_of(extension: str) -> str:
    return f"PJSIP/{extension}"
