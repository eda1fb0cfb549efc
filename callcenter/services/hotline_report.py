"""The hotline beside "calls and agents" (docs/reports.md): the queue's figures from
Asterisk's queue_log (services/queue_statistics.py, docs/queue_statistics.md) for the
same days, the range's total and each day's, and the export's sheet of them. They are
read from the queue's summary (migration 0022: a few rows a day, whatever the range),
not from queue_log's lines.

The calls report counts the calls the server recorded; these count what Asterisk's
queue saw (every caller who left the hotline queue: answered, abandoned, short
abandoned, other exits), so the two sit side by side rather than being added."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from callcenter.errors import ValidationError
from callcenter.services import queue_statistics
from callcenter.settings import Settings

COLUMNS = ("offered", "answered", "abandoned", "short_abandoned", "service_level",
           "average_wait_seconds", "longest_wait_seconds", "average_answer_seconds")


async def hotline(pool: asyncpg.Pool, settings: Settings, start: date, end: date
                  ) -> dict[str, Any]:
    """{"total": figures, "days": [{"bucket": day, **figures}]} (days with a caller)."""
    if end == date.max:  # its end, the next midnight, is past the calendar
        raise ValidationError(f"to must be before {date.max}", field="to")
    reply = await queue_statistics.figures(pool, settings, start, end, "day")
    return {"total": reply["total"], "days": reply["rows"]}


_LABELS = {
    "zh-CN": {"sheet": "热线队列", "day": "日期", "total": "合计", "offered": "进线",
              "answered": "接听", "abandoned": "放弃", "short_abandoned": "短时放弃",
              "service_level": "服务水平", "average_wait_seconds": "平均等待（秒）",
              "longest_wait_seconds": "最长等待（秒）",
              "average_answer_seconds": "平均应答（秒）"},
    "en": {"sheet": "Hotline", "day": "Day", "total": "Total", "offered": "Offered",
           "answered": "Answered", "abandoned": "Abandoned",
           "short_abandoned": "Short abandoned", "service_level": "Service level",
           "average_wait_seconds": "Avg. wait (s)", "longest_wait_seconds": "Longest wait (s)",
           "average_answer_seconds": "Avg. answer (s)"},
}


def hotline_sheet(section: dict[str, Any], locale: str) -> tuple[str, list[list[object]]]:
    """The hotline's sheet: a row per day, then the total (service level a fraction)."""
    labels = _LABELS.get(locale, _LABELS["zh-CN"])
    return labels["sheet"], [
        [labels["day"], *(labels[c] for c in COLUMNS)],
        *([row["bucket"], *(row[c] for c in COLUMNS)] for row in section["days"]),
        [labels["total"], *(section["total"][c] for c in COLUMNS)],
    ]
