"""An abandoned caller on the supervisors' list of callers to call back.

One entry per caller number: the abandoned inbound calls of that number today, while
none of its later calls (an inbound one an agent answered, an outbound one it
answered) has reached it. docs/calls.md, "Abandoned callers".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AbandonedCaller:
    phone: str  # E.164
    customer_id: int | None  # the customer the latest of its calls was matched to
    customer_name: str | None
    abandoned_count: int
    last_abandoned_at: datetime  # the latest abandoned call's hang-up
    longest_wait_seconds: int  # arrival to hang-up, the longest of its calls
    ivr_choice: str | None  # the latest choice made in the IVR
    call_ids: tuple[int, ...]  # its abandoned calls, the latest first

    @property
    def call_id(self) -> int:
        """The latest abandoned call: the one a call back answers."""
        return self.call_ids[0]

    def to_dict(self) -> dict[str, Any]:
        return {"phone": self.phone, "customer_id": self.customer_id,
                "customer_name": self.customer_name,
                "abandoned_count": self.abandoned_count,
                "last_abandoned_at": self.last_abandoned_at.isoformat(),
                "longest_wait_seconds": self.longest_wait_seconds,
                "ivr_choice": self.ivr_choice, "call_id": self.call_id,
                "call_ids": list(self.call_ids)}
