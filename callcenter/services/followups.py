"""The agents' follow-up work: lists, one task with its questionnaire, and outcomes.

Who may record an outcome, on which call, and what the answers score are decided here;
the repository (db/followups.py) runs those checks on the locked task and writes the
whole outcome in one transaction. Answers are stored exactly as given and the database
refuses to change them afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.db.followups import Completion, FollowupStore, LockedTask, OutcomeCheck
from callcenter.domain.questionnaires import Template, score_answers
from callcenter.domain.users import User
from callcenter.errors import Conflict, Forbidden, NotFound
from callcenter.services.click_to_call import OPEN_STATUSES, FollowupClosed

LISTS = ("today", "overdue", "call_again")


class CallNotAnswered(Conflict):
    error_id = "call_not_answered"


def _may_work_on(user: User, assigned_to: int | None) -> None:
    if assigned_to not in (None, user.id) and not user.supervises:
        raise Forbidden("this follow-up belongs to another agent")


async def worklist(store: FollowupStore, user: User, list_name: str,
                   tz: ZoneInfo) -> list[dict[str, Any]]:
    """``list_name`` is one of LISTS (http/schemas.py WorklistQuery checks it)."""
    today = datetime.now(tz).date()
    return await store.worklist(list_name, today, None if user.supervises else user.id)


async def get_followup(store: FollowupStore, user: User, task_id: int) -> dict[str, Any]:
    task = await store.task(task_id)
    if task is None:
        raise NotFound(f"follow-up {task_id} does not exist")
    _may_work_on(user, task["assigned_to"])
    template = await store.active_template(task["kind"])
    return {"task": task, "template": None if template is None else template.to_dict()}


async def submit_outcome(store: FollowupStore, user: User, task_id: int, call_id: int,
                         answers: dict[str, Any] | None, wrong_number: bool) -> dict[str, Any]:
    """Record the outcome of an answered follow-up call."""
    now = datetime.now(UTC)
    complaint_id = None
    check = _outcome_check(user, call_id)
    if wrong_number:
        await store.wrong_number(task_id, call_id, check, now)
    else:
        given = answers or {}
        complaint_id = await store.complete(
            task_id, call_id, check, lambda task, template: _completion(task, template, given),
            user.id, now)
    return {**await get_followup(store, user, task_id),
            "complaint": None if complaint_id is None else {"id": complaint_id}}


def _outcome_check(user: User, call_id: int) -> OutcomeCheck:
    def check(task: LockedTask, answered: bool) -> None:
        _may_work_on(user, task.assigned_to)
        if task.status not in OPEN_STATUSES:
            raise FollowupClosed(f"this follow-up is already {task.status}")
        if not answered:
            raise CallNotAnswered("an outcome needs an answered call of this follow-up",
                                  call_id=call_id)
    return check


def _completion(task: LockedTask, template: Template | None,
                answers: dict[str, Any]) -> Completion:
    """The answers scored; a dissatisfied result opens a complaint naming the questions
    answered at or below their floor."""
    if template is None:
        raise Conflict(f"no questionnaire template for {task.kind} follow-ups")
    scored = score_answers(template, answers)
    if scored.result != "dissatisfied":
        return Completion(template.id, answers, scored.score, scored.result, None)
    low = [q for q in template.questions if q["id"] in scored.below_floor]
    description = "; ".join(f"{q['text'].get('zh-CN', q['id'])}: {answers.get(q['id'])}"
                            for q in low) or f"score {scored.score}"
    return Completion(template.id, answers, scored.score, scored.result, description)
