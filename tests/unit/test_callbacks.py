"""The callback list's day: midnight to midnight in the center's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from callcenter.domain.callbacks import AbandonedCaller
from callcenter.services.callbacks import day_span


def test_today_is_the_centers_calendar_day() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    # 17:30 UTC on 1 December is 01:30 on 2 December in Shanghai
    since, until = day_span(datetime(2026, 12, 1, 17, 30, tzinfo=UTC), shanghai)
    assert since == datetime(2026, 12, 2, tzinfo=shanghai)
    assert until == datetime(2026, 12, 3, tzinfo=shanghai)
    assert (until - since).total_seconds() == 24 * 3600


def test_a_daylight_saving_day_is_23_hours() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    since, until = day_span(datetime(2026, 3, 29, 12, 0, tzinfo=berlin), berlin)
    assert until.timestamp() - since.timestamp() == 23 * 3600


def test_the_latest_abandoned_call_is_the_one_to_call_back() -> None:
    caller = AbandonedCaller("+8613800138000", None, None, 2,
                             datetime(2026, 12, 1, 9, 5, tzinfo=UTC), 40, "complaint",
                             (12, 7))
    shown = caller.to_dict()
    assert (shown["call_id"], shown["call_ids"]) == (12, [12, 7])
    assert shown["last_abandoned_at"] == "2026-12-01T09:05:00+00:00"
