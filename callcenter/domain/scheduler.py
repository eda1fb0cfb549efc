"""Which days the scheduler still owes a rule (docs/scheduler.md).

A rule's history starts on the first day it was ever tried (today, on a fresh database
or for a rule added later). Every day from there up to the day due is owed until its
ledger row is finished, but never more than ``catch_up_days`` back: a server down for
longer does the last ``catch_up_days`` days and skips the older ones (logged), so a
restart after a long outage cannot flood the agents' lists with stale work.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

DEFAULT_CATCH_UP_DAYS = 14


def due_through(now_local: datetime, run_at: time, at_start: bool) -> date:
    """The last day whose work is due at ``now_local`` (the center's wall clock): today
    at start and from ``run_at`` on; before ``run_at``, yesterday."""
    today = now_local.date()
    return today if at_start or now_local.time() >= run_at else today - timedelta(days=1)


def catch_up_start(first_tried: date | None, through: date, catch_up_days: int) -> date:
    """The first day still owed: the rule's first day, at most ``catch_up_days`` back."""
    if catch_up_days < 1:
        raise ValueError("catch_up_days must be at least 1")
    bound = through - timedelta(days=catch_up_days - 1)
    return through if first_tried is None else max(first_tried, bound)


def owed_days(start: date, through: date, finished: Collection[date]) -> list[date]:
    """The days from ``start`` to ``through`` (included) not finished yet, in order."""
    days = []
    day = start
    while day <= through:
        if day not in finished:
            days.append(day)
        day += timedelta(days=1)
    return days
