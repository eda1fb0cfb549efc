"""The agents' follow-up work: lists, one task with its questionnaire, and outcomes.

An outcome is one transaction: the task, the attempt, the complaint a dissatisfied
answer opens, the service visit's other orders and the customer's next maintenance date
all commit together or not at all. Answers are stored exactly as given and the database
refuses to change them afterwards.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.calls import apply_failed_attempt
from callcenter.db.connection import Connection
from callcenter.db.queries import load_queries
from callcenter.domain.questionnaires import Template, next_maintenance_date, score_answers
from callcenter.domain.users import User
from callcenter.errors import Conflict, Forbidden, NotFound, ValidationError
from callcenter.services.click_to_call import OPEN_STATUSES, FollowupClosed

Q = load_queries("followups")
LISTS = ("today", "overdue", "call_again")


class CallNotAnswered(Conflict):
    error_id = "call_not_answered"


def task_to_dict(row: asyncpg.Record) -> dict[str, Any]:
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


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def worklist(pool: asyncpg.Pool, user: User, list_name: str,
                   tz: ZoneInfo) -> list[dict[str, Any]]:
    if list_name not in LISTS:
        raise ValidationError(f"list: one of {', '.join(LISTS)}", field="list")
    today = datetime.now(tz).date()
    agent = None if user.supervises else user.id
    rows = await pool.fetch(Q["worklist"], list_name, today, agent)
    return [task_to_dict(r) for r in rows]


async def get_followup(pool: asyncpg.Pool, user: User, task_id: int) -> dict[str, Any]:
    row = await pool.fetchrow(Q["get_task"], task_id)
    if row is None:
        raise NotFound(f"follow-up {task_id} does not exist")
    if row["assigned_to"] not in (None, user.id) and not user.supervises:
        raise Forbidden("this follow-up belongs to another agent")
    template = await pool.fetchrow(Q["active_template"], row["kind"])
    return {"task": task_to_dict(row),
            "template": None if template is None else Template.from_row(template).to_dict()}


async def submit_outcome(pool: asyncpg.Pool, user: User, task_id: int, call_id: int,
                         answers: dict[str, Any] | None, wrong_number: bool) -> dict[str, Any]:
    """Record the outcome of an answered follow-up call."""
    now = datetime.now(UTC)
    complaint_id = None
    async with pool.acquire() as conn, conn.transaction():
        task = await conn.fetchrow(Q["lock_task"], task_id)
        if task is None:
            raise NotFound(f"follow-up {task_id} does not exist")
        if task["assigned_to"] not in (None, user.id) and not user.supervises:
            raise Forbidden("this follow-up belongs to another agent")
        if task["status"] not in OPEN_STATUSES:
            raise FollowupClosed(f"this follow-up is already {task['status']}")
        call = await conn.fetchrow(Q["call_of_task"], call_id, task_id)
        if call is None or call["disposition"] != "answered":
            raise CallNotAnswered("an outcome needs an answered call of this follow-up",
                                  call_id=call_id)
        if wrong_number:
            await conn.execute(Q["relabel_attempt"], task_id, call_id, "wrong_number")
            await apply_failed_attempt(conn, task_id, task["customer_id"], "wrong_number", now)
        else:
            complaint_id = await _complete(conn, user, task, call_id, answers or {}, now)
    return {**await get_followup(pool, user, task_id),
            "complaint": None if complaint_id is None else {"id": complaint_id}}


async def _complete(conn: Connection, user: User, task: asyncpg.Record,
                    call_id: int, answers: dict[str, Any], now: datetime) -> int | None:
    row = await conn.fetchrow(Q["active_template"], task["kind"])
    if row is None:
        raise Conflict(f"no questionnaire template for {task['kind']} follow-ups")
    template = Template.from_row(row)
    scored = score_answers(template, answers)
    await conn.execute(Q["complete_task"], task["id"], template.id, answers, scored.score,
                       scored.result, now, user.id, call_id)
    if task["kind"] == "service" and task["visit_no"]:
        settled = [r["settled_at"] for r in
                   await conn.fetch(Q["settle_visit_orders"], task["visit_no"], now)]
        service_day: date = max(settled).date() if settled else now.date()
        await conn.execute(Q["set_next_maintenance"], task["customer_id"],
                           next_maintenance_date(service_day))
    if scored.result != "dissatisfied":
        return None
    low = [q for q in template.questions if q["id"] in scored.below_floor]
    description = "; ".join(f"{q['text'].get('zh-CN', q['id'])}: {answers.get(q['id'])}"
                            for q in low) or f"score {scored.score}"
    complaint_id = await conn.fetchval(Q["open_complaint"], task["customer_id"], call_id,
                                       task["id"], description, user.id)
    await conn.execute(Q["complaint_opened_event"], complaint_id, user.id, call_id,
                       "opened from a dissatisfied follow-up")
    return complaint_id

