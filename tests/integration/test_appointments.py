"""Appointments on a real PostgreSQL: slots, booking races, cancelling, SMS in the same
transaction."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.database import create_pool
from callcenter.domain import ivr
from callcenter.domain.appointments import BookingStatus, Customer, Slot, Vehicle
from callcenter.services import appointments

TZ = ZoneInfo("Asia/Shanghai")
_vins = itertools.count(1)


async def add_customer(pool: asyncpg.Pool, name: str, phone: str | None,
                       plates: list[str]) -> tuple[Customer, list[Vehicle]]:
    """A customer with one phone (E.164) and vehicles with these plates."""
    customer_id = await pool.fetchval("INSERT INTO customers (name) VALUES ($1) RETURNING id",
                                      name)
    if phone:
        await pool.execute("INSERT INTO customer_phones (customer_id, e164) VALUES ($1, $2)",
                           customer_id, phone)
    vehicles = []
    for plate in plates:
        vin = f"LSV{next(_vins):014d}"
        vehicle_id = await pool.fetchval(
            "INSERT INTO vehicles (customer_id, vin, plate) VALUES ($1, $2, $3) RETURNING id",
            customer_id, vin, plate)
        vehicles.append(Vehicle(vehicle_id, plate))
    return Customer(customer_id, name, phone), vehicles


def next_open_day(now: datetime) -> date:
    """The first open day after today, in the center's zone."""
    day = now.astimezone(TZ).date() + timedelta(days=1)
    while ivr.DEFAULT_HOURS.is_closed_day(day):
        day += timedelta(days=1)
    return day


async def week_of_slots(pool: asyncpg.Pool, capacity: int) -> date:
    now = datetime.now(UTC)
    today = now.astimezone(TZ).date()
    await appointments.create_slots(pool, first_day=today, last_day=today + timedelta(days=8),
                                    tz=TZ, capacity=capacity)
    return next_open_day(now)


async def test_create_slots_is_idempotent_and_skips_closed_days(pool: asyncpg.Pool) -> None:
    first = date(2026, 3, 2)  # a Monday
    created = await appointments.create_slots(pool, first_day=first,
                                              last_day=first + timedelta(days=6), tz=TZ,
                                              capacity=2)
    assert created == 6 * len(ivr.DEFAULT_HOURS.slot_times(first))
    again = await appointments.create_slots(pool, first_day=first,
                                            last_day=first + timedelta(days=6), tz=TZ,
                                            capacity=5)
    assert again == 0
    rows = await pool.fetch("SELECT starts_at, capacity FROM appointment_slots")
    assert {r["capacity"] for r in rows} == {2}
    closed = ivr.DEFAULT_HOURS.is_closed_day
    assert not [r for r in rows if closed(r["starts_at"].astimezone(TZ).date())]


async def test_free_days_and_slots_skip_full_and_closed(pool: asyncpg.Pool) -> None:
    day = await week_of_slots(pool, capacity=1)
    now = datetime.now(UTC)
    days = await appointments.free_days(pool, now, TZ)
    assert day in days
    assert not [d for d in days if ivr.DEFAULT_HOURS.is_closed_day(d)]
    assert len(days) <= ivr.BOOKING_DAYS
    slots = await appointments.free_slots(pool, day, now, TZ)
    customer, (car,) = await add_customer(pool, "张伟", "+8613800138000", ["京A12345"])
    result = await appointments.book(pool, customer=customer, vehicle=car, slot=slots[0], tz=TZ)
    assert result.status is BookingStatus.BOOKED
    after = await appointments.free_slots(pool, day, now, TZ)
    assert slots[0].id not in [s.id for s in after]


async def test_booking_queues_the_confirmation_in_the_same_transaction(
        pool: asyncpg.Pool) -> None:
    day = await week_of_slots(pool, capacity=2)
    slot = (await appointments.free_slots(pool, day, datetime.now(UTC), TZ))[0]
    customer, (car,) = await add_customer(pool, "张伟", "+8613800138000", ["京A12345"])
    result = await appointments.book(pool, customer=customer, vehicle=car, slot=slot, tz=TZ,
                                     linkedid="1700000000.1")
    assert result.status is BookingStatus.BOOKED
    row = await pool.fetchrow("SELECT * FROM appointments WHERE id = $1", result.appointment_id)
    assert (row["slot_id"], row["vehicle_id"], row["customer_id"], row["channel"],
            row["status"]) == (slot.id, car.id, customer.id, "ivr", "booked")
    sms = await pool.fetchrow("SELECT * FROM sms_outbox WHERE id = $1", result.sms_id)
    assert sms["dedupe_key"] == f"appointment:{result.appointment_id}:confirmation"
    assert sms["phone"] == "+8613800138000" and "京A12345" in sms["body"]
    # the same car in the same slot again: refused, and no second SMS
    again = await appointments.book(pool, customer=customer, vehicle=car, slot=slot, tz=TZ)
    assert again.status is BookingStatus.DUPLICATE
    assert await pool.fetchval("SELECT count(*) FROM sms_outbox") == 1


async def test_twenty_callers_race_for_the_last_three_places(db_url: str) -> None:
    # a connection per caller: twenty transactions really run at the same time
    async with await create_pool(db_url, min_size=20, max_size=20) as pool:
        await _race(pool)


async def _race(pool: asyncpg.Pool) -> None:
    day = await week_of_slots(pool, capacity=5)
    now = datetime.now(UTC)
    slot, following = (await appointments.free_slots(pool, day, now, TZ))[:2]
    # two places already taken
    for n in range(2):
        customer, (car,) = await add_customer(pool, f"early {n}", None, [f"京B0000{n}"])
        assert (await appointments.book(pool, customer=customer, vehicle=car, slot=slot,
                                        tz=TZ)).status is BookingStatus.BOOKED
    callers = [await add_customer(pool, f"caller {n}", f"+86138001380{n:02d}",
                                  [f"京C100{n:02d}"]) for n in range(20)]

    async def call(customer: Customer, car: Vehicle) -> tuple[BookingStatus, Slot | None]:
        result = await appointments.book(pool, customer=customer, vehicle=car, slot=slot,
                                         tz=TZ)
        if result.status is BookingStatus.SLOT_FULL:
            return result.status, await appointments.next_free_slot(pool, slot, now, TZ)
        return result.status, None

    outcomes = await asyncio.gather(*(call(c, v[0]) for c, v in callers))
    statuses = [status for status, _ in outcomes]
    assert statuses.count(BookingStatus.BOOKED) == 3
    assert statuses.count(BookingStatus.SLOT_FULL) == 17
    assert {offer.id for status, offer in outcomes if offer} == {following.id}
    assert await pool.fetchval("SELECT booked FROM appointment_slots WHERE id = $1",
                               slot.id) == 5
    # SMS only for the three who got the place
    assert await pool.fetchval("SELECT count(*) FROM sms_outbox") == 3


async def test_cancel_frees_the_place_and_queues_the_notice(pool: asyncpg.Pool) -> None:
    day = await week_of_slots(pool, capacity=1)
    now = datetime.now(UTC)
    slot = (await appointments.free_slots(pool, day, now, TZ))[0]
    customer, (car,) = await add_customer(pool, "李娜", "+8613900139000", ["沪A88888"])
    booked = await appointments.book(pool, customer=customer, vehicle=car, slot=slot, tz=TZ)
    (appointment,) = await appointments.upcoming(pool, customer.id, now)
    assert appointment.id == booked.appointment_id and appointment.vehicle.plate == "沪A88888"
    other, _ = await add_customer(pool, "someone else", None, [])
    assert not await appointments.cancel(pool, customer=other, appointment=appointment, tz=TZ)
    assert await appointments.cancel(pool, customer=customer, appointment=appointment, tz=TZ)
    assert not await appointments.cancel(pool, customer=customer, appointment=appointment,
                                         tz=TZ)
    assert await appointments.upcoming(pool, customer.id, now) == []
    assert await pool.fetchval("SELECT booked FROM appointment_slots WHERE id = $1",
                               slot.id) == 0
    kinds = await pool.fetch("SELECT kind FROM sms_outbox ORDER BY id")
    assert [r["kind"] for r in kinds] == ["appointment_confirmation", "appointment_cancelled"]


async def test_callers_found_by_phone_or_plate_digits(pool: asyncpg.Pool) -> None:
    customer, _ = await add_customer(pool, "王芳", "+8613700137000", ["粤B·54321", "粤B77777"])
    await add_customer(pool, "twin", None, ["浙A77777"])
    assert (await appointments.customer_by_phone(pool, "+8613700137000")).id == customer.id
    assert await appointments.customer_by_phone(pool, "+8613700137001") is None
    found = await appointments.customer_by_plate_digits(pool, "54321")
    assert (found.id, found.phone) == (customer.id, "+8613700137000")
    # two customers' plates share these digits: nobody is picked
    assert await appointments.customer_by_plate_digits(pool, "77777") is None
