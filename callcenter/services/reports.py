"""Management reports for supervisors (docs/reports.md): follow-up completion, and calls
and agents, over a range of days in the center's time zone, as plain dicts (the HTTP
replies' shape) and as xlsx workbooks labelled in the reader's language.

Each report is one or two reads of the day summaries that PostgreSQL keeps as rows
change (migration 0014), whatever the range's length; the formulas are in
``domain/reports.py``.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

from callcenter.db.reports import CallBreakdown, ReportStore
from callcenter.domain.queue_statistics import agent_extension
from callcenter.domain.reports import (
    DIRECTIONS,
    FOLLOWUP_KINDS,
    MAX_DAYS,
    CallSums,
    FollowupBy,
    FollowupSums,
    call_figures,
    days_in_range,
    followup_figures,
    score_percent,
)
from callcenter.errors import ValidationError
from callcenter.services.hotline_report import hotline_sheet
from callcenter.services.workbooks import workbook

FOLLOWUP_BUCKETS = tuple(b.value for b in FollowupBy)
CALL_BREAKDOWNS = ("direction", "category", "disposition", "hour", "weekday")


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationError("the range ends before it starts", field="to")
    if days_in_range(start, end) > MAX_DAYS:
        raise ValidationError(f"at most {MAX_DAYS} days at a time", field="to")


async def align_zone(store: ReportStore, zone: str) -> bool:
    """Count the summaries' days in the server's zone (a rebuild when it changed)."""
    return await store.set_zone(zone)


async def agent_choices(store: ReportStore) -> list[dict[str, Any]]:
    return [{"id": user_id, "name": name} for user_id, name in await store.agents()]


# -- follow-up completion -------------------------------------------------------------

async def followup_completion(store: ReportStore, start: date, end: date, by: str,
                              kind: str | None, agent_id: int | None,
                              today: date) -> dict[str, Any]:
    """Tasks due on the days ``start``..``end`` and attempts made on them, by ``by``;
    ``kind`` and ``agent_id`` (0: nobody's) narrow both."""
    check_range(start, end)
    if by not in FOLLOWUP_BUCKETS:
        raise ValidationError(f"by must be one of {', '.join(FOLLOWUP_BUCKETS)}", field="by")
    if kind is not None and kind not in FOLLOWUP_KINDS:
        raise ValidationError(f"kind must be one of {', '.join(FOLLOWUP_KINDS)}", field="kind")
    buckets = await store.followup_sums(start, end, by, kind, agent_id, today)
    total = sum((sums for _, sums in buckets), FollowupSums())
    rows = [{"bucket": bucket, **followup_figures(sums)} for bucket, sums in buckets]
    if by == FollowupBy.AGENT:
        names = await store.names_of(int(row["bucket"]) for row in rows)
        for row in rows:
            user_id = int(row["bucket"]) or None
            row["bucket"] = user_id
            row["agent_name"] = names.get(user_id) if user_id else None
        rows.sort(key=lambda row: (row["agent_name"] is None, row["agent_name"] or "",
                                   row["bucket"] or 0))
    return {"from": start.isoformat(), "to": end.isoformat(), "by": by,
            "kind": kind, "agent_id": agent_id, "rows": rows,
            "total": followup_figures(total)}


# -- calls and agents -----------------------------------------------------------------

def _breakdown(sums: CallBreakdown, dimension: str, values: tuple[str, ...] = ()
               ) -> list[dict[str, Any]]:
    """The figures of each value of ``dimension`` present, or of each of ``values`` (the
    hours, the weekdays: zeros included so the chart has every one)."""
    found = {value: s for (dim, value), s in sums.items() if dim == dimension}
    keys = values or tuple(sorted(found))
    return [{"value": None if key == "none" else key, **call_figures(found.get(key, CallSums()))}
            for key in keys]


async def calls_and_agents(store: ReportStore, start: date, end: date,
                           direction: str | None) -> dict[str, Any]:
    """Ended calls that started on the days ``start``..``end`` (of one ``direction``),
    by direction, category, disposition, hour of day and weekday; each agent's calls,
    talk and wrap-up time, the follow-ups they completed on those days with their average
    score, and the pauses they began on those days by reason (whatever the direction)."""
    check_range(start, end)
    if direction is not None and direction not in DIRECTIONS:
        raise ValidationError(f"direction must be one of {', '.join(DIRECTIONS)}",
                              field="direction")
    # three reads of three summaries, side by side on the pool's connections
    sums, completions, pauses = await asyncio.gather(
        store.call_sums(start, end, direction), store.completion_sums(start, end),
        _pauses_by_agent(store, start, end))
    total = sum((s for (dim, _), s in sums.items() if dim == "direction"), CallSums())
    by: dict[str, list[dict[str, Any]]] = {
        "direction": _breakdown(sums, "direction"),
        "category": _breakdown(sums, "category"),
        "disposition": _breakdown(sums, "disposition"),
        "hour": [{**row, "value": int(row["value"])}
                 for row in _breakdown(sums, "hour", tuple(str(h) for h in range(24)))],
        "weekday": [{**row, "value": int(row["value"])}
                    for row in _breakdown(sums, "weekday", tuple(str(d) for d in range(1, 8)))],
    }
    agent_calls = {int(value): s for (dim, value), s in sums.items() if dim == "agent"}
    ids = set(agent_calls) | set(completions) | {i for i in pauses if isinstance(i, int)}
    names = await store.names_of(i for i in ids if i)
    nothing = (0, Decimal(0), Decimal(0))
    agents = []
    # a user (0: the calls without one), or a queue member no user is known for
    keys: list[int | str] = [*ids, *(m for m in pauses if isinstance(m, str))]
    for key in keys:
        user_id = key if isinstance(key, int) else None
        done, score_sum, score_max = nothing if user_id is None else \
            completions.get(user_id, nothing)
        reasons = pauses.get(key, [])
        agents.append({"agent_id": user_id or None,
                       "agent_name": key if isinstance(key, str) else names.get(key),
                       **call_figures(CallSums() if user_id is None else
                                      agent_calls.get(user_id, CallSums())),
                       "followups_completed": done,
                       "average_score_percent": score_percent(score_sum, score_max),
                       "pause_seconds": sum(r["seconds"] for r in reasons),
                       "pauses": reasons})
    agents.sort(key=lambda a: (a["agent_id"] is None, -a["calls"], a["agent_name"] or "",
                               a["agent_id"] or 0))
    return {"from": start.isoformat(), "to": end.isoformat(), "direction": direction,
            "total": call_figures(total), "by": by, "agents": agents}


async def _pauses_by_agent(store: ReportStore, start: date, end: date
                           ) -> dict[int | str, list[dict[str, Any]]]:
    """The pauses begun on those days, by reason, for each user (by the extension in the
    member's interface, PJSIP/1001, as the server adds agents to the queue), or under the
    member's name as queue_log has it when no user has that extension (an agent added
    under their display name before, docs/queue_statistics.md)."""
    rows = await store.pause_sums(start, end)
    extensions = {member: agent_extension(member) for member, *_ in rows}
    users = await store.users_of_extensions({e for e in extensions.values() if e})
    out: dict[int | str, list[dict[str, Any]]] = {}
    for member, reason, count, seconds in rows:
        extension = extensions[member]
        key: int | str = users.get(extension, member) if extension else member
        out.setdefault(key, []).append({"reason": reason or None, "pauses": count,
                                        "seconds": int(seconds.to_integral_value())})
    return out


# -- exports --------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "sheet.followups": "回访完成", "sheet.calls": "通话", "sheet.agents": "坐席",
        "range": "日期范围", "total": "合计", "none": "无", "nobody": "未分配",
        "by.week": "周（周一）", "by.month": "月份", "by.kind": "回访类型", "by.agent": "坐席",
        "due": "应回访", "completed": "已完成", "in_time": "按时完成", "late": "逾期完成",
        "unreachable": "无法联系", "sms": "改发短信", "pending": "未完成",
        "overdue": "已逾期未完成", "in_time_rate": "按时完成率",
        "completion_rate": "完成率", "attempts": "拨打次数", "answered": "接通次数",
        "reach_rate": "接通率", "attempts_per_completed": "每完成一单拨打次数",
        "dimension": "维度", "value": "值", "calls": "通话数", "answer_rate": "接通率",
        "talk_seconds": "通话时长（秒）", "average_talk_seconds": "平均通话（秒）",
        "agent": "坐席", "followups_completed": "完成回访", "wrapped_up": "已话后处理",
        "wrap_up_seconds": "话后处理时长（秒）", "average_wrap_up_seconds": "平均话后处理（秒）",
        "average_score_percent": "回访平均得分（%）", "pause_seconds": "示忙时长（秒）",
        "sheet.pauses": "示忙", "reason": "原因", "pauses": "示忙次数",
        "dim.direction": "方向", "dim.category": "类别", "dim.disposition": "结果",
        "dim.hour": "时段（点）", "dim.weekday": "星期",
    },
    "en": {
        "sheet.followups": "Follow-up completion", "sheet.calls": "Calls",
        "sheet.agents": "Agents",
        "range": "Days", "total": "Total", "none": "None", "nobody": "Unassigned",
        "by.week": "Week (Monday)", "by.month": "Month", "by.kind": "Kind", "by.agent": "Agent",
        "due": "Due", "completed": "Completed", "in_time": "Done in time", "late": "Done late",
        "unreachable": "Unreachable", "sms": "SMS instead", "pending": "Not done",
        "overdue": "Overdue", "in_time_rate": "In-time rate",
        "completion_rate": "Completion rate", "attempts": "Attempts",
        "answered": "Answered", "reach_rate": "Reach rate",
        "attempts_per_completed": "Attempts per completed",
        "dimension": "Breakdown", "value": "Value", "calls": "Calls",
        "answer_rate": "Answer rate", "talk_seconds": "Talk (s)",
        "average_talk_seconds": "Avg. talk (s)", "agent": "Agent",
        "wrapped_up": "Wrapped up", "wrap_up_seconds": "Wrap-up (s)",
        "average_wrap_up_seconds": "Avg. wrap-up (s)",
        "followups_completed": "Follow-ups completed",
        "average_score_percent": "Avg. follow-up score (%)", "pause_seconds": "Paused (s)",
        "sheet.pauses": "Pauses", "reason": "Reason", "pauses": "Pauses",
        "dim.direction": "Direction", "dim.category": "Category",
        "dim.disposition": "Disposition", "dim.hour": "Hour", "dim.weekday": "Weekday",
    },
}
FOLLOWUP_COLUMNS = ("due", "completed", "in_time", "late", "unreachable", "sms", "pending",
                    "overdue", "in_time_rate", "completion_rate", "attempts", "answered",
                    "reach_rate", "attempts_per_completed")
CALL_COLUMNS = ("calls", "answered", "answer_rate", "talk_seconds", "average_talk_seconds",
                "wrapped_up", "wrap_up_seconds", "average_wrap_up_seconds")


def _labels(locale: str) -> dict[str, str]:
    return _LABELS.get(locale, _LABELS["zh-CN"])


def followup_xlsx(reply: dict[str, Any], locale: str) -> bytes:
    """The report's table: a row per bucket, then the total; rates as fractions."""
    labels = _labels(locale)
    by = reply["by"]

    def name(row: dict[str, Any]) -> object:
        if by == FollowupBy.AGENT:
            return row["agent_name"] or (labels["nobody"] if row["bucket"] is None
                                         else row["bucket"])
        return row["bucket"]

    rows: list[list[object]] = [
        [labels["range"], reply["from"], reply["to"]],
        [labels[f"by.{by}"], *(labels[c] for c in FOLLOWUP_COLUMNS)],
        *([name(row), *(row[c] for c in FOLLOWUP_COLUMNS)] for row in reply["rows"]),
        [labels["total"], *(reply["total"][c] for c in FOLLOWUP_COLUMNS)],
    ]
    return workbook([(labels["sheet.followups"], rows)])


def calls_xlsx(reply: dict[str, Any], locale: str) -> bytes:
    """Two sheets: every breakdown of the calls (and their total), and the agents."""
    labels = _labels(locale)
    calls: list[list[object]] = [
        [labels["range"], reply["from"], reply["to"]],
        [labels["dimension"], labels["value"], *(labels[c] for c in CALL_COLUMNS)],
        [labels["total"], "", *(reply["total"][c] for c in CALL_COLUMNS)],
    ]
    for dimension in CALL_BREAKDOWNS:
        for row in reply["by"][dimension]:
            value = labels["none"] if row["value"] is None else row["value"]
            calls.append([labels[f"dim.{dimension}"], value,
                          *(row[c] for c in CALL_COLUMNS)])
    agent_columns = (*CALL_COLUMNS, "followups_completed", "average_score_percent",
                     "pause_seconds")
    agents: list[list[object]] = [
        [labels["agent"], *(labels[c] for c in agent_columns)],
        *([row["agent_name"] or labels["nobody"], *(row[c] for c in agent_columns)]
          for row in reply["agents"]),
    ]
    pauses: list[list[object]] = [
        [labels["agent"], labels["reason"], labels["pauses"], labels["pause_seconds"]],
        *([row["agent_name"] or labels["nobody"], pause["reason"] or labels["none"],
           pause["pauses"], pause["seconds"]]
          for row in reply["agents"] for pause in row["pauses"]),
    ]
    return workbook([(labels["sheet.calls"], calls), (labels["sheet.agents"], agents),
                     (labels["sheet.pauses"], pauses),
                     *([hotline_sheet(reply["hotline"], locale)] if "hotline" in reply else [])])
