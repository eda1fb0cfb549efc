"""The maintenance rule (months against km, the projection) and the scheduler's days."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.maintenance import (
    MaintenancePolicy,
    Reading,
    VehicleHistory,
    add_months,
    next_maintenance,
    reminder_day,
)
from callcenter.domain.scheduler import catch_up_start, due_through, owed_days

POLICY = MaintenancePolicy()
DELIVERED = date(2025, 1, 1)


def test_months_come_first_without_a_reading() -> None:
    assert next_maintenance(VehicleHistory(DELIVERED, None, None), POLICY) == date(2025, 7, 1)


def test_km_come_first_for_a_car_driven_a_lot() -> None:
    # 2,000 km in 20 days: 100 km a day, 5,000 km on day 50
    history = VehicleHistory(DELIVERED, None, Reading(2000, date(2025, 1, 21)))
    assert next_maintenance(history, POLICY) == date(2025, 2, 20)


def test_months_come_first_for_a_car_driven_little() -> None:
    history = VehicleHistory(DELIVERED, None, Reading(1000, date(2025, 3, 1)))
    assert next_maintenance(history, POLICY) == date(2025, 7, 1)


def test_after_a_service_the_interval_counts_from_it() -> None:
    service = Reading(5200, date(2025, 2, 20))
    # 5,200 km in 50 days (104 a day): 10,000 km more in 97 days
    history = VehicleHistory(DELIVERED, service, service)
    assert next_maintenance(history, POLICY) == date(2025, 5, 28)
    slow = Reading(600, date(2025, 2, 20))
    assert next_maintenance(VehicleHistory(DELIVERED, slow, slow), POLICY) == date(2026, 2, 20)


def test_a_service_without_mileage_counts_months_only() -> None:
    service = Reading(-1, date(2025, 8, 31))
    assert next_maintenance(VehicleHistory(DELIVERED, service, None), POLICY) == date(2026, 8, 31)


def test_a_reading_past_the_threshold_is_due_at_once() -> None:
    history = VehicleHistory(DELIVERED, None, Reading(6000, date(2025, 2, 1)))
    assert next_maintenance(history, POLICY) == date(2025, 2, 1)


def test_nothing_dates_a_vehicle_without_delivery_or_service() -> None:
    assert next_maintenance(VehicleHistory(None, None, None), POLICY) is None


def test_months_clamp_to_the_month_end_both_ways() -> None:
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 15), -12) == date(2024, 1, 15)
    assert reminder_day(date(2025, 7, 1), POLICY) == date(2025, 6, 24)


TZ = ZoneInfo("Asia/Shanghai")


def test_the_day_due_is_today_at_start_and_from_the_planned_time() -> None:
    early = datetime.combine(date(2025, 3, 2), time(1, 30), TZ)
    assert due_through(early, time(2), at_start=True) == date(2025, 3, 2)
    assert due_through(early, time(2), at_start=False) == date(2025, 3, 1)
    late = datetime.combine(date(2025, 3, 2), time(2, 0), TZ)
    assert due_through(late, time(2), at_start=False) == date(2025, 3, 2)


def test_catch_up_days_are_bounded_and_start_at_the_rule_s_first_day() -> None:
    today = date(2025, 3, 20)
    assert catch_up_start(None, today, 14) == today  # a fresh database: today only
    assert catch_up_start(date(2025, 3, 15), today, 14) == date(2025, 3, 15)
    assert catch_up_start(date(2024, 1, 1), today, 14) == date(2025, 3, 7)
    with pytest.raises(ValueError):
        catch_up_start(None, today, 0)


def test_owed_days_leave_out_the_finished_ones() -> None:
    finished = {date(2025, 3, 2), date(2025, 3, 4)}
    assert owed_days(date(2025, 3, 1), date(2025, 3, 5), finished) == [
        date(2025, 3, 1), date(2025, 3, 3), date(2025, 3, 5)]
