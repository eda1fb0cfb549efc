"""Service appointments on PostgreSQL: slots, who is calling, free times, booking and
cancelling with their SMS in the same transaction.

Capacity is PostgreSQL's job (DESIGN.md 5): the appointments trigger counts bookings into
``appointment_slots.booked`` and its CHECK refuses the one too many, so two callers
confirming the last place at the same moment cannot both get it, whatever code path
inserts. A refused booking is reported as ``SLOT_FULL``; nothing is checked beforehand.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.queries import load_queries
from callcenter.domain import ivr, sms_texts
from callcenter.domain.appointments import (
    Appointment,
    BookingResult,
    BookingStatus,
    Customer,
    Slot,
    Vehicle,
    cancellation_key,
    confirmation_key,
    plan_slots,
)
from callcenter.services.sms import queue_sms

Q = load_queries("appointments")

SMS_CONFIRMATION = "appointment_confirmation"
SMS_CANCELLED = "appointment_cancelled"


async def create_slots(pool: asyncpg.Pool, *, first_day: date, last_day: date, tz: ZoneInfo,
                       capacity: int, hours: ivr.ServiceHours = ivr.DEFAULT_HOURS) -> int:
    """Create the bookable slots of a date range (closed days skipped); how many are new.

    Existing slots are kept with their capacity and bookings.
    """
    planned = plan_slots(first_day, last_day, tz, hours)
    if not planned:
        return 0
    rows = await pool.fetch(Q["insert_slots"], [s for s, _ in planned], [e for _, e in planned],
                            capacity)
    return len(rows)


async def customer_by_phone(pool: asyncpg.Pool, e164: str) -> Customer | None:
    row = await pool.fetchrow(Q["customer_by_phone"], e164)
    return None if row is None else Customer(row["id"], row["name"], row["phone"])


async def customer_by_plate_digits(pool: asyncpg.Pool, digits: str) -> Customer | None:
    """The one customer whose vehicle's plate has these digits; None if none or several."""
    rows = await pool.fetch(Q["customers_by_plate_digits"], digits)
    if len(rows) != 1:
        return None
    return Customer(rows[0]["id"], rows[0]["name"], rows[0]["phone"])


async def vehicles(pool: asyncpg.Pool, customer_id: int) -> list[Vehicle]:
    return [Vehicle(r["id"], r["plate"]) for r in await pool.fetch(Q["vehicles"], customer_id)]


def _earliest(now: datetime) -> datetime:
    return now + ivr.BOOKING_LEAD


async def free_days(pool: asyncpg.Pool, now: datetime, tz: ZoneInfo,
                    hours: ivr.ServiceHours = ivr.DEFAULT_HOURS) -> list[date]:
    """The days among the booking days with a slot not full (closed days never)."""
    offered = hours.booking_days(now.astimezone(tz).date())
    if not offered:
        return []
    end = datetime.combine(offered[-1] + timedelta(days=1), time(0), tz)
    rows = await pool.fetch(Q["free_days"], _earliest(now), end, tz.key)
    allowed = set(offered)
    return [r["day"] for r in rows if r["day"] in allowed][: ivr.MAX_OPTIONS]


async def free_slots(pool: asyncpg.Pool, day: date, now: datetime, tz: ZoneInfo) -> list[Slot]:
    start = max(datetime.combine(day, time(0), tz), _earliest(now))
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    rows = await pool.fetch(Q["free_slots"], start, end, ivr.MAX_OPTIONS)
    return [Slot(r["id"], r["starts_at"], r["ends_at"]) for r in rows]


async def next_free_slot(pool: asyncpg.Pool, after: Slot, now: datetime, tz: ZoneInfo,
                         hours: ivr.ServiceHours = ivr.DEFAULT_HOURS) -> Slot | None:
    """The first slot not full after ``after`` within the booking window."""
    offered = hours.booking_days(now.astimezone(tz).date())
    if not offered:
        return None
    end = datetime.combine(offered[-1] + timedelta(days=1), time(0), tz)
    row = await pool.fetchrow(Q["next_free_slot"], after.starts_at, after.id, end)
    if row is None or hours.is_closed_day(row["starts_at"].astimezone(tz).date()):
        return None
    return Slot(row["id"], row["starts_at"], row["ends_at"])


async def book(pool: asyncpg.Pool, *, customer: Customer, vehicle: Vehicle, slot: Slot,
               tz: ZoneInfo, channel: str = "ivr", work_kind: str = "maintenance",
               linkedid: str | None = None) -> BookingResult:
    """Book ``slot`` for ``vehicle`` and queue the confirmation SMS, in one transaction."""
    async with pool.acquire() as conn:
        try:
            async with conn.transaction():
                appointment_id = await conn.fetchval(
                    Q["insert_appointment"], slot.id, vehicle.id, work_kind, channel, linkedid)
                if appointment_id is None:
                    raise LookupError(f"vehicle {vehicle.id} does not exist")
                sms_id = None
                if customer.phone:
                    body = sms_texts.appointment_confirmation(
                        customer.name, slot.starts_at.astimezone(tz), vehicle.plate)
                    sms_id = await queue_sms(conn, customer_id=customer.id,
                                             phone=customer.phone, kind=SMS_CONFIRMATION,
                                             body=body,
                                             dedupe_key=confirmation_key(appointment_id))
        except asyncpg.CheckViolationError:
            return BookingResult(BookingStatus.SLOT_FULL)
        except asyncpg.UniqueViolationError:
            return BookingResult(BookingStatus.DUPLICATE)
    return BookingResult(BookingStatus.BOOKED, appointment_id, sms_id)


async def upcoming(pool: asyncpg.Pool, customer_id: int, now: datetime) -> list[Appointment]:
    rows = await pool.fetch(Q["upcoming"], customer_id, now, ivr.MAX_OPTIONS)
    return [Appointment(r["id"], Slot(r["slot_id"], r["starts_at"], r["ends_at"]),
                        Vehicle(r["vehicle_id"], r["plate"]), r["status"]) for r in rows]


async def cancel(pool: asyncpg.Pool, *, customer: Customer, appointment: Appointment,
                 tz: ZoneInfo) -> bool:
    """Cancel the customer's booked appointment and queue the notice; False if it was
    not booked (any more)."""
    async with pool.acquire() as conn, conn.transaction():
        cancelled = await conn.fetchval(Q["cancel"], appointment.id, customer.id)
        if cancelled is None:
            return False
        if customer.phone:
            body = sms_texts.appointment_cancelled(
                customer.name, appointment.slot.starts_at.astimezone(tz),
                appointment.vehicle.plate)
            await queue_sms(conn, customer_id=customer.id, phone=customer.phone,
                            kind=SMS_CANCELLED, body=body,
                            dedupe_key=cancellation_key(appointment.id))
    return True
