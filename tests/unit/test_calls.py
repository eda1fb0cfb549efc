from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.attempts import CallAgainGap, after_attempt
from callcenter.domain.call_events import (
    ChannelHungUp,
    ChannelStateChanged,
    DialEnded,
    DialStarted,
    OriginateFinished,
)
from callcenter.domain.calls import CallRecord, CallState, OutboundCall
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
    heard = OutboundCall(L, 100.0)
    heard.close_unseen(200.0, answered_at=150.0)  # its recording says 50 s were bridged
    assert heard.disposition == "answered" and heard.duration == pytest.approx(50.0)
    # Without a recording, the last state seen decides.
    ringing_agent = OutboundCall(L, 100.0)
    ringing_agent.close_unseen(120.0, answered_at=None)
    assert ringing_agent.disposition == "agent_no_answer" and ringing_agent.ended_at == 120.0
    ringing_customer = _run(AGENT_UP, DIAL)
    ringing_customer.close_unseen(130.0, answered_at=None)
    assert ringing_customer.disposition == "no_answer"
    talking = _run(AGENT_UP, DIAL, DialEnded(103.0, L, L, "U2", "PJSIP/trunk-2", "ANSWER"))
    talking.close_unseen(140.0, answered_at=None)
    assert talking.disposition == "answered" and talking.answered_at == 103.0


def test_an_originate_asterisk_refused_is_failed_not_unanswered() -> None:
    call = OutboundCall(L, 100.0)
    call.originate_failed(100.5)
    assert call.disposition == "failed" and call.ended


def test_a_call_rebuilt_from_its_row_goes_on() -> None:
    record = CallRecord(7, L, "outbound", "customer_ringing", 3, 5, 9, "+8613800138000", "",
                        100.0, 101.0, None, "U2", "PJSIP/trunk-2", "", "", "", 101.1)
    call = record.outbound()
    assert call.state is CallState.CUSTOMER_RINGING
    call.apply(DialEnded(103.0, L, L, "U2", "PJSIP/trunk-2", "ANSWER"))
    call.apply(AGENT_GONE)
    assert call.disposition == "answered" and call.duration == pytest.approx(7.0)


def test_attempts_then_sms() -> None:
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    gap = CallAgainGap(ZoneInfo("Asia/Shanghai"))
    first = after_attempt("busy", 0, now, gap)
    assert first and first.status == "call_again" and first.next_attempt_at
    assert first.next_attempt_at > now
    second = after_attempt("no_answer", 1, now, gap)
    assert second and second.status == "call_again" and not second.send_sms
    third = after_attempt("unreachable", 2, now, gap)
    assert third and third.status == "unreachable" and third.send_sms
    assert after_attempt("answered", 2, now, gap) is None
    assert after_attempt("agent_no_answer", 2, now, gap) is None


@pytest.mark.parametrize(("e164", "digits"), [
    ("+8613800138000", "13800138000"), ("+861012345678", "01012345678"),
    ("+14155550100", "0014155550100")])
def test_dial_digits(e164: str, digits: str) -> None:
    assert dial_digits(e164, "CN") == digits
