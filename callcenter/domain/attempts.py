"""What a follow-up call attempt does to its task (DESIGN.md section 2).

Not reached (no answer, busy, switched off, wrong number): the task goes to "call again";
after the third failed attempt the customer gets an SMS follow-up instead and the task
closes as unreachable. An agent who did not pick up their own phone never reached the
customer's line: the task is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_FAILED_ATTEMPTS = 3
# A customer who did not answer is tried again later the same day or the next.
RETRY_AFTER = timedelta(hours=2)
NOT_REACHED = frozenset({"busy", "no_answer", "unreachable", "wrong_number", "failed"})


@dataclass(frozen=True, slots=True)
class TaskChange:
    status: str
    attempts: int
    next_attempt_at: datetime | None
    send_sms: bool


def after_attempt(result: str, failed_so_far: int, now: datetime) -> TaskChange | None:
    """The task's new state after an attempt with ``result``; None: unchanged.

    ``failed_so_far`` counts the earlier not-reached attempts. An answered call leaves
    the task open: the questionnaire's outcome completes it.
    """
    if result not in NOT_REACHED:
        return None
    failed = failed_so_far + 1
    if failed >= MAX_FAILED_ATTEMPTS:
        return TaskChange("unreachable", failed, None, send_sms=True)
    return TaskChange("call_again", failed, now + RETRY_AFTER, send_sms=False)
