"""The satisfaction report for supervisors (docs/reports.md "Satisfaction"): the
answers of the follow-ups completed on a range of days (center's zone), per template
version and question, overall and by staff, department or month, as a plain dict (the
HTTP reply's shape) and as an xlsx workbook labelled in the reader's language.

One or two reads of migration 0015's summaries whatever the range's length; the
formulas are in ``domain/satisfaction.py``.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from callcenter.db.satisfaction import SatisfactionStore
from callcenter.domain.satisfaction import (
    SATISFACTION_KINDS,
    GroupSums,
    SatisfactionBy,
    TemplateInfo,
    department_of,
    group_figures,
    months_of,
    staff_key,
    with_changes,
)
from callcenter.errors import ValidationError
from callcenter.services.reports import check_range
from callcenter.services.workbooks import workbook

SATISFACTION_BUCKETS = tuple(b.value for b in SatisfactionBy)
DEPARTMENTS = ("sales", "service", "customer_service")


async def satisfaction(store: SatisfactionStore, start: date, end: date, kind: str | None,
                       by: str) -> dict[str, Any]:
    """The follow-ups completed on the days ``start``..``end`` (of one ``kind``, else
    of every kind with a questionnaire), and their breakdown ``by``."""
    check_range(start, end)
    if by not in SATISFACTION_BUCKETS:
        raise ValidationError(f"by must be one of {', '.join(SATISFACTION_BUCKETS)}",
                              field="by")
    if kind is not None and kind not in SATISFACTION_KINDS:
        raise ValidationError(f"kind must be one of {', '.join(SATISFACTION_KINDS)}",
                              field="kind")
    templates = await store.templates()
    whole, extra = await asyncio.gather(store.sums(start, end, kind, by_month=False),
                                        _by(store, start, end, kind, by, templates))
    total: GroupSums = whole.get("", {})
    rows: list[dict[str, Any]] = []
    if by == SatisfactionBy.DEPARTMENT:
        for department in DEPARTMENTS:
            part = {i: s for i, s in total.items()
                    if i in templates and department_of(templates[i].kind) == department}
            if part:
                rows.append({"department": department,
                             **group_figures(templates, part, named=False)})
    elif by == SatisfactionBy.STAFF:
        for staff, sums in extra.items():
            for department in DEPARTMENTS:
                part = {i: s for i, s in sums.items()
                        if i in templates and department_of(templates[i].kind) == department}
                if part:
                    rows.append({"staff": staff_key(staff), "department": department,
                                 **group_figures(templates, part, named=False)})
        rows.sort(key=lambda r: (DEPARTMENTS.index(r["department"]), r["staff"] is None,
                                 r["staff"] or ""))
    elif by == SatisfactionBy.MONTH:
        rows = with_changes([
            {"month": key, **group_figures(templates, extra.get(key, {}), named=False)}
            for key in (m.strftime("%Y-%m") for m in months_of(start, end))])
    return {"from": start.isoformat(), "to": end.isoformat(), "kind": kind, "by": by,
            "total": group_figures(templates, total), "rows": rows}


async def _by(store: SatisfactionStore, start: date, end: date, kind: str | None,
              by: str, templates: dict[int, TemplateInfo]) -> dict[str, GroupSums]:
    if by == SatisfactionBy.STAFF:
        return await store.staff_sums(start, end, kind, templates)
    if by == SatisfactionBy.MONTH:
        return await store.sums(start, end, kind, by_month=True)
    return {}


# -- export ---------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "sheet.questions": "各题得分", "sheet.templates": "问卷", "sheet.by": "分组",
        "range": "日期范围", "template": "问卷", "version": "版本", "question": "题号",
        "text": "题目", "max": "满分", "answered": "作答数", "mean": "平均分",
        "fraction": "得分率", "completed": "完成回访", "mean_score": "平均总分",
        "max_score": "总分满分", "satisfied": "满意", "dissatisfied": "不满意",
        "satisfied_rate": "满意率", "dissatisfied_rate": "不满意率",
        "score_percent": "得分率（%）", "strongest": "最强项", "weakest": "最弱项",
        "score": "{score}分", "mean_of": "{question} 平均分",
        "mean_change": "{question} 环比", "satisfied_rate_change": "满意率环比",
        "by.staff": "销售顾问 / 服务顾问", "by.department": "部门", "by.month": "月份",
        "department": "部门", "unknown": "未知",
        "department.sales": "销售部", "department.service": "售后服务部",
        "department.customer_service": "客服中心",
    },
    "en": {
        "sheet.questions": "Questions", "sheet.templates": "Questionnaires",
        "sheet.by": "Breakdown",
        "range": "Days", "template": "Questionnaire", "version": "Version",
        "question": "Question", "text": "Text", "max": "Max", "answered": "Answered",
        "mean": "Mean", "fraction": "Share of max", "completed": "Completed",
        "mean_score": "Mean total", "max_score": "Highest total", "satisfied": "Satisfied",
        "dissatisfied": "Dissatisfied", "satisfied_rate": "Satisfied rate",
        "dissatisfied_rate": "Dissatisfied rate", "score_percent": "Score (%)",
        "strongest": "Strongest", "weakest": "Weakest", "score": "{score} pts",
        "mean_of": "{question} mean", "mean_change": "{question} change",
        "satisfied_rate_change": "Satisfied rate change",
        "by.staff": "Salesperson / advisor", "by.department": "Department",
        "by.month": "Month", "department": "Department", "unknown": "Unknown",
        "department.sales": "Sales", "department.service": "After-sales service",
        "department.customer_service": "Customer service",
    },
}
TEMPLATE_COLUMNS = ("completed", "mean_score", "max_score", "satisfied", "dissatisfied",
                    "satisfied_rate", "dissatisfied_rate", "strongest", "weakest")


def satisfaction_xlsx(reply: dict[str, Any], locale: str) -> bytes:
    """Sheets: each question's figures and distribution; each template version's; and,
    unless ``by`` is question, a row per group and template with the questions' means."""
    labels = _LABELS.get(locale, _LABELS["zh-CN"])
    templates = reply["total"]["templates"]

    def title(template: dict[str, Any]) -> str:
        return template["title"].get(locale) or template["title"].get("zh-CN", "")

    top = max((q["max"] for t in templates for q in t["questions"]), default=10)
    questions: list[list[object]] = [
        [labels["range"], reply["from"], reply["to"]],
        [labels["template"], labels["version"], labels["question"], labels["text"],
         labels["max"], labels["answered"], labels["mean"], labels["fraction"],
         *(labels["score"].format(score=s) for s in range(top + 1))],
        *([title(t), t["version"], q["question"], q["text"].get(locale, ""), q["max"],
           q["answered"], q["mean"], q["fraction"],
           *(d["answers"] for d in q["distribution"] or ())]
          for t in templates for q in t["questions"]),
    ]
    summary: list[list[object]] = [
        [labels["template"], labels["version"], *(labels[c] for c in TEMPLATE_COLUMNS)],
        *([title(t), t["version"], *(t[c] for c in TEMPLATE_COLUMNS)] for t in templates),
    ]
    sheets = [(labels["sheet.questions"], questions), (labels["sheet.templates"], summary)]
    by = reply["by"]
    if by != SatisfactionBy.QUESTION:
        sheets.append((labels["sheet.by"], _by_rows(reply, labels, title)))
    return workbook(sheets)


def _by_rows(reply: dict[str, Any], labels: dict[str, str], title: Any) -> list[list[object]]:
    by = reply["by"]
    month = by == SatisfactionBy.MONTH
    widest = max((t for row in reply["rows"] for t in row["templates"]),
                 key=lambda t: len(t["questions"]), default=None)
    ids = [q["question"] for q in widest["questions"]] if widest else []
    head: list[object] = [labels[f"by.{by}"], labels["department"], labels["template"],
                          labels["version"], *(labels[c] for c in TEMPLATE_COLUMNS)]
    if month:
        head.append(labels["satisfied_rate_change"])
    for q in ids:
        head.append(labels["mean_of"].format(question=q))
        if month:
            head.append(labels["mean_change"].format(question=q))
    out: list[list[object]] = [[labels["range"], reply["from"], reply["to"]], head]
    for row in reply["rows"]:
        name = (row.get("staff") or labels["unknown"] if by == SatisfactionBy.STAFF
                else labels[f"department.{row['department']}"] if by == SatisfactionBy.DEPARTMENT
                else row["month"])
        for t in row["templates"]:
            line: list[object] = [name, labels[f"department.{t['department']}"], title(t),
                                  t["version"], *(t[c] for c in TEMPLATE_COLUMNS)]
            if month:
                line.append(t["satisfied_rate_change"])
            for q in t["questions"]:
                line.append(q["mean"])
                if month:
                    line.append(q["mean_change"])
            out.append(line)
    return out
