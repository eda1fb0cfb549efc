"""Service appointments: slots, bookings and what a booking attempt can end in. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from callcenter.domain import ivr


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: int
    plate: str


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    name: str
    # Where SMS go: the number the caller was recognised by, else the first on record.
    phone: str | None


@dataclass(frozen=True, slots=True)
class Slot:
    id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Appointment:
    id: int
    slot: Slot
    vehicle: Vehicle
    status: str


class BookingStatus(StrEnum):
    BOOKED = "booked"
    # The slot filled up between offer and confirmation (PostgreSQL refused the insert).
    SLOT_FULL = "slot_full"
    # This vehicle already has a booking in this slot.
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class BookingResult:
    status: BookingStatus
    appointment_id: int | None = None
    sms_id: int | None = None


def confirmation_key(appointment_id: int) -> str:
    """The SMS outbox dedupe key: one confirmation per appointment, however often retried."""
    return f"appointment:{appointment_id}:confirmation"


def cancellation_key(appointment_id: int) -> str:
    return f"appointment:{appointment_id}:cancelled"


def plan_slots(first_day: date, last_day: date, tz: ZoneInfo,
               hours: ivr.ServiceHours = ivr.DEFAULT_HOURS) -> list[tuple[datetime, datetime]]:
    """(starts_at, ends_at) of every slot from ``first_day`` to ``last_day`` inclusive,
    as aware datetimes in the center's time zone; closed days have none."""
    planned = []
    day = first_day
    while day <= last_day:
        for start, end in hours.slot_times(day):
            planned.append((datetime.combine(day, start, tz), datetime.combine(day, end, tz)))
        day += timedelta(days=1)
    return planned
