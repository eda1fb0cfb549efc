"""The 2-1-2-3 complaint deadlines, at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.complaints import (
    Action,
    ComplaintTimes,
    DeadlineState,
    Status,
    Step,
    StepOutOfOrder,
    WorkingClock,
    check_may_act,
    complaint_clock,
    deadline_state,
    next_status,
    overdue_steps,
)
from callcenter.domain.ivr import ServiceHours
from callcenter.domain.users import Role, User
from callcenter.errors import Forbidden

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
S = timedelta(seconds=1)
MET, PENDING, DUE_SOON, OVERDUE, MISSED = (
    DeadlineState.MET, DeadlineState.PENDING, DeadlineState.DUE_SOON, DeadlineState.OVERDUE,
    DeadlineState.MISSED)


def _clock(now: datetime, severity: str = "normal", **done: datetime):
    return complaint_clock(ComplaintTimes(OPENED, severity, **done), now)


@pytest.mark.parametrize(("now", "state"), [
    (OPENED, PENDING),
    (OPENED + 90 * timedelta(minutes=1) - S, PENDING),   # 30 min + 1 s left
    (OPENED + 90 * timedelta(minutes=1), DUE_SOON),      # exactly 25% of 2 h left
    (OPENED + 2 * H, DUE_SOON),                          # still open at the deadline
    (OPENED + 2 * H + S, OVERDUE),
])
def test_first_contact_while_open(now: datetime, state: DeadlineState) -> None:
    assert _clock(now)[Step.FIRST_CONTACT].state == state


@pytest.mark.parametrize(("done", "state"), [
    (OPENED + 2 * H, MET),
    (OPENED + 2 * H + S, MISSED),
])
def test_first_contact_done(done: datetime, state: DeadlineState) -> None:
    clock = _clock(OPENED + 30 * H, first_contact_at=done)
    assert clock[Step.FIRST_CONTACT].state == state
    assert clock[Step.FIRST_CONTACT].due_at == OPENED + 2 * H


def test_a_reply_counts_as_the_first_contact() -> None:
    clock = _clock(OPENED + 5 * H, replied_at=OPENED + H)
    assert clock[Step.FIRST_CONTACT].state == MET
    assert clock[Step.FIRST_CONTACT].done_at == OPENED + H


@pytest.mark.parametrize(("now", "state"), [
    (OPENED + 18 * H - S, PENDING),
    (OPENED + 18 * H, DUE_SOON),
    (OPENED + 24 * H, DUE_SOON),
    (OPENED + 24 * H + S, OVERDUE),
])
def test_reply_within_one_day(now: datetime, state: DeadlineState) -> None:
    assert _clock(now, first_contact_at=OPENED + H)[Step.REPLY].state == state


def test_management_reply_only_for_major_complaints() -> None:
    now = OPENED + 10 * H
    assert Step.MANAGEMENT_REPLY not in {d.step for d in _clock(now).deadlines}
    major = _clock(now, "major", first_contact_at=OPENED + H, replied_at=OPENED + 2 * H)
    assert major[Step.MANAGEMENT_REPLY].due_at == OPENED + 48 * H
    assert major[Step.MANAGEMENT_REPLY].state == PENDING
    assert _clock(OPENED + 36 * H, "major")[Step.MANAGEMENT_REPLY].state == DUE_SOON
    assert _clock(OPENED + 48 * H + S, "major")[Step.MANAGEMENT_REPLY].state == OVERDUE
    late = _clock(OPENED + 60 * H, "major", management_reply_at=OPENED + 49 * H)
    assert late[Step.MANAGEMENT_REPLY].state == MISSED


def test_check_call_counts_from_resolution() -> None:
    resolved = OPENED + 30 * H
    assert Step.CHECK_CALL not in {d.step for d in _clock(OPENED + 200 * H).deadlines}
    base = {"first_contact_at": OPENED + H, "replied_at": OPENED + 5 * H,
            "resolved_at": resolved}
    check = _clock(resolved + 10 * H, **base)[Step.CHECK_CALL]
    assert (check.starts_at, check.due_at, check.state) == (resolved, resolved + 72 * H,
                                                           PENDING)
    assert _clock(resolved + 54 * H, **base)[Step.CHECK_CALL].state == DUE_SOON
    assert _clock(resolved + 72 * H + S, **base)[Step.CHECK_CALL].state == OVERDUE
    assert _clock(resolved + 99 * H, **base, check_call_at=resolved + 72 * H)[
        Step.CHECK_CALL].state == MET
    assert _clock(resolved + 99 * H, **base, check_call_at=resolved + 73 * H)[
        Step.CHECK_CALL].state == MISSED


def test_overall_is_the_worst_state() -> None:
    # Everything done in time.
    done = {"first_contact_at": OPENED + H, "replied_at": OPENED + 3 * H,
            "resolved_at": OPENED + 4 * H, "check_call_at": OPENED + 20 * H}
    assert _clock(OPENED + 50 * H, **done).overall == MET
    # Contact met, reply pending.
    assert _clock(OPENED + 3 * H, first_contact_at=OPENED + H).overall == PENDING
    # Late contact (missed) beats a pending reply; an overdue step beats a missed one.
    assert _clock(OPENED + 4 * H, first_contact_at=OPENED + 3 * H).overall == MISSED
    assert _clock(OPENED + 25 * H, first_contact_at=OPENED + 3 * H).overall == OVERDUE
    assert _clock(OPENED + 19 * H, first_contact_at=OPENED + 3 * H).overall == MISSED
    assert _clock(OPENED + 19 * H, first_contact_at=OPENED + H).overall == DUE_SOON


def test_deadline_state_of_a_window() -> None:
    start, due = OPENED, OPENED + 4 * H
    assert deadline_state(start, due, None, start + 3 * H - S) == PENDING
    assert deadline_state(start, due, None, start + 3 * H) == DUE_SOON
    assert deadline_state(start, due, start + 5 * H, start + 10 * H) == MISSED
    assert deadline_state(start, due, start, start + 10 * H) == MET


def test_from_row_reads_the_complaint_columns() -> None:
    row = {"opened_at": OPENED, "severity": "major", "first_contact_at": None,
           "replied_at": None, "management_reply_at": None, "resolved_at": None,
           "check_call_at": None, "description": "ignored"}
    assert ComplaintTimes.from_row(row) == ComplaintTimes(OPENED, "major")


# ---------------------------------------------------------------------------- working clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKING = WorkingClock(ServiceHours(), SHANGHAI)  # 08:30-18:00, closed on Sundays


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)  # 2026-03-01 is a Sunday


@pytest.mark.parametrize(("start", "within", "due"), [
    # inside the hours: the plain sum
    (_local(2, 9), timedelta(hours=2), _local(2, 11)),
    # late in the day: the rest runs from the next opening
    (_local(2, 17, 30), timedelta(hours=2), _local(3, 10)),
    # at night: the clock starts at the next opening
    (_local(2, 22), timedelta(hours=2), _local(3, 10, 30)),
    # Saturday evening: Sunday is closed
    (_local(7, 17), timedelta(hours=2), _local(9, 9, 30)),
    # a day is an open day's hours (9.5 h)
    (_local(2, 9), timedelta(days=1), _local(3, 9)),
    (_local(2, 22), timedelta(days=1), _local(3, 18)),
    (_local(6, 9), timedelta(days=2), _local(9, 9)),
])
def test_a_working_clock_pauses_outside_the_hours(start: datetime, within: timedelta,
                                                  due: datetime) -> None:
    assert WORKING.due(start, within) == due


def test_a_complaint_opened_at_night_is_not_overdue_by_morning() -> None:
    opened = _local(2, 22)
    times = ComplaintTimes(opened, "normal")
    calendar = complaint_clock(times, _local(3, 8))
    working = complaint_clock(times, _local(3, 8), WORKING)
    assert calendar[Step.FIRST_CONTACT].state is OVERDUE
    assert working[Step.FIRST_CONTACT].state is PENDING
    assert overdue_steps(calendar) == [Step.FIRST_CONTACT]
    assert overdue_steps(working) == []


# ---------------------------------------------------------------------------- the steps

OPEN, CONTACTED, REPLIED, RESOLVED, CLOSED = (
    Status.OPEN, Status.CONTACTED, Status.REPLIED, Status.RESOLVED, Status.CLOSED)


@pytest.mark.parametrize(("status", "action", "after"), [
    (OPEN, Action.ASSIGN, OPEN),
    (OPEN, Action.FIRST_CONTACT, CONTACTED),
    (CONTACTED, Action.REPLY, REPLIED),
    (REPLIED, Action.RESOLVE, RESOLVED),
    (RESOLVED, Action.CHECK_SATISFIED, CLOSED),
    (RESOLVED, Action.CHECK_DISSATISFIED, REPLIED),
    (RESOLVED, Action.REOPEN, REPLIED),
    (CLOSED, Action.REOPEN, REPLIED),
    (CLOSED, Action.NOTE, CLOSED),
    (CONTACTED, Action.MANAGEMENT_REPLY, CONTACTED),
])
def test_steps_in_order(status: Status, action: Action, after: Status) -> None:
    assert next_status(status, action, severity="normal", management_replied=False) is after


@pytest.mark.parametrize(("status", "action"), [
    (OPEN, Action.REPLY),            # no reply before the first contact
    (OPEN, Action.RESOLVE),
    (CONTACTED, Action.RESOLVE),     # no resolution before the reply
    (CONTACTED, Action.FIRST_CONTACT),
    (RESOLVED, Action.ASSIGN),
    (CLOSED, Action.RESOLVE),
    (OPEN, Action.REOPEN),
    (REPLIED, Action.CHECK_SATISFIED),  # no check call before the resolution
    (OPEN, Action.MANAGEMENT_REPLY),
])
def test_steps_out_of_order_are_refused(status: Status, action: Action) -> None:
    with pytest.raises(StepOutOfOrder):
        next_status(status, action, severity="normal", management_replied=False)


def test_a_major_complaint_needs_management_before_resolution() -> None:
    with pytest.raises(StepOutOfOrder) as refused:
        next_status(REPLIED, Action.RESOLVE, severity="major", management_replied=False)
    assert refused.value.http_status == 409
    assert refused.value.details["missing"] == "management_reply"
    assert next_status(REPLIED, Action.RESOLVE, severity="major",
                       management_replied=True) is RESOLVED
    with pytest.raises(StepOutOfOrder):
        next_status(REPLIED, Action.MANAGEMENT_REPLY, severity="major", management_replied=True)


def _user(user_id: int, role: Role) -> User:
    return User(user_id, f"u{user_id}", f"U{user_id}", role, None, "zh-CN")


AGENT, OTHER, SUPERVISOR = (_user(1, Role.AGENT), _user(2, Role.AGENT),
                            _user(3, Role.SUPERVISOR))


def test_who_may_take_a_step() -> None:
    for action in (Action.FIRST_CONTACT, Action.REPLY, Action.RESOLVE, Action.REOPEN):
        check_may_act(AGENT, 1, action)          # the owner
        check_may_act(SUPERVISOR, 1, action)     # a supervisor
        with pytest.raises(Forbidden):
            check_may_act(OTHER, 1, action)      # another agent
        with pytest.raises(Forbidden):
            check_may_act(OTHER, None, action)   # nobody's yet: take it first
    check_may_act(OTHER, 1, Action.NOTE)
    # assigning: an agent takes an unowned complaint for themselves, nothing more
    check_may_act(OTHER, None, Action.ASSIGN, 2)
    with pytest.raises(Forbidden):
        check_may_act(OTHER, None, Action.ASSIGN, 1)
    with pytest.raises(Forbidden):
        check_may_act(OTHER, 1, Action.ASSIGN, 2)
    check_may_act(SUPERVISOR, 1, Action.ASSIGN, 2)
