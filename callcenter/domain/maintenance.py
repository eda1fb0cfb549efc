"""When a vehicle's next maintenance falls due (DESIGN.md section 2; docs/scheduler.md).

The first service at ``first_km`` or ``first_months`` after delivery, whichever comes
first; then every ``every_km`` or ``every_months`` after the last maintenance service,
whichever comes first. The km side is a projection: the last known reading (a visit's
order or a reading told during a call) moved forward at the vehicle's average daily
distance since delivery; without a reading (or with no distance yet) only months count.
Months are calendar months, a missing day clamped to the month's end.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """``months`` calendar months later (earlier when negative), a day the target month
    lacks clamped to its last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True, slots=True)
class MaintenancePolicy:
    first_km: int = 5000
    first_months: int = 6
    every_km: int = 10000
    every_months: int = 12
    remind_days: int = 7  # the reminder call is due this many days before


@dataclass(frozen=True, slots=True)
class Reading:
    km: int
    day: date


@dataclass(frozen=True, slots=True)
class VehicleHistory:
    delivered: date | None  # delivery, or the sale when the delivery is unknown
    last_service: Reading | None  # the last maintenance order (km may be unknown: -1)
    last_reading: Reading | None  # the latest mileage known, from any source


def daily_km(delivered: date | None, reading: Reading | None) -> float | None:
    """The average distance per day since delivery, None when it cannot be told."""
    if delivered is None or reading is None or reading.km <= 0:
        return None
    days = (reading.day - delivered).days
    return reading.km / days if days > 0 else None


def km_reached(target_km: int, reading: Reading | None, per_day: float | None) -> date | None:
    """The day the projected mileage reaches ``target_km``; None without a projection."""
    if reading is None:
        return None
    if reading.km >= target_km:
        return reading.day
    if not per_day:
        return None
    return reading.day + timedelta(days=math.ceil((target_km - reading.km) / per_day))


def next_maintenance(history: VehicleHistory, policy: MaintenancePolicy) -> date | None:
    """The day the next maintenance is due; None when nothing dates the vehicle."""
    per_day = daily_km(history.delivered, history.last_reading)
    service = history.last_service
    if service is None:
        if history.delivered is None:
            return None
        by_months = add_months(history.delivered, policy.first_months)
        by_km = km_reached(policy.first_km, history.last_reading, per_day)
    else:
        by_months = add_months(service.day, policy.every_months)
        by_km = (None if service.km < 0 else
                 km_reached(service.km + policy.every_km, history.last_reading, per_day))
        if by_km is not None:
            by_km = max(by_km, service.day)  # a reading older than the service says nothing
    return by_months if by_km is None else min(by_months, by_km)


def reminder_day(due: date, policy: MaintenancePolicy) -> date:
    """The day the reminder call is due."""
    return due - timedelta(days=policy.remind_days)


def source_key(vin: str, due: date) -> str:
    """One reminder per vehicle and due day: never twice, whatever reruns."""
    return f"maintenance:{vin}:{due.isoformat()}"
