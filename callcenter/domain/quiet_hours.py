"""SMS quiet hours: the part of each day (in the center's time zone) when no SMS goes
to a customer (docs/greetings.md). The hours may span midnight (21:00-08:00, the
default) or not (12:00-13:30)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")

    def until(self, now: datetime) -> datetime | None:
        """The end of the quiet hours ``now`` (aware) is in, or None outside them."""
        local = now.astimezone(self.tz)
        clock = local.time().replace(tzinfo=None)
        spans_midnight = self.start > self.end
        if spans_midnight:
            quiet = clock >= self.start or clock < self.end
        else:
            quiet = self.start <= clock < self.end
        if not quiet:
            return None
        end_day = local.date()
        if spans_midnight and clock >= self.start:
            end_day += timedelta(days=1)
        return datetime.combine(end_day, self.end, self.tz)
