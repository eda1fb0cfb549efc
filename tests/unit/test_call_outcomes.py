"""The call scripts' rules without I/O: the call-again gap, the three failures, a wrong
number, the callback's bounds, and round-robin assignment (domain/attempts.py,
domain/followups.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.attempts import (
    CALLBACK_HORIZON,
    CallAgainGap,
    CallbackTimeRefused,
    after_attempt,
    check_callback_time,
    too_early,
)
from callcenter.domain.followups import round_robin

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEXT_DAY = CallAgainGap(SHANGHAI)


def test_the_default_gap_is_the_next_day_in_the_centers_zone() -> None:
    # 23:30 in Shanghai (15:30 UTC): the next attempt is at Shanghai's next midnight,
    # half an hour later, not the next UTC day.
    late = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    assert NEXT_DAY.not_before(late) == datetime(2026, 11, 24, 0, 0, tzinfo=SHANGHAI)
    # 00:30 in Shanghai is still the previous day in UTC: the next day is the 25th.
    early = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    assert NEXT_DAY.not_before(early) == datetime(2026, 11, 25, 0, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("text", "after"), [
    ("30s", timedelta(seconds=30)), ("90m", timedelta(minutes=90)), ("4H", timedelta(hours=4)),
    (" next_day ", None)])
def test_gap_settings(text: str, after: timedelta | None) -> None:
    assert CallAgainGap.parse(text, SHANGHAI) == CallAgainGap(SHANGHAI, after)


@pytest.mark.parametrize("text", ["", "0s", "tomorrow", "10", "5d", "-1h", "1.5h"])
def test_bad_gap_settings(text: str) -> None:
    with pytest.raises(ValueError, match="next_day"):
        CallAgainGap.parse(text, SHANGHAI)


def test_not_reached_waits_for_the_gap_and_the_third_sends_the_sms() -> None:
    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    gap = CallAgainGap(SHANGHAI, timedelta(hours=4))
    first = after_attempt("no_answer", 0, now, gap)
    assert first is not None and (first.status, first.next_attempt_at) == (
        "call_again", now + timedelta(hours=4))
    third = after_attempt("busy", 2, now, gap)
    assert third is not None and (third.status, third.send_sms) == ("unreachable", True)


def test_wrong_number_with_another_phone_is_callable_at_once() -> None:
    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    change = after_attempt("wrong_number", 0, now, NEXT_DAY, other_valid_phones=True)
    assert change is not None and (change.status, change.next_attempt_at) == ("call_again", now)
    # No valid number left: unreachable, and no SMS (there is nowhere to send it).
    last = after_attempt("wrong_number", 0, now, NEXT_DAY, other_valid_phones=False)
    assert last is not None and (last.status, last.send_sms) == ("unreachable", False)


def test_callback_bounds() -> None:
    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    check_callback_time(now + timedelta(seconds=1), now)
    check_callback_time(now + CALLBACK_HORIZON, now)
    for bad in (now, now - timedelta(minutes=1), now + CALLBACK_HORIZON + timedelta(seconds=1)):
        with pytest.raises(CallbackTimeRefused) as refused:
            check_callback_time(bad, now)
        assert refused.value.not_after == now + CALLBACK_HORIZON


def test_too_early() -> None:
    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    assert too_early(None, now) is None
    assert too_early(now, now) is None
    assert too_early(now + timedelta(seconds=1), now) == now + timedelta(seconds=1)


def test_round_robin() -> None:
    assert round_robin([5, 6, 7, 8, 9], [1, 2]) == [(5, 1), (6, 2), (7, 1), (8, 2), (9, 1)]
    assert round_robin([5, 5, 6], [3]) == [(5, 3), (6, 3)]
    with pytest.raises(ValueError):
        round_robin([1], [])
