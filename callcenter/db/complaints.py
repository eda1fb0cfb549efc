"""The complaints repository: lists, the complaint page (its customer, timeline and
calls), each step in one transaction on the locked complaint, the check call's outcome
and the escalation record. Returns domain values and plain rows for the page; a lost
connection leaves as DatabaseUnavailable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.complaints import Action, Status, next_status
from callcenter.errors import NotFound

Q = load_queries("complaints")


@dataclass(frozen=True, slots=True)
class LockedComplaint:
    """A complaint row locked for the rest of the transaction."""

    id: int
    customer_id: int
    status: Status
    severity: str
    owner_id: int | None
    management_replied: bool


@dataclass(frozen=True, slots=True)
class StepEntry:
    """One step as it goes on the timeline, and what it changes on the complaint."""

    action: Action
    actor_id: int | None
    at: datetime
    note: str | None = None
    call_id: int | None = None
    details: dict[str, Any] | None = None
    owner_id: int | None = None        # assign
    department: str | None = None      # assign
    category: str | None = None        # assign
    resolution: str | None = None      # resolve
    compensation: str | None = None    # resolve
    check_due: date | None = None      # resolve: the check call's due date


Check = Callable[[LockedComplaint], None]
Pick = Callable[[list[asyncpg.Record]], list[int]]


class ComplaintStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def complaint(self, complaint_id: int) -> asyncpg.Record | None:
        async with unavailable_as_domain_error():
            return await self._pool.fetchrow(Q["complaint"], complaint_id)

    async def timeline(self, complaint_id: int) -> list[asyncpg.Record]:
        async with unavailable_as_domain_error():
            return await self._pool.fetch(Q["timeline"], complaint_id)

    async def linked_calls(self, complaint_id: int) -> list[asyncpg.Record]:
        async with unavailable_as_domain_error():
            return await self._pool.fetch(Q["linked_calls"], complaint_id)

    async def listing(self, owner_id: int | None, statuses: list[str] | None,
                      source: str | None, severity: str | None, department: str | None,
                      text: str | None, opened_from: datetime | None,
                      opened_before: datetime | None, limit: int,
                      pick: Pick | None = None
                      ) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
        """One page of a list and every unfinished complaint (for the tabs), read in
        one snapshot. ``text`` names customers: a name from its beginning, the last
        digits of a phone number, or the end of a plate. ``pick`` chooses, from the
        unfinished complaints, the only ones the page may show (the overdue tab)."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction(readonly=True, isolation="repeatable_read"):
            await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            unfinished = await conn.fetch(Q["unfinished"])
            customers = None
            if text:
                customers = [r["id"] for r in await conn.fetch(
                    Q["matching_customers"], *_search_patterns(text))]
            rows = await conn.fetch(Q["list"], owner_id, statuses, source, severity,
                                    department, customers, opened_from, opened_before,
                                    limit, None if pick is None else pick(unfinished))
        return rows, unfinished

    async def customer_name(self, customer_id: int) -> str:
        async with unavailable_as_domain_error():
            return await self._pool.fetchval(Q["customer_name"], customer_id) or ""

    async def unfinished(self) -> list[asyncpg.Record]:
        async with unavailable_as_domain_error():
            return await self._pool.fetch(Q["unfinished"])

    async def opened_between(self, starts: datetime, ends: datetime
                             ) -> tuple[list[asyncpg.Record], dict[str, int]]:
        """A period's complaints, and its completed check calls counted by result, in
        one snapshot."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction(readonly=True, isolation="repeatable_read"):
            rows = await conn.fetch(Q["opened_between"], starts, ends)
            checks = await _check_calls(conn, starts, ends)
        return rows, checks

    async def period_sums(self, starts: datetime, ends: datetime, now: datetime,
                          windows: tuple[timedelta, timedelta, timedelta, timedelta]
                          ) -> tuple[asyncpg.Record, dict[str, int]]:
        """A period's statistics summed by PostgreSQL (calendar clock: ``windows`` of
        first contact, reply, management reply and check call), and its check calls."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction(readonly=True, isolation="repeatable_read"):
            sums = await conn.fetchrow(Q["period_figures"], starts, ends, now, *windows)
            checks = await _check_calls(conn, starts, ends)
        assert sums is not None  # an aggregate always has its row
        return sums, checks

    async def active_user(self, user_id: int) -> asyncpg.Record | None:
        async with unavailable_as_domain_error():
            return await self._pool.fetchrow(Q["active_user"], user_id)

    async def take_step(self, complaint_id: int, entry: StepEntry, check: Check) -> None:
        """Lock the complaint, let ``check`` refuse (who may), take the step if the
        complaint is ready for it (StepOutOfOrder otherwise) and sign it on the
        timeline, all in one transaction."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            locked = await _lock(conn, complaint_id)
            check(locked)
            try:
                await apply_step(conn, locked, entry)
            except asyncpg.ForeignKeyViolationError:
                # the one reference the service has not looked up: the step's call
                raise NotFound(f"call {entry.call_id} does not exist",
                               field="call_id") from None

    async def escalate(self, complaint_id: int, step: str, at: datetime) -> bool:
        """Record that ``step`` of the complaint was escalated; False if it already was
        (each step escalates once)."""
        async with unavailable_as_domain_error():
            return await self._pool.fetchval(Q["mark_escalated"], complaint_id, step,
                                             at) is not None

    async def supervisors(self) -> list[int]:
        async with unavailable_as_domain_error():
            return [r["id"] for r in await self._pool.fetch(Q["supervisors"])]

    async def user_ids(self, usernames: list[str]) -> list[int]:
        async with unavailable_as_domain_error():
            found = [await self._pool.fetchval(Q["user_by_name"], name) for name in usernames]
        return [user_id for user_id in found if user_id is not None]

    async def queue_owner_sms(self, owner_id: int, body: str, dedupe_key: str) -> bool:
        """The owner's SMS in the outbox; False when the owner has no mobile on record."""
        async with unavailable_as_domain_error():
            mobile = await self._pool.fetchval(Q["mobile_of"], owner_id)
            if not mobile:
                return False
            await self._pool.execute(Q["queue_sms"], mobile, "complaint_overdue", body,
                                     dedupe_key)
        return True


async def _check_calls(conn: Connection, starts: datetime, ends: datetime) -> dict[str, int]:
    return {r["result"]: r["n"] for r in await conn.fetch(Q["check_calls_between"], starts,
                                                           ends)}


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_patterns(text: str) -> tuple[str | None, str | None, str]:
    """matching_customers' patterns: a name's beginning; the end of a phone number
    (three digits or more); the end of a plate (reversed: a suffix as a prefix)."""
    text = text.strip()
    digits = text if text.isascii() and text.isdigit() and len(text) >= 3 else None
    return (_like(text) + "%" if not digits else None,
            _like(digits[::-1]) + "%" if digits else None,
            _like(text.upper()[::-1]) + "%")


async def _lock(conn: Connection, complaint_id: int) -> LockedComplaint:
    row = await conn.fetchrow(Q["lock_complaint"], complaint_id)
    if row is None:
        raise NotFound(f"complaint {complaint_id} does not exist")
    return LockedComplaint(row["id"], row["customer_id"], Status(row["status"]),
                           row["severity"], row["owner_id"],
                           row["management_reply_at"] is not None)


async def apply_step(conn: Connection, complaint: LockedComplaint, entry: StepEntry) -> Status:
    """Take one step on a locked complaint (refused with StepOutOfOrder when it is not
    ready for it), sign it on the timeline, and return the new status."""
    status = next_status(complaint.status, entry.action, severity=complaint.severity,
                         management_replied=complaint.management_replied)
    cid, at = complaint.id, entry.at
    action = entry.action
    if action is Action.ASSIGN:
        await conn.execute(Q["assign"], cid, entry.owner_id, entry.department, at,
                           entry.category)
    elif action is Action.FIRST_CONTACT:
        await conn.execute(Q["first_contact"], cid, at)
    elif action is Action.REPLY:
        await conn.execute(Q["reply"], cid, at)
    elif action is Action.MANAGEMENT_REPLY:
        await conn.execute(Q["management_reply"], cid, at)
    elif action is Action.RESOLVE:
        await conn.execute(Q["resolve"], cid, at, entry.resolution, entry.compensation)
        await conn.execute(Q["cancel_open_check_tasks"], cid)
        await conn.fetchval(Q["insert_check_task"], cid, complaint.customer_id,
                            entry.check_due, complaint.owner_id)
    elif action in (Action.REOPEN, Action.CHECK_DISSATISFIED):
        if action is Action.CHECK_DISSATISFIED:
            await conn.execute(Q["check_call_done"], cid, at)
        await conn.execute(Q["reopen"], cid, at)
        if action is Action.REOPEN:
            await conn.execute(Q["cancel_open_check_tasks"], cid)
    elif action is Action.CHECK_SATISFIED:
        await conn.execute(Q["check_call_done"], cid, at)
        await conn.execute(Q["close"], cid, at)
    await conn.execute(Q["insert_event"], cid, entry.actor_id, action.value, entry.call_id,
                       entry.note, entry.details, at)
    return status


async def record_check_call(conn: Connection, complaint_id: int, satisfied: bool,
                            answers: Mapping[str, Any], score: object, actor_id: int,
                            call_id: int, at: datetime) -> None:
    """The check call's outcome, inside the follow-up's own transaction: satisfied closes
    the complaint, dissatisfied reopens it; the answers go on the timeline."""
    locked = await _lock(conn, complaint_id)
    action = Action.CHECK_SATISFIED if satisfied else Action.CHECK_DISSATISFIED
    await apply_step(conn, locked, StepEntry(
        action, actor_id, at, call_id=call_id,
        details={"answers": dict(answers), "score": None if score is None else str(score)}))
