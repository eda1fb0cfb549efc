"""Customer care made on schedule (docs/scheduler.md): the scheduler's rules for
maintenance reminders, win-back calls and lost contact, and a mileage reading told
during a call.

Each rule covers the days after the last one it finished (``previous_day``), so a day
skipped beyond the scheduler's catch-up bound still leaves no gap in what is looked at;
on its first run a rule looks ``LOOKBACK_DAYS`` back, as an import does for follow-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db import care
from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.domain.followups import CREATION_LOOKBACK_DAYS as LOOKBACK_DAYS
from callcenter.domain.maintenance import MaintenancePolicy, add_months, next_maintenance
from callcenter.domain.users import User
from callcenter.errors import Forbidden, NotFound
from callcenter.settings import Settings

MAX_KM = 2_000_000  # as the table's CHECK: more is a typing slip


def maintenance_policy(settings: Settings) -> MaintenancePolicy:
    return MaintenancePolicy(settings.maintenance_first_km, settings.maintenance_first_months,
                             settings.maintenance_every_km, settings.maintenance_every_months,
                             settings.maintenance_remind_days)


async def _covered_since(conn: Connection, rule: str, day: date) -> date:
    """The last day already covered: the previous finished run, at most LOOKBACK_DAYS
    back (a first run, or one after a long gap)."""
    previous = await care.previous_day(conn, rule, day)
    floor = day - timedelta(days=LOOKBACK_DAYS)
    return floor if previous is None else max(previous, floor)


@dataclass(frozen=True)
class MaintenanceReminders:
    """A reminder call ``remind_days`` before each vehicle's next maintenance."""

    policy: MaintenancePolicy
    zone: ZoneInfo
    name: str = "maintenance_reminder"

    async def run(self, conn: asyncpg.Connection, day: date) -> int:
        computed = await care.recompute_stale(conn, self.zone.key, self.policy)
        after = await _covered_since(conn, self.name, day)
        return await care.make_maintenance_reminders(conn, day, self.policy.remind_days,
                                                     after, computed, LOOKBACK_DAYS)


@dataclass(frozen=True)
class WinBacks:
    """A win-back call for each customer whose last visit is ``months`` months old."""

    months: int
    zone: ZoneInfo
    name: str = "win_back"

    async def run(self, conn: asyncpg.Connection, day: date) -> int:
        after = await _covered_since(conn, self.name, day)
        # The last visits whose absence reaches ``months`` on a day in (after, day]:
        # calendar months back, so the windows of successive days never overlap.
        first = add_months(after, -self.months) + timedelta(days=1)
        last = add_months(day, -self.months)
        if last < first:
            return 0
        return await care.make_win_backs(conn, self.zone.key, first, last, day)


@dataclass(frozen=True)
class LostContact:
    """Customers whose every phone's last ``failures`` attempts failed go on the
    lost-contact list (looked at from the attempts made since the previous run)."""

    failures: int
    zone: ZoneInfo
    name: str = "lost_contact"

    async def run(self, conn: asyncpg.Connection, day: date) -> int:
        after = await _covered_since(conn, self.name, day)
        start = datetime.combine(after, time(), self.zone)
        until = datetime.combine(day, time(), self.zone)
        return await care.mark_lost_contact(conn, start, until, self.failures)


async def lost_contact_list(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    return await care.lost_contact(pool)


async def mark_card_mailed(pool: asyncpg.Pool, user: User, customer_id: int,
                           now: datetime) -> dict[str, Any]:
    """The customer's card is mailed: off the lost-contact list, still not called."""
    mailed = await care.mark_card_mailed(pool, customer_id, now, user.id)
    return {"id": customer_id, "card_mailed_at": mailed.isoformat()}


async def record_mileage(pool: asyncpg.Pool, user: User, vehicle_id: int, km: int,
                         policy: MaintenancePolicy, zone: ZoneInfo,
                         now: datetime) -> dict[str, Any]:
    """A reading told during a call, and the vehicle's next maintenance at once. Agents
    may record it for the customer of a task they may work on; supervisors for any."""
    async with unavailable_as_domain_error(), pool.acquire() as conn, conn.transaction():
        found = await care.vehicle_for_reading(conn, vehicle_id, user.id)
        if found is None:
            raise NotFound(f"vehicle {vehicle_id} does not exist")
        if not user.supervises and not found["own_task"]:
            raise Forbidden("only for the customer of one of your follow-ups")
        await care.record_reading(conn, vehicle_id, km, now, user.id)
        history = await care.vehicle_history(conn, vehicle_id, zone.key)
        due = None if history is None else next_maintenance(history, policy)
        # Still stale: the next daily run makes the reminder this new day may call for.
        await care.save_due(conn, [(vehicle_id, due)], stay_stale=True)
        maintenance_due, customer_next = await care.vehicle_due(conn, vehicle_id)
    return {"vehicle": {"id": vehicle_id, "mileage_km": km,
                        "maintenance_due": _iso(maintenance_due)},
            "customer": {"id": found["customer_id"],
                         "next_maintenance_date": _iso(customer_next)}}


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
