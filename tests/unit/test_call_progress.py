from datetime import UTC, datetime

import pytest

from callcenter.domain.attempts import after_attempt
from callcenter.domain.call_events import (
    ChannelHungUp,
    ChannelStateChanged,
    DialEnded,
    DialStarted,
    OriginateFinished,
)
from callcenter.domain.call_progress import CallState, OutboundCall
from callcenter.domain.dialing import dial_digits

L = "cc-1"


def _run(*events) -> OutboundCall:
    call = OutboundCall(L, 100.0)
    for e in events:
        call.apply(e)
    return call


AGENT_UP = ChannelStateChanged(101.0, L, L, "PJSIP/1001-1", "up")
DIAL = DialStarted(101.1, L, L, "U2", "PJSIP/trunk-2", "13800138000@trunk")
AGENT_GONE = ChannelHungUp(110.0, L, L, "PJSIP/1001-1", 16, "Normal Clearing")


def test_answered_call() -> None:
    call = _run(AGENT_UP, DIAL, DialEnded(103.0, L, L, "U2", "PJSIP/trunk-2", "ANSWER"),
                AGENT_GONE)
    assert call.state is CallState.ENDED and call.disposition == "answered"
    assert call.duration == pytest.approx(7.0)
    assert call.customer_uniqueid == "U2"


@pytest.mark.parametrize(("status", "disposition"), [
    ("BUSY", "busy"), ("NOANSWER", "no_answer"), ("CANCEL", "no_answer"),
    ("CHANUNAVAIL", "unreachable"), ("CONGESTION", "unreachable"), ("WHAT", "failed")])
def test_customer_not_reached(status: str, disposition: str) -> None:
    call = _run(AGENT_UP, DIAL, DialEnded(105.0, L, L, "U2", "x", status), AGENT_GONE)
    assert call.disposition == disposition and call.duration is None


def test_agent_never_answers() -> None:
    call = _run(ChannelStateChanged(100.5, L, L, "PJSIP/1001-1", "ringing"),
                OriginateFinished(130.0, L, False, 3, "", ""))
    assert call.disposition == "agent_no_answer" and call.ended_at == 130.0
    assert not call.apply(AGENT_GONE)  # nothing moves after the end


def test_events_of_other_channels_do_not_end_the_call() -> None:
    call = _run(AGENT_UP, DIAL, ChannelHungUp(104.0, L, "U2", "PJSIP/trunk-2", 17, "Busy"))
    assert not call.ended


def test_closing_a_call_whose_end_was_not_seen() -> None:
    call = OutboundCall(L, 100.0)
    call.close_unseen(200.0, answered=True)
    assert call.disposition == "answered"
    call = OutboundCall(L, 100.0)
    call.close_unseen(200.0, answered=False)
    assert call.disposition == "failed"


def test_attempts_then_sms() -> None:
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    first = after_attempt("busy", 0, now)
    assert first and first.status == "call_again" and first.next_attempt_at > now
    second = after_attempt("no_answer", 1, now)
    assert second and second.status == "call_again" and not second.send_sms
    third = after_attempt("unreachable", 2, now)
    assert third and third.status == "unreachable" and third.send_sms
    assert after_attempt("answered", 2, now) is None
    assert after_attempt("agent_no_answer", 2, now) is None


@pytest.mark.parametrize(("e164", "digits"), [
    ("+8613800138000", "13800138000"), ("+861012345678", "01012345678"),
    ("+14155550100", "0014155550100")])
def test_dial_digits(e164: str, digits: str) -> None:
    assert dial_digits(e164, "CN") == digits
