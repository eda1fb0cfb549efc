"""The follow-ups repository: the agents' lists and each agent's load, one task as the
API shows it, the active questionnaire of a kind, an outcome with everything it
changes, a customer's do-not-disturb, and the supervisors' assignments.

An outcome is one transaction: the task is locked, the service's checks run on it, then
the attempt (marked with the outcome), the task, the complaint a dissatisfied answer
opens, the service visit's other orders and the customer's next maintenance date (or:
the callback booked, the wrong phone marked invalid, the customer's tasks turned into
SMS follow-ups) all commit together or not at all. Returns domain values, or the API's
dicts for what the service only passes on; a lost connection leaves as
DatabaseUnavailable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.calls import apply_failed_attempt, queue_followup_sms
from callcenter.db.complaints import record_check_call
from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.attempts import CallAgainGap
from callcenter.domain.questionnaires import Template, next_maintenance_date
from callcenter.errors import NotFound

Q = load_queries("followups")


@dataclass(frozen=True, slots=True)
class LockedTask:
    """A follow-up task locked for the rest of the outcome's transaction."""

    id: int
    kind: str
    status: str
    customer_id: int
    assigned_to: int | None
    visit_no: str | None  # a service follow-up's visit
    complaint_id: int | None = None  # a complaint_check follow-up's complaint


@dataclass(frozen=True, slots=True)
class Completion:
    """What an answered questionnaire writes."""

    template_id: int
    answers: Mapping[str, Any]  # stored exactly as given
    score: Decimal
    result: str
    complaint: str | None  # the description of the complaint it opens, if any


# The outcome's checks: the locked task, and whether the call is an answered call of it.
OutcomeCheck = Callable[[LockedTask, bool], None]


@dataclass(frozen=True, slots=True)
class Sections:
    """What the worklist's sections are read against: the center's day and zone, now,
    and the first day after the coming days' preview."""

    today: date
    now: datetime
    horizon: date
    tz_name: str


@dataclass(frozen=True, slots=True)
class DoNotDisturb:
    """Who set a customer's do-not-disturb, from where, and on which call (if any)."""

    actor_id: int
    remote: str | None
    call_id: int | None
    now: datetime


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _task(row: asyncpg.Record) -> dict[str, Any]:
    """The API's follow-up task (docs/api.md)."""
    return {
        "id": row["id"], "kind": row["kind"], "status": row["status"],
        "due_date": row["due_date"].isoformat(), "attempts": row["attempts"],
        "next_attempt_at": _iso(row["next_attempt_at"]), "assigned_to": row["assigned_to"],
        "customer": {"id": row["customer_id"], "name": row["customer_name"],
                     "value_level": row["value_level"],
                     "do_not_disturb": row["do_not_disturb"]},
        "vehicle": None if row["vehicle_id"] is None else {
            "id": row["vehicle_id"], "plate": row["plate"], "model": row["model"],
            "vin": row["vin"]},
        "phones": row["phones"], "answers": row["answers"],
        "score": None if row["score"] is None else float(row["score"]),
        "result": row["result"], "completed_at": _iso(row["completed_at"]),
        "callback_at": _iso(row["callback_at"]), "spoke_with": row["spoke_with"],
        "assigned_name": row["assigned_name"],
    }


class FollowupStore:
    def __init__(self, pool: asyncpg.Pool, gap: CallAgainGap | None = None) -> None:
        """``gap``: how long a customer not reached waits (a wrong number's attempt;
        the server passes CALLCENTER_CALL_AGAIN_GAP; without one, the next day in UTC)."""
        self._pool = pool
        self._gap = gap or CallAgainGap(ZoneInfo("UTC"))

    async def worklist(self, section: str, at: Sections,
                       agent_id: int | None) -> list[dict[str, Any]]:
        """One section's tasks (``agent_id``'s and the unassigned; None: everyone's)."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["worklist"], section, at.today, agent_id,
                                          at.now, at.horizon, at.tz_name)
        return [_task(r) for r in rows]

    async def task(self, task_id: int) -> dict[str, Any] | None:
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["get_task"], task_id)
        return None if row is None else _task(row)

    async def active_template(self, kind: str) -> Template | None:
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["active_template"], kind)
        return None if row is None else Template.from_row(row)

    async def wrong_number(self, task_id: int, call_id: int, check: OutcomeCheck,
                           actor_id: int, now: datetime) -> None:
        """The answered call reached someone else's line: the number called is marked
        invalid, and the attempt counts as not reached, which moves the task on (call
        again, at once if another valid number is left; otherwise unreachable)."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            task, call = await _checked_task_and_call(conn, task_id, call_id, check)
            if call is not None and call["callee_number"]:
                await conn.execute(Q["mark_phone_invalid"], task.customer_id,
                                   call["callee_number"], now, actor_id, call_id)
            await conn.execute(Q["relabel_attempt"], task_id, call_id, "wrong_number")
            await conn.execute(Q["mark_outcome"], task_id, call_id, "wrong_number", None,
                               None)
            await apply_failed_attempt(conn, task_id, task.customer_id, "wrong_number", now,
                                       self._gap)

    async def book_callback(self, task_id: int, call_id: int, check: OutcomeCheck,
                            at: datetime, spoke_with: str | None, agent_id: int) -> None:
        """Not convenient now: the task waits for ``at`` and returns to ``agent_id``."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            await _checked_task(conn, task_id, call_id, check)
            await conn.execute(Q["mark_outcome"], task_id, call_id, "callback", spoke_with, at)
            await conn.execute(Q["book_callback"], task_id, at, agent_id)

    async def do_not_disturb(self, customer_id: int, who: DoNotDisturb,
                             on_call: tuple[int, OutcomeCheck] | None = None,
                             task_id: int | None = None) -> dict[str, Any]:
        """The customer is never called again: do-not-disturb set (audited), and each
        open follow-up of theirs closed as ``sms`` with its SMS follow-up queued, in one
        transaction. ``on_call`` (a call of ``task_id`` and its checks): the answered
        call on which the customer asked, whose attempt records the outcome."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            if on_call is not None and task_id is not None:
                await _checked_task(conn, task_id, on_call[0], on_call[1])
                await conn.execute(Q["mark_outcome"], task_id, on_call[0], "do_not_disturb",
                                   None, None)
            customer = await conn.fetchrow(Q["set_do_not_disturb"], customer_id)
            if customer is None:
                raise NotFound(f"customer {customer_id} does not exist")
            await conn.execute(Q["mark_do_not_disturb"], customer_id)
            closed = await conn.fetch(Q["close_open_tasks_as_sms"], customer_id)
            texted = [t["id"] for t in closed
                      if await queue_followup_sms(conn, t["id"], t["kind"], customer_id)]
            if not customer["do_not_disturb"] or closed:
                await conn.execute(
                    Q["audit"], who.actor_id, "customer.do_not_disturb", "customer",
                    str(customer_id), who.remote,
                    {"call_id": who.call_id, "closed_tasks": [t["id"] for t in closed],
                     "sms_tasks": texted, "was_set": customer["do_not_disturb"]})
        return {"customer_id": customer_id, "do_not_disturb": True,
                "closed_tasks": [t["id"] for t in closed], "sms_queued": len(texted)}

    async def assign(self, task_ids: list[int], agent_ids: list[int]) -> list[dict[str, int]]:
        """Task ``task_ids[i]`` to ``agent_ids[i]``; the open ones only, as assigned."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["assign_tasks"], task_ids, agent_ids)
        return sorted(({"task_id": r["id"], "agent_id": r["assigned_to"]} for r in rows),
                      key=lambda a: task_ids.index(a["task_id"]))

    async def active_agents(self, agent_ids: list[int]) -> set[int]:
        async with unavailable_as_domain_error():
            return {r["id"] for r in await self._pool.fetch(Q["active_agents"], agent_ids)}

    async def load(self, today: date) -> dict[str, Any]:
        """Each active agent's open tasks by section, and the unassigned ones."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["load"], today)
            unassigned = await self._pool.fetchval(Q["unassigned"])
        return {"agents": [dict(r) for r in rows], "unassigned": unassigned}

    async def complete(self, task_id: int, call_id: int, check: OutcomeCheck,
                       completion: Callable[[LockedTask, Template | None], Completion],
                       actor_id: int, now: datetime, spoke_with: str | None = None) -> int | None:
        """The task completed with what ``completion`` makes of it and its kind's active
        questionnaire; a service visit's orders settled and the customer's next
        maintenance date set; a complaint's check call closes or reopens it. The id of
        the complaint it opens, if any."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            task = await _checked_task(conn, task_id, call_id, check)
            row = await conn.fetchrow(Q["active_template"], task.kind)
            done = completion(task, None if row is None else Template.from_row(row))
            await conn.execute(Q["complete_task"], task_id, done.template_id, done.answers,
                               done.score, done.result, now, actor_id, call_id)
            await conn.execute(Q["mark_outcome"], task_id, call_id, "completed", spoke_with,
                               None)
            if task.kind == "service" and task.visit_no:
                settled = [r["settled_at"] for r in
                           await conn.fetch(Q["settle_visit_orders"], task.visit_no, now)]
                service_day = max(settled).date() if settled else now.date()
                await conn.execute(Q["set_next_maintenance"], task.customer_id,
                                   next_maintenance_date(service_day))
            if task.complaint_id is not None:
                # the check call: its complaint is closed or reopened, never a new one
                await record_check_call(conn, task.complaint_id, done.result == "satisfied",
                                        done.answers, done.score, actor_id, call_id, now)
                return None
            if done.complaint is None:
                return None
            complaint_id: int = await conn.fetchval(
                Q["open_complaint"], task.customer_id, call_id, task_id, done.complaint,
                actor_id)
            await conn.execute(Q["complaint_opened_event"], complaint_id, actor_id, call_id,
                               "opened from a dissatisfied follow-up")
        return complaint_id


async def _checked_task(conn: Connection, task_id: int, call_id: int,
                        check: OutcomeCheck) -> LockedTask:
    return (await _checked_task_and_call(conn, task_id, call_id, check))[0]


async def _checked_task_and_call(conn: Connection, task_id: int, call_id: int,
                                 check: OutcomeCheck
                                 ) -> tuple[LockedTask, asyncpg.Record | None]:
    row = await conn.fetchrow(Q["lock_task"], task_id)
    if row is None:
        raise NotFound(f"follow-up {task_id} does not exist")
    task = LockedTask(row["id"], row["kind"], row["status"], row["customer_id"],
                      row["assigned_to"], row["visit_no"], row["complaint_id"])
    call = await conn.fetchrow(Q["call_of_task"], call_id, task_id)
    check(task, call is not None and call["disposition"] == "answered")
    return task, call
