"""The follow-ups repository: the agents' lists, one task as the API shows it, the
active questionnaire of a kind, and an outcome with everything it changes.

An outcome is one transaction: the task is locked, the service's checks run on it, then
the attempt, the task, the complaint a dissatisfied answer opens, the service visit's
other orders and the customer's next maintenance date all commit together or not at
all. Returns domain values, or the API's dicts for what the service only passes on; a
lost connection leaves as DatabaseUnavailable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from callcenter.db.calls import apply_failed_attempt
from callcenter.db.complaints import record_check_call
from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
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
    }


class FollowupStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def worklist(self, list_name: str, today: date,
                       agent_id: int | None) -> list[dict[str, Any]]:
        """One list's tasks (``agent_id``'s and the unassigned; None: everyone's)."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["worklist"], list_name, today, agent_id)
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
                           now: datetime) -> None:
        """The answered call reached someone else: its attempt counts as not reached,
        which moves the task on (call again, or unreachable with an SMS queued)."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            task = await _checked_task(conn, task_id, call_id, check)
            await conn.execute(Q["relabel_attempt"], task_id, call_id, "wrong_number")
            await apply_failed_attempt(conn, task_id, task.customer_id, "wrong_number", now)

    async def complete(self, task_id: int, call_id: int, check: OutcomeCheck,
                       completion: Callable[[LockedTask, Template | None], Completion],
                       actor_id: int, now: datetime) -> int | None:
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
    row = await conn.fetchrow(Q["lock_task"], task_id)
    if row is None:
        raise NotFound(f"follow-up {task_id} does not exist")
    task = LockedTask(row["id"], row["kind"], row["status"], row["customer_id"],
                      row["assigned_to"], row["visit_no"], row["complaint_id"])
    call = await conn.fetchrow(Q["call_of_task"], call_id, task_id)
    check(task, call is not None and call["disposition"] == "answered")
    return task
