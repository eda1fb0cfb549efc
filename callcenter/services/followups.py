"""The agents' follow-up work: the worklist's sections, one task with its questionnaire,
the outcomes of the call scripts, do-not-disturb, and the supervisors' assignments.

Who may record an outcome, on which call, and what the answers score are decided here;
the repository (db/followups.py) runs those checks on the locked task and writes the
whole outcome in one transaction. Answers are stored exactly as given and the database
refuses to change them afterwards. The outcomes (docs/followups.md "Call outcomes"):
answered (the questionnaire), callback (not convenient now), wrong_number (that phone
is marked invalid), do_not_disturb (the customer's tasks become SMS follow-ups); a
``spoke_with`` note (someone else answered) goes with answered or callback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.db.followups import (
    Completion,
    DoNotDisturb,
    FollowupStore,
    LockedTask,
    OutcomeCheck,
    Sections,
)
from callcenter.domain.attempts import CallbackTimeRefused, check_callback_time
from callcenter.domain.followups import round_robin
from callcenter.domain.questionnaires import Template, score_answers
from callcenter.domain.users import User
from callcenter.errors import CallcenterError, Conflict, Forbidden, NotFound
from callcenter.services.click_to_call import OPEN_STATUSES, FollowupClosed

LISTS = ("today", "overdue", "call_again", "callbacks", "coming")
OUTCOMES = ("answered", "wrong_number", "callback", "do_not_disturb")
# The coming days' preview: tasks that become workable within this many days.
COMING_DAYS = 7
MAX_ASSIGN = 1000


class CallNotAnswered(Conflict):
    error_id = "call_not_answered"


class BadCallbackTime(CallcenterError):
    """The callback time has passed or is too far ahead (``details.not_after``)."""

    error_id = "bad_callback_time"
    http_status = 422


class UnknownAgents(CallcenterError):
    """Tasks are assigned to active agents only (``details.agent_ids``: the others)."""

    error_id = "unknown_agents"
    http_status = 422


def _may_work_on(user: User, assigned_to: int | None) -> None:
    if assigned_to not in (None, user.id) and not user.supervises:
        raise Forbidden("this follow-up belongs to another agent")


def _sections(tz: ZoneInfo, now: datetime) -> Sections:
    today = now.astimezone(tz).date()
    return Sections(today, now, today + timedelta(days=COMING_DAYS + 1), tz.key)


async def worklist(store: FollowupStore, user: User, list_name: str,
                   tz: ZoneInfo) -> list[dict[str, Any]]:
    """``list_name`` is one of LISTS (http/schemas.py WorklistQuery checks it)."""
    return await store.worklist(list_name, _sections(tz, datetime.now(UTC)),
                                None if user.supervises else user.id)


async def get_followup(store: FollowupStore, user: User, task_id: int) -> dict[str, Any]:
    task = await store.task(task_id)
    if task is None:
        raise NotFound(f"follow-up {task_id} does not exist")
    _may_work_on(user, task["assigned_to"])
    template = await store.active_template(task["kind"])
    return {"task": task, "template": None if template is None else template.to_dict()}


def callback_time(at: datetime, tz: ZoneInfo, now: datetime) -> datetime:
    """The time the customer named: a time without a zone is the center's; refused
    unless in the future and within the horizon (domain/attempts.py)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    try:
        check_callback_time(at, now)
    except CallbackTimeRefused as refused:
        raise BadCallbackTime(str(refused), field="callback_at",
                              not_after=refused.not_after.astimezone(tz).isoformat()) from None
    return at


async def submit_outcome(store: FollowupStore, user: User, task_id: int, call_id: int,
                         result: str, answers: dict[str, Any] | None, *,
                         callback_at: datetime | None = None, spoke_with: str | None = None,
                         tz: ZoneInfo, remote: str | None = None) -> dict[str, Any]:
    """Record the outcome (one of OUTCOMES) of an answered follow-up call."""
    now = datetime.now(UTC)
    complaint_id = None
    check = _outcome_check(user, call_id)
    if result == "wrong_number":
        await store.wrong_number(task_id, call_id, check, user.id, now)
    elif result == "callback":
        assert callback_at is not None  # the body's model requires it
        at = callback_time(callback_at, tz, now)
        await store.book_callback(task_id, call_id, check, at, spoke_with, user.id)
    elif result == "do_not_disturb":
        task = await store.task(task_id)
        if task is None:
            raise NotFound(f"follow-up {task_id} does not exist")
        await store.do_not_disturb(task["customer"]["id"],
                                   DoNotDisturb(user.id, remote, call_id, now),
                                   on_call=(call_id, check), task_id=task_id)
    else:
        given = answers or {}
        complaint_id = await store.complete(
            task_id, call_id, check, lambda task, template: _completion(task, template, given),
            user.id, now, spoke_with)
    return {**await get_followup(store, user, task_id),
            "complaint": None if complaint_id is None else {"id": complaint_id}}


async def set_do_not_disturb(store: FollowupStore, user: User, customer_id: int,
                             remote: str | None) -> dict[str, Any]:
    """From the console, outside a call: any agent or supervisor may (the customer
    asked); it is audited."""
    return await store.do_not_disturb(customer_id,
                                      DoNotDisturb(user.id, remote, None, datetime.now(UTC)))


async def assign(store: FollowupStore, user: User, task_ids: list[int],
                 agent_ids: list[int]) -> list[dict[str, int]]:
    """Supervisors give tasks to agents: one agent takes them all; several share them
    round-robin in the order given. Tasks no longer open are left out of the answer."""
    if not user.supervises:
        raise Forbidden("supervisors assign follow-ups")
    agents = list(dict.fromkeys(agent_ids))
    unknown = sorted(set(agents) - await store.active_agents(agents))
    if unknown:
        raise UnknownAgents("tasks go to active agents only", field="agent_ids",
                            agent_ids=unknown)
    pairs = round_robin(task_ids, agents)
    return await store.assign([t for t, _ in pairs], [a for _, a in pairs])


async def load(store: FollowupStore, user: User, tz: ZoneInfo) -> dict[str, Any]:
    if not user.supervises:
        raise Forbidden("supervisors see the agents' load")
    return await store.load(datetime.now(tz).date())


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
