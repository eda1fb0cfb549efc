import pytest

from callcenter.domain.agent_state import AgentState, agent_state
from callcenter.domain.call_events import (
    AgentAnswered,
    AgentRingEnded,
    AgentRung,
    CallerQueued,
    ChannelHungUp,
    QueueMemberState,
)
from callcenter.domain.caller_id import classify
from callcenter.domain.calls import Answered, Ended, InboundCall, Pop, Withdraw
from callcenter.telephony.ami_events import translate
from tests.frames import events

L = "L1"


def _rung(interface: str) -> AgentRung:
    return AgentRung(1.0, "hotline", interface, L, L, "A", "13800138000", "complaint")


def test_recorded_queue_call_pops_then_answers() -> None:
    translated = [e for e in map(translate, events("queue_answered")) if e]
    queued = next(e for e in translated if isinstance(e, CallerQueued))
    call = InboundCall(queued.linkedid, queued.caller_uniqueid, queued.caller_number,
                       queued.ivr_choice, queued.at)
    effects = [fx for e in translated for fx in call.apply(e)]
    kinds = [type(fx) for fx in effects]
    assert kinds == [Pop, Answered, Ended]
    assert effects[-1].disposition == "answered"


def test_another_agent_answering_withdraws_the_others() -> None:
    call = InboundCall(L, L, "13800138000", "", 0.0)
    call.apply(_rung("PJSIP/1001"))
    call.apply(_rung("PJSIP/1002"))
    assert call.ivr_choice == "complaint"
    effects = call.apply(AgentAnswered(2.0, "hotline", "PJSIP/1002", L, "B"))
    assert effects == [Withdraw("PJSIP/1001", "answered_elsewhere"),
                       Answered("PJSIP/1002", 2.0)]


def test_ring_timeout_and_caller_hang_up() -> None:
    call = InboundCall(L, L, "13800138000", "", 0.0)
    call.apply(_rung("PJSIP/1001"))
    assert call.apply(AgentRingEnded(2.0, "hotline", "PJSIP/1001", L)) == [
        Withdraw("PJSIP/1001", "not_answered")]
    call.apply(_rung("PJSIP/1002"))
    effects = call.apply(ChannelHungUp(3.0, L, L, "PJSIP/trunk-1", 16, ""))
    assert effects == [Withdraw("PJSIP/1002", "caller_hung_up"), Ended("abandoned", 3.0)]
    assert call.apply(_rung("PJSIP/1003")) == []


@pytest.mark.parametrize("raw", ["+8613800138000", "008613800138000", "13800138000",
                                 "138-0013-8000", "+86 138 0013 8000"])
def test_caller_id_formats_reduce_to_one_number(raw: str) -> None:
    assert classify(raw, "CN").e164 == "+8613800138000"


def test_landline_withheld_and_garbage() -> None:
    assert classify("010-12345678", "CN").e164 == "+861012345678"
    assert classify("anonymous", "CN").withheld
    unknown = classify("12", "CN")
    assert unknown.e164 is None and not unknown.withheld and unknown.raw == "12"


def _member(status: int, paused: bool = False, in_call: bool = False) -> QueueMemberState:
    return QueueMemberState(1.0, "hotline", "PJSIP/1001", status, paused, "", in_call)


@pytest.mark.parametrize(("member", "wrap_up", "state"), [
    (None, False, AgentState.LOGGED_OUT),
    (_member(1), False, AgentState.AVAILABLE),
    (_member(1), True, AgentState.WRAP_UP),
    (_member(6), False, AgentState.RINGING),
    (_member(2, in_call=True), False, AgentState.ON_CALL),
    (_member(1, paused=True), False, AgentState.PAUSED),
    (_member(5), False, AgentState.UNAVAILABLE),
])
def test_agent_states(member, wrap_up: bool, state: AgentState) -> None:
    assert agent_state(member, wrap_up) is state
