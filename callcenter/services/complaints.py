"""Complaints after they are opened: the lists with their tabs, the complaint page, the
steps (each signed on the timeline) and the escalation of late steps. The rules are in
domain/complaints.py; the SQL in db/complaints.py (docs/complaints.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.complaints import ComplaintStore, LockedComplaint, StepEntry
from callcenter.db.customers import plain_record
from callcenter.domain import complaint_statistics as stats
from callcenter.domain import sms_texts
from callcenter.domain.complaints import (
    CHECK_CALL_WITHIN,
    FIRST_CONTACT_WITHIN,
    MANAGEMENT_REPLY_WITHIN,
    REPLY_WITHIN,
    Action,
    ComplaintClock,
    ComplaintTimes,
    Status,
    WorkingClock,
    check_may_act,
    complaint_clock,
    is_overdue,
    overdue_steps,
)
from callcenter.domain.ivr import ServiceHours
from callcenter.domain.users import User
from callcenter.errors import NotFound, ValidationError
from callcenter.services.notifier import Publish
from callcenter.services.workbooks import workbook

VIEWS = ("open", "mine", "overdue", "all")
# A list shows at most this many complaints; narrow it with filters or dates.
PAGE_LIMIT = 200
# The 2-1-2-3 windows, in period_figures' order.
WINDOWS = (FIRST_CONTACT_WITHIN, REPLY_WITHIN, MANAGEMENT_REPLY_WITHIN, CHECK_CALL_WITHIN)
# How often the escalation sweep runs: a late step is noticed within a minute.
SWEEP_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Filters:
    source: str | None = None
    severity: str | None = None
    department: str | None = None
    status: str | None = None
    text: str | None = None
    opened_from: datetime | None = None
    opened_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """How the center runs its clock: calendar time, or paused outside its hours."""

    tz: ZoneInfo
    working: WorkingClock | None = None

    def clock(self, row: Any, now: datetime) -> ComplaintClock:
        return complaint_clock(ComplaintTimes.from_row(row), now, self.working)

    def overdue(self, row: Any, now: datetime) -> bool:
        return is_overdue(ComplaintTimes.from_row(row), now, self.working)


def policy_of(tz: ZoneInfo, hours: ServiceHours, clock: str) -> Policy:
    """The policy a CALLCENTER_COMPLAINT_CLOCK names: calendar or working."""
    return Policy(tz, WorkingClock(hours, tz) if clock == "working" else None)


def clock_dict(clock: ComplaintClock) -> dict[str, Any]:
    return {"state": clock.overall.value,
            "deadlines": [{"step": d.step.value, "due_at": d.due_at.isoformat(),
                           "done_at": d.done_at and d.done_at.isoformat(),
                           "state": d.state.value} for d in clock.deadlines]}


def _item(row: asyncpg.Record, clock: ComplaintClock) -> dict[str, Any]:
    return {**plain_record(row), "clock": clock_dict(clock)}


async def list_complaints(store: ComplaintStore, user: User, view: str, filters: Filters,
                          policy: Policy, now: datetime) -> dict[str, Any]:
    """One tab of the complaint lists (open, mine, overdue, all), newest first, with
    each complaint's clock, and the counts of the unfinished tabs (open, mine,
    overdue); "all" has none (it is every complaint ever)."""
    if view not in VIEWS:
        raise ValidationError(f"view: one of {', '.join(VIEWS)}", field="view")
    statuses: list[str] | None
    if filters.status is not None:
        statuses = [filters.status]
    elif view == "all":
        statuses = None
    else:
        statuses = [s.value for s in Status if s is not Status.CLOSED]

    judged: list[int] = []  # the overdue ones, judged once for the tab and its count

    def overdue(unfinished: list[asyncpg.Record]) -> list[int]:
        judged[:] = [row["id"] for row in unfinished if policy.overdue(row, now)]
        return judged

    rows, unfinished = await store.listing(
        user.id if view == "mine" else None, statuses, filters.source, filters.severity,
        filters.department, filters.text, filters.opened_from, filters.opened_before,
        PAGE_LIMIT, overdue if view == "overdue" else None)
    counts = {"open": len(unfinished),
              "mine": sum(1 for row in unfinished if row["owner_id"] == user.id),
              "overdue": len(judged if view == "overdue" else overdue(unfinished))}
    return {"view": view, "items": [_item(row, policy.clock(row, now)) for row in rows],
            "counts": counts}


async def get_complaint(store: ComplaintStore, complaint_id: int, policy: Policy,
                        now: datetime) -> dict[str, Any]:
    """The complaint page: the complaint with its clock, its customer, the timeline
    (every step with its user and time) and its calls with their recordings."""
    row = await store.complaint(complaint_id)
    if row is None:
        raise NotFound(f"complaint {complaint_id} does not exist")
    page = _item(row, policy.clock(row, now))
    page["timeline"] = [plain_record(r) for r in await store.timeline(complaint_id)]
    page["calls"] = [plain_record(r) for r in await store.linked_calls(complaint_id)]
    return page


async def take_step(store: ComplaintStore, user: User, complaint_id: int, action: Action,
                    *, policy: Policy, now: datetime, note: str | None = None,
                    owner_id: int | None = None, department: str | None = None,
                    category: str | None = None, resolution: str | None = None,
                    compensation: str | None = None, call_id: int | None = None
                    ) -> dict[str, Any]:
    """One step by ``user``: 403 when they may not, 409 when it is out of order. A
    resolution creates the check call (a complaint_check follow-up due within 3 days);
    the check call's own outcome comes through the follow-up (services/followups.py)."""
    if action in (Action.CHECK_SATISFIED, Action.CHECK_DISSATISFIED):
        raise ValidationError("the check call's outcome is recorded on its follow-up",
                              field="action")
    if action is Action.ASSIGN:
        if owner_id is None:
            raise ValidationError("owner_id: who will own the complaint", field="owner_id")
        if await store.active_user(owner_id) is None:
            raise NotFound(f"user {owner_id} does not exist or is disabled",
                           field="owner_id")
    if action is Action.RESOLVE and not (resolution or "").strip():
        raise ValidationError("resolution: what was done for the customer",
                              field="resolution")
    if action in (Action.REPLY, Action.MANAGEMENT_REPLY, Action.NOTE, Action.REOPEN) \
            and not (note or "").strip():
        raise ValidationError("note: what was said or why", field="note")
    check_due = (now + CHECK_CALL_WITHIN).astimezone(policy.tz).date()
    entry = StepEntry(action, user.id, now, note=note, call_id=call_id, owner_id=owner_id,
                      department=department, category=category, resolution=resolution,
                      compensation=compensation, check_due=check_due,
                      details=_details(action, owner_id, department, category, resolution,
                                       compensation))

    def may(locked: LockedComplaint) -> None:
        check_may_act(user, locked.owner_id, action, owner_id)

    await store.take_step(complaint_id, entry, may)
    return await get_complaint(store, complaint_id, policy, now)


def _details(action: Action, owner_id: int | None, department: str | None,
             category: str | None, resolution: str | None, compensation: str | None
             ) -> dict[str, Any] | None:
    if action is Action.ASSIGN:
        return {"owner_id": owner_id, "department": department, "category": category}
    if action is Action.RESOLVE:
        return {"resolution": resolution, "compensation": compensation}
    return None


async def statistics(store: ComplaintStore, period: stats.Period, day: date,
                     policy: Policy, now: datetime) -> dict[str, Any]:
    """The figures of the week or month containing ``day`` and of the one before, with
    the change between them."""
    span = stats.span_of(period, day, policy.tz)
    before = stats.previous(period, span, policy.tz)
    figures = []
    for part in (span, before):
        if policy.working is None:  # PostgreSQL sums it; the working clock is Python's
            sums, checks = await store.period_sums(part.starts, part.ends, now, WINDOWS)
            figures.append(stats.figures_from_sums(sums, checks))
        else:
            rows, checks = await store.opened_between(part.starts, part.ends)
            figures.append(stats.figures(rows, checks, now, policy.working))
    return {"period": period.value, "label": span.label, "starts": span.starts.isoformat(),
            "ends": span.ends.isoformat(), "previous_label": before.label,
            "current": figures[0], "previous": figures[1],
            "change": stats.change(figures[0], figures[1])}


async def escalate_overdue(store: ComplaintStore, publish: Publish, policy: Policy,
                           now: datetime, management: list[str],
                           dealer: str = "") -> int:
    """Every step that is overdue and not escalated yet, escalated once: a live
    ``complaint_overdue`` message to the owner and the supervisors, an SMS to the owner
    (when a mobile is on record), and for a major complaint's late management reply the
    message to senior management too (``management``: usernames; none: the admins, who
    are among the supervisors anyway). The number of steps escalated."""
    supervisors = await store.supervisors()
    managers = await store.user_ids(management) if management else []
    escalated = 0
    for row in await store.unfinished():
        clock = policy.clock(row, now)
        for step in overdue_steps(clock):
            if not await store.escalate(row["id"], step.value, now):
                continue
            escalated += 1
            deadline = clock[step]
            customer = await store.customer_name(row["customer_id"])
            message = {"type": "complaint_overdue",
                       "complaint": {"id": row["id"], "customer_name": customer,
                                     "severity": row["severity"], "step": step.value,
                                     "due_at": deadline.due_at.isoformat()}}
            to = {*supervisors, *([row["owner_id"]] if row["owner_id"] else [])}
            if step.value == "management_reply":
                to |= set(managers)
            for user_id in sorted(to):
                publish(user_id, message)
            if row["owner_id"]:
                body = sms_texts.complaint_overdue(row["id"], customer, step.value,
                                                   dealer=dealer)
                await store.queue_owner_sms(row["owner_id"], body,
                                            f"complaint:{row['id']}:{step.value}:overdue")
    return escalated


# The export's labels; the console's own texts are in web/i18n.js.
_XLSX_LABELS = {
    "zh-CN": {"sheet.summary": "概况", "sheet.breakdown": "分布", "period": "期间",
              "previous": "上期", "change": "变化", "total": "投诉总数",
              "on_time.first_contact": "首次联系及时率", "on_time.reply": "答复及时率",
              "on_time.management_reply": "管理层答复及时率", "on_time.check_call": "回访及时率",
              "hours_to.first_contact": "平均首次联系时长（小时）",
              "hours_to.reply": "平均答复时长（小时）",
              "hours_to.resolution": "平均处理完毕时长（小时）",
              "longest.first_contact": "最长首次联系时长（小时）",
              "longest.reply": "最长答复时长（小时）",
              "longest.resolution": "最长处理完毕时长（小时）",
              "check_calls": "回访完成数", "check_rate": "回访满意率",
              "by.source": "来源", "by.category": "类别", "by.severity": "严重程度",
              "by.department": "部门", "by.owner": "负责人", "value": "项", "count": "数量"},
    "en": {"sheet.summary": "Summary", "sheet.breakdown": "Breakdown", "period": "Period",
           "previous": "Previous", "change": "Change", "total": "Complaints",
           "on_time.first_contact": "First contact on time",
           "on_time.reply": "Reply on time",
           "on_time.management_reply": "Management reply on time",
           "on_time.check_call": "Check call on time",
           "hours_to.first_contact": "Average hours to first contact",
           "hours_to.reply": "Average hours to reply",
           "hours_to.resolution": "Average hours to resolution",
           "longest.first_contact": "Longest hours to first contact",
           "longest.reply": "Longest hours to reply",
           "longest.resolution": "Longest hours to resolution",
           "check_calls": "Check calls completed", "check_rate": "Check calls satisfied",
           "by.source": "Source", "by.category": "Category", "by.severity": "Severity",
           "by.department": "Department", "by.owner": "Owner", "value": "Value",
           "count": "Count"},
}


def statistics_xlsx(reply: dict[str, Any], locale: str) -> bytes:
    """The statistics as a workbook: the summary of the period beside the previous one,
    then every breakdown (owners' and departments' names kept as text)."""
    labels = _XLSX_LABELS.get(locale, _XLSX_LABELS["zh-CN"])
    current, before = reply["current"], reply["previous"]
    summary: list[list[object]] = [
        [labels["period"], reply["label"], reply["previous_label"]],
        [labels["total"], current["total"], before["total"]]]
    for step in current["on_time"]:
        summary.append([labels[f"on_time.{step}"], current["on_time"][step]["rate"],
                        before["on_time"][step]["rate"]])
    for name in current["hours_to"]:
        summary.append([labels[f"hours_to.{name}"], current["hours_to"][name]["average"],
                        before["hours_to"][name]["average"]])
        summary.append([labels[f"longest.{name}"], current["hours_to"][name]["longest"],
                        before["hours_to"][name]["longest"]])
    summary.append([labels["check_calls"], current["check_calls"]["completed"],
                    before["check_calls"]["completed"]])
    summary.append([labels["check_rate"], current["check_calls"]["rate"],
                    before["check_calls"]["rate"]])
    breakdown: list[list[object]] = [["", labels["value"], reply["label"],
                                      reply["previous_label"]]]
    for name, counts in current["by"].items():
        for value in sorted(set(counts) | set(before["by"][name])):
            breakdown.append([labels[f"by.{name}"], value, counts.get(value, 0),
                              before["by"][name].get(value, 0)])
    return workbook([(labels["sheet.summary"], summary), (labels["sheet.breakdown"], breakdown)])
