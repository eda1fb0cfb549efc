"""An agent books a service appointment for a customer (from a call or the pop):
the same booking as the IVR's (capacity enforced by PostgreSQL, SMS confirmation in the
same transaction), through the 'agent' channel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.queries import load_queries
from callcenter.domain.appointments import BookingStatus, Customer, Slot, Vehicle
from callcenter.domain.ivr import ServiceHours
from callcenter.errors import Conflict, ValidationError
from callcenter.services import appointments

Q = load_queries("agent_bookings")
WORK_KINDS = ("maintenance", "repair", "warranty", "inspection", "other")


class SlotFull(Conflict):
    error_id = "slot_full"


class AlreadyBooked(Conflict):
    error_id = "already_booked"


async def free_slots(pool: asyncpg.Pool, day: date | None, tz: ZoneInfo,
                     hours: ServiceHours) -> dict[str, Any]:
    """The days with free places, or one day's free slots."""
    now = datetime.now(UTC)
    if day is None:
        days = await appointments.free_days(pool, now, tz, hours)
        return {"days": [d.isoformat() for d in days]}
    slots = await appointments.free_slots(pool, day, now, tz)
    return {"day": day.isoformat(), "slots": [
        {"id": s.id, "starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat()}
        for s in slots]}


async def book(pool: asyncpg.Pool, customer_id: int, vehicle_id: int, slot_id: int,
               work_kind: str, call_id: int | None, tz: ZoneInfo) -> int:
    """Book ``slot_id`` for the customer's vehicle (the request's fields already checked
    by http/schemas.py BookingBody); ``call_id`` names the call it was booked on."""
    row = await pool.fetchrow(Q["booking_subject"], customer_id, vehicle_id, slot_id)
    if row is None:
        raise ValidationError("no such slot, or the vehicle is not the customer's")
    linkedid = None
    if call_id is not None:
        linkedid = await pool.fetchval(Q["call_linkedid"], call_id)
    result = await appointments.book(
        pool, customer=Customer(row["customer_id"], row["name"], row["phone"]),
        vehicle=Vehicle(row["vehicle_id"], row["plate"]),
        slot=Slot(row["slot_id"], row["starts_at"], row["ends_at"]), tz=tz,
        channel="agent", work_kind=work_kind, linkedid=linkedid)
    if result.appointment_id is not None:  # booked
        return result.appointment_id
    if result.status is BookingStatus.DUPLICATE:
        raise AlreadyBooked("this vehicle is already booked at that time")
    raise SlotFull("that time was just taken: choose another")
