"""The 2-1-2-3 rule of complaint handling (DESIGN.md section 2) as pure functions.

From the moment a complaint is opened: the responsible person contacts the customer within
2 hours, a reply follows within 1 day, and for a major complaint senior management replies
within 2 days. After resolution, a check call within 3 days asks whether the customer is
satisfied. Each step is a ``Deadline`` with a state; the complaint's overall state is the
worst of them. The check call has no deadline until the complaint is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from callcenter.domain.rows import Row

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


def deadline_state(starts_at: datetime, due_at: datetime, done_at: datetime | None,
                   now: datetime) -> DeadlineState:
    """The state of one step. Done exactly at the deadline is met; still open exactly at
    the deadline is due soon (overdue starts after it); exactly 25% of the window left is
    due soon."""
    if done_at is not None:
        return DeadlineState.MET if done_at <= due_at else DeadlineState.MISSED
    if now > due_at:
        return DeadlineState.OVERDUE
    if due_at - now <= (due_at - starts_at) * DUE_SOON_FRACTION:
        return DeadlineState.DUE_SOON
    return DeadlineState.PENDING


def complaint_clock(times: ComplaintTimes, now: datetime) -> ComplaintClock:
    """Every deadline that applies to the complaint at ``now``, and the worst state."""
    opened = times.opened_at
    # A reply is also a contact: a complaint answered within the hour whose first call
    # was not stamped separately has still been contacted in time.
    contacted = min((t for t in (times.first_contact_at, times.replied_at) if t is not None),
                    default=None)
    steps = [(Step.FIRST_CONTACT, opened, FIRST_CONTACT_WITHIN, contacted),
             (Step.REPLY, opened, REPLY_WITHIN, times.replied_at)]
    if times.severity == "major":
        steps.append((Step.MANAGEMENT_REPLY, opened, MANAGEMENT_REPLY_WITHIN,
                      times.management_reply_at))
    if times.resolved_at is not None:
        steps.append((Step.CHECK_CALL, times.resolved_at, CHECK_CALL_WITHIN,
                      times.check_call_at))
    deadlines = tuple(
        Deadline(step, start, start + within, done,
                 deadline_state(start, start + within, done, now))
        for step, start, within, done in steps)
    return ComplaintClock(deadlines, max((d.state for d in deadlines), key=_RANK.__getitem__))


def complaint_source(call_direction: str | None) -> str:
    """Where a complaint an agent opens comes from: the hotline when they open it from an
    inbound call, 'other' from an outbound call or from no call at all."""
    return "hotline" if call_direction == "inbound" else "other"
