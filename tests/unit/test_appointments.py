"""Appointment rules: slot plans and SMS dedupe keys."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from callcenter.domain.appointments import cancellation_key, confirmation_key, plan_slots
from callcenter.domain.ivr import ServiceHours

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_plan_slots_covers_open_days_in_the_centers_zone() -> None:
    planned = plan_slots(date(2026, 3, 7), date(2026, 3, 9), SHANGHAI)  # Sat, Sun, Mon
    days = sorted({start.date() for start, _ in planned})
    assert days == [date(2026, 3, 7), date(2026, 3, 9)]
    first_start, first_end = planned[0]
    assert first_start == datetime(2026, 3, 7, 8, 30, tzinfo=SHANGHAI)
    assert first_start.utcoffset().total_seconds() == 8 * 3600
    assert (first_end - first_start).total_seconds() == 3600


def test_plan_slots_with_custom_hours() -> None:
    hours = ServiceHours(open_at=time(9), close_at=time(10), slot_minutes=30)
    planned = plan_slots(date(2026, 3, 9), date(2026, 3, 9), SHANGHAI, hours)
    assert [s.time() for s, _ in planned] == [time(9), time(9, 30)]


def test_plan_slots_of_an_empty_range() -> None:
    assert plan_slots(date(2026, 3, 9), date(2026, 3, 8), SHANGHAI) == []


def test_one_confirmation_and_one_cancellation_per_appointment() -> None:
    assert confirmation_key(7) == "appointment:7:confirmation"
    assert cancellation_key(7) != confirmation_key(7)
