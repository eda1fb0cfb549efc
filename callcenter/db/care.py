"""The customer-care rules' statements (db/queries/care.sql): maintenance days kept per
vehicle, reminders, win-back calls and the lost-contact list, all set-based.

The functions taking a connection run inside the scheduler's transaction (or the
mileage reading's); none commits. See docs/scheduler.md for the rules themselves."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.maintenance import MaintenancePolicy, Reading, VehicleHistory
from callcenter.errors import Conflict, NotFound

Q = load_queries("care")


def _count(status: str) -> int:
    """The row count of an INSERT/UPDATE command tag ("INSERT 0 12", "UPDATE 3")."""
    return int(status.rsplit(" ", 1)[-1])


def _history(row: asyncpg.Record) -> VehicleHistory:
    service = None if row["service_day"] is None else Reading(row["service_km"],
                                                               row["service_day"])
    reading = None if row["reading_day"] is None else Reading(row["reading_km"],
                                                               row["reading_day"])
    return VehicleHistory(row["delivered"], service, reading)


async def previous_day(conn: Connection, rule: str, day: date) -> date | None:
    found: date | None = await conn.fetchval(Q["previous_day"], rule, day)
    return found


async def recompute_stale(conn: Connection, zone: str, policy: MaintenancePolicy) -> list[int]:
    """Every stale vehicle's maintenance day computed and saved in one statement, and
    its customer's next maintenance date; the vehicles' ids."""
    rows = await conn.fetch(Q["recompute_stale"], zone, policy.first_km, policy.first_months,
                            policy.every_km, policy.every_months)
    ids = [r["id"] for r in rows]
    if ids:
        await conn.execute(Q["customers_next_maintenance"], ids)
    return ids


async def vehicle_history(conn: Connection, vehicle_id: int,
                          zone: str) -> VehicleHistory | None:
    row = await conn.fetchrow(Q["vehicle_history"], vehicle_id, zone)
    return None if row is None else _history(row)


async def save_due(conn: Connection, dues: list[tuple[int, date | None]], *,
                   stay_stale: bool = False) -> None:
    """Each vehicle's maintenance day, and its customer's next maintenance date."""
    if not dues:
        return
    ids = [vehicle for vehicle, _ in dues]
    await conn.execute(Q["save_due"], ids, [due for _, due in dues], stay_stale)
    await conn.execute(Q["customers_next_maintenance"], ids)


async def make_maintenance_reminders(conn: Connection, day: date, remind_days: int,
                                     after: date, computed: list[int],
                                     lookback_days: int) -> int:
    return _count(await conn.execute(Q["make_maintenance_reminders"], day, remind_days,
                                     after, computed, lookback_days))


async def make_win_backs(conn: Connection, zone: str, first: date, last: date,
                         due: date) -> int:
    return _count(await conn.execute(Q["make_win_backs"], zone, first, last, due))


async def mark_lost_contact(conn: Connection, start: datetime, until: datetime,
                            failures: int) -> int:
    return _count(await conn.execute(Q["mark_lost_contact"], start, until, failures))


async def lost_contact(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """The API's lost-contact list (docs/api.md, GET /api/lost-contact)."""
    async with unavailable_as_domain_error():
        rows = await pool.fetch(Q["lost_contact"])
    return [{"id": r["id"], "name": r["name"], "address": r["address"],
             "phones": r["phones"], "lost_contact_at": r["lost_contact_at"].isoformat()}
            for r in rows]


async def mark_card_mailed(pool: asyncpg.Pool, customer_id: int, at: datetime,
                           user_id: int) -> datetime:
    """The customer leaves the lost-contact list: their card is mailed (audited). Marked
    already: the first mark's time, nothing changed."""
    async with unavailable_as_domain_error(), pool.acquire() as conn, conn.transaction():
        mailed: datetime | None = await conn.fetchval(Q["mark_card_mailed"], customer_id,
                                                      at, user_id)
        if mailed is not None:
            await conn.execute(Q["audit"], user_id, "customer.lost_contact_card_mailed",
                               str(customer_id), {})
            return mailed
        state = await conn.fetchrow(Q["lost_contact_state"], customer_id)
    if state is None:
        raise NotFound(f"customer {customer_id} does not exist")
    if state["lost_contact_card_mailed_at"] is None:
        raise Conflict(f"customer {customer_id} is not on the lost-contact list")
    earlier: datetime = state["lost_contact_card_mailed_at"]
    return earlier


async def vehicle_for_reading(conn: Connection, vehicle_id: int,
                              user_id: int) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(Q["vehicle_for_reading"], vehicle_id,
                                                     user_id)
    return row


async def record_reading(conn: Connection, vehicle_id: int, km: int, at: datetime,
                         user_id: int) -> None:
    await conn.execute(Q["insert_reading"], vehicle_id, km, at, user_id)
    await conn.execute(Q["set_vehicle_mileage"], vehicle_id, km)


async def vehicle_due(conn: Connection, vehicle_id: int) -> tuple[date | None, date | None]:
    row = await conn.fetchrow(Q["vehicle_due"], vehicle_id)
    assert row is not None  # in the transaction that just read the vehicle
    return row["maintenance_due"], row["next_maintenance_date"]
