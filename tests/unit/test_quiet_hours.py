"""SMS quiet hours in the center's time zone, over midnight or within a day."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.quiet_hours import QuietHours

TZ = ZoneInfo("Asia/Shanghai")
NIGHT = QuietHours(time(21, 0), time(8, 0), TZ)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(("now", "until"), [
    (_at(1, 20, 59), None),
    (_at(1, 21, 0), _at(2, 8, 0)),
    (_at(1, 23, 30), _at(2, 8, 0)),
    (_at(2, 0, 0), _at(2, 8, 0)),
    (_at(2, 7, 59), _at(2, 8, 0)),
    (_at(2, 8, 0), None),
    (_at(2, 12, 0), None),
])
def test_night_quiet_hours(now: datetime, until: datetime | None) -> None:
    assert NIGHT.until(now) == until


def test_the_center_zone_decides_not_the_clock_zone() -> None:
    # 13:30 UTC is 21:30 in Shanghai.
    assert NIGHT.until(datetime(2026, 12, 1, 13, 30, tzinfo=UTC)) == _at(2, 8, 0)
    assert NIGHT.until(datetime(2026, 12, 1, 0, 30, tzinfo=UTC)) is None  # 08:30


def test_quiet_hours_within_a_day() -> None:
    lunch = QuietHours(time(12, 0), time(13, 30), TZ)
    assert lunch.until(_at(1, 11, 59)) is None
    assert lunch.until(_at(1, 12, 0)) == _at(1, 13, 30)
    assert lunch.until(_at(1, 13, 30)) is None
    with pytest.raises(ValueError):
        QuietHours(time(8, 0), time(8, 0), TZ)
