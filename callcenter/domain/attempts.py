"""What a follow-up call attempt does to its task (DESIGN.md section 2, the call scripts).

Not reached (no answer, busy, switched off, failed): the task goes to "call again", not
before the call-again gap (by default the next day in the center's zone: the seeds'
scripts call again on a later day, never a minute later); after the third failed
attempt the customer gets an SMS follow-up instead and the task closes as unreachable.
An agent who did not pick up their own phone never reached the customer's line: the task
is left as it was.

A wrong number (someone else's line) marks that phone invalid. It still counts as a
failed attempt, but the gap does not apply while the customer has another valid number
(that one was not tried); with none left the task closes as unreachable, with no SMS
(there is no number to send it to).

"Not convenient now": the customer names a time; it must be in the future and at most
CALLBACK_HORIZON ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_FAILED_ATTEMPTS = 3
NOT_REACHED = frozenset({"busy", "no_answer", "unreachable", "wrong_number", "failed"})
# A callback further ahead than this is a new follow-up, not a callback.
CALLBACK_HORIZON = timedelta(days=14)
NEXT_DAY = "next_day"
_DURATION = re.compile(r"^([1-9][0-9]{0,5})([smh])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}


@dataclass(frozen=True, slots=True)
class CallAgainGap:
    """How long a customer who was not reached waits for the next attempt: a fixed
    ``after``, or (None) until the next day begins in the center's zone ``tz``."""

    tz: ZoneInfo
    after: timedelta | None = None

    @classmethod
    def parse(cls, text: str, tz: ZoneInfo) -> CallAgainGap:
        """``next_day``, or a duration such as ``90m``, ``2h``, ``30s``; ValueError
        otherwise."""
        text = text.strip().lower()
        if text == NEXT_DAY:
            return cls(tz)
        match = _DURATION.fullmatch(text)
        if match is None:
            raise ValueError("use next_day or a duration such as 30s, 90m, 4h")
        return cls(tz, timedelta(**{_UNITS[match[2]]: int(match[1])}))

    def not_before(self, now: datetime) -> datetime:
        if self.after is not None:
            return now + self.after
        tomorrow = now.astimezone(self.tz).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(0), self.tz)


@dataclass(frozen=True, slots=True)
class TaskChange:
    status: str
    attempts: int
    next_attempt_at: datetime | None
    send_sms: bool


def after_attempt(result: str, failed_so_far: int, now: datetime, gap: CallAgainGap, *,
                  other_valid_phones: bool = True) -> TaskChange | None:
    """The task's new state after an attempt with ``result``; None: unchanged.

    ``failed_so_far`` counts the earlier not-reached attempts. An answered call leaves
    the task open: the questionnaire's outcome completes it. ``other_valid_phones``:
    whether the customer still has a number not found to be wrong (wrong_number only).
    """
    if result not in NOT_REACHED:
        return None
    failed = failed_so_far + 1
    if result == "wrong_number" and not other_valid_phones:
        return TaskChange("unreachable", failed, None, send_sms=False)
    if failed >= MAX_FAILED_ATTEMPTS:
        return TaskChange("unreachable", failed, None, send_sms=True)
    retry = now if result == "wrong_number" else gap.not_before(now)
    return TaskChange("call_again", failed, retry, send_sms=False)


class CallbackTimeRefused(ValueError):
    """The callback time is in the past or too far ahead; ``not_after`` is the bound."""

    def __init__(self, message: str, not_after: datetime) -> None:
        super().__init__(message)
        self.not_after = not_after


def check_callback_time(at: datetime, now: datetime) -> None:
    """A callback is booked for a moment after ``now``, at most CALLBACK_HORIZON ahead."""
    limit = now + CALLBACK_HORIZON
    if at <= now:
        raise CallbackTimeRefused("the callback time has passed", limit)
    if at > limit:
        raise CallbackTimeRefused(
            f"a callback is at most {CALLBACK_HORIZON.days} days ahead", limit)


def too_early(next_attempt_at: datetime | None, now: datetime) -> datetime | None:
    """When the next call of a task may be placed, if that is still ahead of ``now``."""
    if next_attempt_at is not None and next_attempt_at > now:
        return next_attempt_at
    return None
