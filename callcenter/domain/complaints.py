"""Complaint handling (DESIGN.md section 2) as pure functions: the 2-1-2-3 clock, the
order of the steps and who may take them.

From the moment a complaint is opened: the responsible person contacts the customer within
2 hours, a reply follows within 1 day, and for a major complaint senior management replies
within 2 days. After resolution, a check call within 3 days asks whether the customer is
satisfied. Each step is a ``Deadline`` with a state; the complaint's overall state is the
worst of them. The check call has no deadline until the complaint is resolved.

The clock runs in calendar time, or (``WorkingClock``) only during the center's hours
on open days: then an hour window counts open hours and a day window one open day's
hours each (docs/complaints.md).

The steps, each stamped with its user and time on the timeline: assign (department and
owner), first contact, reply, management reply (required before a major complaint is
resolved), resolution, and after the check call close or reopen. ``next_status`` refuses
a step out of order (409); ``check_may_act`` refuses a user who is neither the owner nor
a supervisor (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from callcenter.domain.ivr import ServiceHours
from callcenter.domain.rows import Row
from callcenter.domain.users import User
from callcenter.errors import Conflict, Forbidden

FIRST_CONTACT_WITHIN = timedelta(hours=2)
REPLY_WITHIN = timedelta(days=1)
MANAGEMENT_REPLY_WITHIN = timedelta(days=2)
CHECK_CALL_WITHIN = timedelta(days=3)
# A step still open in the last quarter of its window is due soon: 30 minutes before a
# first contact falls due, 6 hours before a reply does.
DUE_SOON_FRACTION = 0.25


class DeadlineState(StrEnum):
    # Declared from best to worst: the overall state is the latest of these that occurs.
    MET = "met"            # done in time
    PENDING = "pending"    # not done, plenty of time left
    DUE_SOON = "due_soon"  # not done, within the last quarter of its window
    MISSED = "missed"      # done, but late: history now, nothing left to do
    OVERDUE = "overdue"    # not done and late: someone has to act now


_RANK = {state: rank for rank, state in enumerate(DeadlineState)}


class Step(StrEnum):
    FIRST_CONTACT = "first_contact"
    REPLY = "reply"
    MANAGEMENT_REPLY = "management_reply"
    CHECK_CALL = "check_call"


@dataclass(frozen=True, slots=True)
class ComplaintTimes:
    """What the clock needs from a complaint: the columns of the ``complaints`` table."""

    opened_at: datetime
    severity: str  # 'normal' or 'major'
    first_contact_at: datetime | None = None
    replied_at: datetime | None = None
    management_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    check_call_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Row) -> ComplaintTimes:
        return cls(row["opened_at"], row["severity"], row["first_contact_at"],
                   row["replied_at"], row["management_reply_at"], row["resolved_at"],
                   row["check_call_at"])


@dataclass(frozen=True, slots=True)
class Deadline:
    step: Step
    starts_at: datetime
    due_at: datetime
    done_at: datetime | None
    state: DeadlineState


@dataclass(frozen=True, slots=True)
class ComplaintClock:
    deadlines: tuple[Deadline, ...]
    overall: DeadlineState

    def __getitem__(self, step: Step) -> Deadline:
        return next(d for d in self.deadlines if d.step == step)


@dataclass(frozen=True, slots=True)
class WorkingClock:
    """Deadlines that pause outside the center's hours (CALLCENTER_COMPLAINT_CLOCK=
    working): the clock runs only from ``hours.open_at`` to ``close_at`` on open days,
    in ``tz``; a window of N days is N open days' worth of hours."""

    hours: ServiceHours
    tz: ZoneInfo

    def due(self, start: datetime, within: timedelta) -> datetime:
        day_length = (datetime.combine(datetime.min, self.hours.close_at)
                      - datetime.combine(datetime.min, self.hours.open_at))
        remaining = (within if within < timedelta(days=1)
                     else day_length * (within / timedelta(days=1)))
        moment = start.astimezone(self.tz)
        day = moment.date()
        for _ in range(400):  # a year of closed days is a setting gone wrong
            if not self.hours.is_closed_day(day):
                opens = datetime.combine(day, self.hours.open_at, self.tz)
                closes = datetime.combine(day, self.hours.close_at, self.tz)
                begin = max(moment, opens)
                if begin < closes:
                    if remaining <= closes - begin:
                        return begin + remaining
                    remaining -= closes - begin
            day += timedelta(days=1)
            moment = datetime.combine(day, time.min, self.tz)
        return start + within


def deadline_state(starts_at: datetime, due_at: datetime, done_at: datetime | None,
                   now: datetime, window: timedelta | None = None) -> DeadlineState:
    """The state of one step. Done exactly at the deadline is met; still open exactly at
    the deadline is due soon (overdue starts after it); exactly 25% of the window left is
    due soon. ``window``: the step's nominal length when the clock pauses (2 hours of
    work, not the night between)."""
    if done_at is not None:
        return DeadlineState.MET if done_at <= due_at else DeadlineState.MISSED
    if now > due_at:
        return DeadlineState.OVERDUE
    if due_at - now <= (window or due_at - starts_at) * DUE_SOON_FRACTION:
        return DeadlineState.DUE_SOON
    return DeadlineState.PENDING


Window = tuple[Step, datetime, timedelta, datetime | None]  # step, start, length, done


def step_windows(times: ComplaintTimes) -> list[Window]:
    """The steps that apply to the complaint, each with when its clock starts, how long
    it has and when it was done."""
    opened = times.opened_at
    # A reply is also a contact: a complaint answered within the hour whose first call
    # was not stamped separately has still been contacted in time.
    first, replied = times.first_contact_at, times.replied_at
    contacted = first if replied is None or (first is not None and first <= replied) \
        else replied
    windows: list[Window] = [(Step.FIRST_CONTACT, opened, FIRST_CONTACT_WITHIN, contacted),
                             (Step.REPLY, opened, REPLY_WITHIN, replied)]
    if times.severity == "major":
        windows.append((Step.MANAGEMENT_REPLY, opened, MANAGEMENT_REPLY_WITHIN,
                        times.management_reply_at))
    if times.resolved_at is not None:
        windows.append((Step.CHECK_CALL, times.resolved_at, CHECK_CALL_WITHIN,
                        times.check_call_at))
    return windows


def _due(start: datetime, within: timedelta, working: WorkingClock | None) -> datetime:
    return start + within if working is None else working.due(start, within)


def complaint_clock(times: ComplaintTimes, now: datetime,
                    working: WorkingClock | None = None) -> ComplaintClock:
    """Every deadline that applies to the complaint at ``now``, and the worst state;
    with ``working``, deadlines pause outside the center's hours."""
    deadlines = []
    for step, start, within, done in step_windows(times):
        due = _due(start, within, working)
        deadlines.append(Deadline(step, start, due, done,
                                  deadline_state(start, due, done, now, within)))
    return ComplaintClock(tuple(deadlines),
                          max((d.state for d in deadlines), key=_RANK.__getitem__))


def is_overdue(times: ComplaintTimes, now: datetime, working: WorkingClock | None = None
               ) -> bool:
    """Whether some step is not done and past its deadline: complaint_clock's overall
    state is overdue (the lists count thousands of complaints)."""
    return any(done is None and now > _due(start, within, working)
               for _, start, within, done in step_windows(times))


def judged_steps(times: ComplaintTimes, now: datetime, working: WorkingClock | None = None
                 ) -> list[tuple[Step, bool]]:
    """The steps already judged, each with whether it was on time: done in time (met)
    is on time; done late (missed) or not done past its deadline (overdue) is not; a
    step still within its window is not judged yet. complaint_clock's states, without
    building them (the statistics judge thousands of complaints)."""
    judged = []
    for step, start, within, done in step_windows(times):
        due = _due(start, within, working)
        if done is not None:
            judged.append((step, done <= due))
        elif now > due:
            judged.append((step, False))
    return judged


def complaint_source(call_direction: str | None) -> str:
    """Where a complaint an agent opens comes from: the hotline when they open it from an
    inbound call, 'other' from an outbound call or from no call at all."""
    return "hotline" if call_direction == "inbound" else "other"


def overdue_steps(clock: ComplaintClock) -> list[Step]:
    """The steps someone has to act on now: escalated once each."""
    return [d.step for d in clock.deadlines if d.state is DeadlineState.OVERDUE]


# ---------------------------------------------------------------------------- the steps


class Status(StrEnum):
    OPEN = "open"            # nobody has talked to the customer yet
    CONTACTED = "contacted"  # first contact made
    REPLIED = "replied"      # the customer has had a reply; resolution pending
    RESOLVED = "resolved"    # resolved; the check call decides
    CLOSED = "closed"        # the customer said they are satisfied


class Action(StrEnum):
    ASSIGN = "assign"
    FIRST_CONTACT = "first_contact"
    REPLY = "reply"
    MANAGEMENT_REPLY = "management_reply"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    NOTE = "note"
    # the check call's outcome, from the complaint_check follow-up
    CHECK_SATISFIED = "check_satisfied"
    CHECK_DISSATISFIED = "check_dissatisfied"


SOURCES = ("followup", "hotline", "walk_in", "online", "manufacturer", "other")
SEVERITIES = ("normal", "major")
DEFAULT_CATEGORIES = ("service_quality", "repair_quality", "sales_promise", "price", "parts",
                      "attitude", "other")
DEFAULT_DEPARTMENTS = ("service", "sales", "parts", "customer_relations")


class StepOutOfOrder(Conflict):
    error_id = "step_out_of_order"


# What each step needs the complaint to be in, and what it makes of it (None: unchanged).
_STEPS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ASSIGN: (frozenset({Status.OPEN, Status.CONTACTED, Status.REPLIED}), None),
    Action.FIRST_CONTACT: (frozenset({Status.OPEN}), Status.CONTACTED),
    Action.REPLY: (frozenset({Status.CONTACTED}), Status.REPLIED),
    Action.MANAGEMENT_REPLY: (frozenset({Status.CONTACTED, Status.REPLIED}), None),
    Action.RESOLVE: (frozenset({Status.REPLIED}), Status.RESOLVED),
    Action.REOPEN: (frozenset({Status.RESOLVED, Status.CLOSED}), Status.REPLIED),
    Action.NOTE: (frozenset(Status), None),
    Action.CHECK_SATISFIED: (frozenset({Status.RESOLVED}), Status.CLOSED),
    Action.CHECK_DISSATISFIED: (frozenset({Status.RESOLVED}), Status.REPLIED),
}


def next_status(status: Status, action: Action, *, severity: str,
                management_replied: bool) -> Status:
    """The status after ``action``; StepOutOfOrder when the complaint is not ready for
    it (a reply before the first contact, a major complaint resolved before management
    replied, a second management reply, anything but a note after closing...)."""
    allowed, after = _STEPS[action]
    if status not in allowed:
        raise StepOutOfOrder(f"a complaint that is {status.value} cannot take "
                             f"'{action.value}' now", status=status.value,
                             action=action.value)
    if action is Action.MANAGEMENT_REPLY and management_replied:
        raise StepOutOfOrder("management has already replied", action=action.value)
    if action is Action.RESOLVE and severity == "major" and not management_replied:
        raise StepOutOfOrder("a major complaint needs management's reply before it is "
                             "resolved", action=action.value, missing="management_reply")
    return after or status


def check_may_act(user: User, owner_id: int | None, action: Action,
                  assignee_id: int | None = None) -> None:
    """Supervisors may take every step; the owner every step but handing the complaint
    to someone else; an agent may take an unowned complaint for themselves and add
    notes to any. Anyone else: Forbidden."""
    if user.supervises:
        return
    if action is Action.NOTE:
        return
    if action is Action.ASSIGN:
        if owner_id in (None, user.id) and assignee_id == user.id:
            return
        raise Forbidden("only a supervisor assigns a complaint to someone else")
    if owner_id != user.id:
        raise Forbidden("only the complaint's owner or a supervisor may take this step",
                        owner_id=owner_id)
