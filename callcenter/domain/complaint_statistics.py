"""Weekly and monthly complaint statistics as pure functions (docs/complaints.md states
every formula).

A period is a calendar week (Monday to Sunday) or month in the center's time zone; a
complaint belongs to the period it was opened in. For each period:

- counts by source, category, severity, department and owner;
- the on-time rate of each step: met / (met + missed + overdue) among the complaints
  whose step applies (management reply: major complaints; check call: resolved ones)
  and is judged (done, or its deadline passed); a step still pending is not judged yet;
- average and longest time from opening to first contact, to reply and to resolution,
  over the complaints that reached it;
- check-call satisfaction: satisfied / completed among the check calls completed in the
  period (whenever their complaint was opened);
- the same figures of the period before, for week-over-week and month-over-month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.complaints import ComplaintTimes, Step, WorkingClock, judged_steps
from callcenter.domain.rows import Row


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"


BREAKDOWNS = ("source", "category", "severity", "department", "owner")
# durations reported: from opening to the first time each column was stamped
_REACHED = (("first_contact", "first_contact_at"), ("reply", "replied_at"),
            ("resolution", "resolved_at"))


@dataclass(frozen=True, slots=True)
class Span:
    """One period: [starts, ends) in the center's zone, and its label (2026-W10, 2026-03)."""

    starts: datetime
    ends: datetime
    label: str


def span_of(period: Period, day: date, tz: ZoneInfo) -> Span:
    """The week or month that contains ``day``."""
    if period is Period.WEEK:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
        year, week, _ = first.isocalendar()
        label = f"{year}-W{week:02d}"
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
        label = f"{first:%Y-%m}"
    return Span(datetime.combine(first, datetime.min.time(), tz),
                datetime.combine(last, datetime.min.time(), tz), label)


def previous(period: Period, span: Span, tz: ZoneInfo) -> Span:
    return span_of(period, (span.starts - timedelta(days=1)).date(), tz)


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def figures(rows: Sequence[Row], check_calls: Mapping[str, int], now: datetime,
            working: WorkingClock | None = None) -> dict[str, Any]:
    """The statistics of one period: its complaints (rows with the complaints' columns
    and ``owner_name``) and its completed check calls counted by result."""
    judged: dict[Step, list[bool]] = {step: [] for step in Step}
    durations: dict[str, list[timedelta]] = {name: [] for name, _ in _REACHED}
    for row in rows:
        for step, on_time in judged_steps(ComplaintTimes.from_row(row), now, working):
            judged[step].append(on_time)
        opened = row["opened_at"]
        for name, column in _REACHED:
            if row[column] is not None:
                durations[name].append(row[column] - opened)
    by = {name: Counter((row["owner_name"] if name == "owner" else row[name]) or "none"
                        for row in rows) for name in BREAKDOWNS}
    return _shaped(len(rows), by,
                   {step: (len(marks), sum(marks)) for step, marks in judged.items()},
                   {name: (len(values),
                           sum(values, timedelta()) / len(values) if values else None,
                           max(values) if values else None)
                    for name, values in durations.items()}, check_calls)


# period_figures' columns (db/queries/complaints.sql) for each step and duration
_SQL_STEPS = {Step.FIRST_CONTACT: "fc", Step.REPLY: "re", Step.MANAGEMENT_REPLY: "mr",
              Step.CHECK_CALL: "cc"}
_SQL_DURATIONS = {"first_contact": "fc", "reply": "re", "resolution": "rs"}


def figures_from_sums(row: Row, check_calls: Mapping[str, int]) -> dict[str, Any]:
    """The same statistics from the sums PostgreSQL computed (calendar clock)."""
    by: dict[str, Counter[str]] = {name: Counter() for name in BREAKDOWNS}
    for name, value, n in row["breakdown"] or []:
        by[name][value] += n

    def seconds(value: float | None) -> timedelta | None:
        return None if value is None else timedelta(seconds=float(value))

    return _shaped(row["total"], by,
                   {step: (row[f"{c}_judged"], row[f"{c}_on_time"])
                    for step, c in _SQL_STEPS.items()},
                   {name: (row[f"{c}_n"], seconds(row[f"{c}_avg"]), seconds(row[f"{c}_max"]))
                    for name, c in _SQL_DURATIONS.items()}, check_calls)


def _shaped(total: int, by: Mapping[str, Counter[str]],
            judged: Mapping[Step, tuple[int, int]],
            durations: Mapping[str, tuple[int, timedelta | None, timedelta | None]],
            check_calls: Mapping[str, int]) -> dict[str, Any]:
    satisfied = check_calls.get("satisfied", 0)
    completed = satisfied + check_calls.get("dissatisfied", 0)
    return {
        "total": total,
        "by": {name: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
               for name, c in by.items()},
        "on_time": {step.value: {"judged": n, "on_time": ok,
                                 "rate": round(ok / n, 4) if n else None}
                    for step, (n, ok) in judged.items()},
        "hours_to": {name: {"count": n,
                            "average": None if average is None else _hours(average),
                            "longest": None if longest is None else _hours(longest)}
                     for name, (n, average, longest) in durations.items()},
        "check_calls": {"completed": completed, "satisfied": satisfied,
                        "rate": round(satisfied / completed, 4) if completed else None},
    }


def change(current: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """Period over period: the total's change and each on-time rate's, in points."""
    def delta(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else round(a - b, 4)

    return {
        "total": current["total"] - before["total"],
        "total_ratio": round(current["total"] / before["total"] - 1, 4)
        if before["total"] else None,
        "on_time": {step: delta(current["on_time"][step]["rate"],
                                before["on_time"][step]["rate"])
                    for step in current["on_time"]},
        "check_call_rate": delta(current["check_calls"]["rate"],
                                 before["check_calls"]["rate"]),
    }
