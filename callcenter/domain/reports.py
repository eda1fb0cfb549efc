"""The management reports' formulas (docs/reports.md states each one), from sums that
PostgreSQL keeps per day in the summaries of migration 0014. Pure: no I/O.

Every figure of a bucket and of the range's total is computed here from additive sums,
so a total is the figures of the summed sums, never an average of averages.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Self

MAX_DAYS = 366  # the longest range one report may cover


class FollowupBy(StrEnum):
    WEEK = "week"
    MONTH = "month"
    KIND = "kind"
    AGENT = "agent"


DIRECTIONS = ("inbound", "outbound", "internal")
# The follow-up kinds a report may be filtered by: migration 0001's list.
FOLLOWUP_KINDS = ("sales", "service", "maintenance_reminder", "win_back",
                  "dormant_prospect", "complaint_check")


def ratio(part: float | Decimal, whole: float | Decimal, places: int = 4) -> float | None:
    """part / whole rounded, None when there is nothing to divide by."""
    return None if not whole else round(float(part) / float(whole), places)


def days_in_range(start: date, end: date) -> int:
    return (end - start).days + 1


@dataclass(frozen=True, slots=True)
class FollowupSums:
    """One bucket's sums: tasks by their due day, attempts by the day they were made."""

    due: int = 0
    in_time: int = 0
    late: int = 0
    unreachable: int = 0
    sms: int = 0
    pending: int = 0
    overdue: int = 0
    completed_attempts: int = 0
    attempts: int = 0
    answered: int = 0

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(**{f.name: int(row[f.name]) for f in fields(cls)})

    def __add__(self, other: FollowupSums) -> FollowupSums:
        return FollowupSums(*(getattr(self, f.name) + getattr(other, f.name)
                              for f in fields(self)))


def followup_figures(s: FollowupSums) -> dict[str, Any]:
    completed = s.in_time + s.late
    return {
        "due": s.due, "completed": completed, "in_time": s.in_time, "late": s.late,
        "unreachable": s.unreachable, "sms": s.sms, "pending": s.pending,
        "overdue": s.overdue,
        "in_time_rate": ratio(s.in_time, s.due),
        "completion_rate": ratio(completed, s.due),
        "attempts": s.attempts, "answered": s.answered,
        "reach_rate": ratio(s.answered, s.attempts),
        "attempts_per_completed": ratio(s.completed_attempts, completed, 2),
    }


@dataclass(frozen=True, slots=True)
class CallSums:
    calls: int = 0
    answered: int = 0
    talk_seconds: Decimal = Decimal(0)
    wrapped: int = 0  # calls wrapped up
    wrap_seconds: Decimal = Decimal(0)  # from their end to their wrap-up

    def __add__(self, other: CallSums) -> CallSums:
        return CallSums(*(getattr(self, f.name) + getattr(other, f.name)
                          for f in fields(self)))


def call_figures(s: CallSums) -> dict[str, Any]:
    """Times in whole seconds (rounded), their averages to 0.1 s: talk per answered call,
    wrap-up per call wrapped up."""
    return {"calls": s.calls, "answered": s.answered,
            "answer_rate": ratio(s.answered, s.calls),
            "talk_seconds": int(s.talk_seconds.to_integral_value()),
            "average_talk_seconds": ratio(s.talk_seconds, s.answered, 1),
            "wrapped_up": s.wrapped,
            "wrap_up_seconds": int(s.wrap_seconds.to_integral_value()),
            "average_wrap_up_seconds": ratio(s.wrap_seconds, s.wrapped, 1)}


def score_percent(score_sum: Decimal, score_max: Decimal) -> float | None:
    """The agent's follow-up scores as a share of what their questionnaires allow, in
    percent to 0.1: sales (80 points) and service (60 points) answers weigh by points."""
    return ratio(score_sum * 100, score_max, 1)
