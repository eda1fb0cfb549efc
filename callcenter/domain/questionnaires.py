"""Follow-up questionnaires: templates, scoring answers, and the next maintenance date.

The scoring rule (DESIGN.md section 2, docs/followups.md): every question is answered with
a whole number from 0 to its ``max``. The score is the sum of the answers. The result is
``dissatisfied`` when the total is below the template's ``pass_score`` or when any single
answer is at or below its question's ``floor`` - one very poor answer is a complaint even
if the rest of the call went well - and ``satisfied`` otherwise.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeGuard

from callcenter.domain.rows import Row
from callcenter.errors import CallcenterError, ValidationError

SATISFIED = "satisfied"
DISSATISFIED = "dissatisfied"
MAINTENANCE_INTERVAL_MONTHS = 6


class InvalidAnswers(ValidationError):
    error_id = "invalid_answers"


class InvalidTemplate(CallcenterError):
    """A stored template that cannot score anything: a data error, not the agent's."""

    error_id = "invalid_template"


@dataclass(frozen=True, slots=True)
class Template:
    id: int
    kind: str
    title: Mapping[str, str]  # {"zh-CN": ..., "en": ...}
    # Each {"id": "q1", "text": {"zh-CN", "en"}, "max": 10, "floor": 6}, in asking order.
    questions: tuple[Mapping[str, Any], ...]
    pass_score: Decimal

    @classmethod
    def from_row(cls, row: Row) -> Template:
        """From a ``questionnaire_templates`` row (jsonb columns already decoded)."""
        questions = tuple(row["questions"])
        _check_questions(row["id"], questions)
        return cls(row["id"], row["kind"], dict(row["title"]), questions,
                   Decimal(str(row["pass_score"])))

    def to_dict(self) -> dict[str, Any]:
        """The API's ``Template`` (docs/api.md)."""
        return {"id": self.id, "kind": self.kind, "title": dict(self.title),
                "pass_score": float(self.pass_score),
                "questions": [dict(q) for q in self.questions]}


def _check_questions(template_id: int, questions: Sequence[Any]) -> None:
    seen = set()
    for q in questions:
        ok = (isinstance(q, Mapping) and isinstance(q.get("id"), str)
              and isinstance(q.get("text"), Mapping) and _is_int(q.get("max"))
              and _is_int(q.get("floor")) and 0 <= q["floor"] < q["max"])
        if not ok or q["id"] in seen:
            raise InvalidTemplate(f"questionnaire template {template_id} has a malformed "
                                  f"question: {q!r}", template_id=template_id)
        seen.add(q["id"])
    if not seen:
        raise InvalidTemplate(f"questionnaire template {template_id} has no questions",
                              template_id=template_id)


@dataclass(frozen=True, slots=True)
class Scored:
    score: Decimal
    result: str  # SATISFIED or DISSATISFIED
    below_floor: tuple[str, ...]  # ids of the questions answered at or below their floor


def _is_int(value: object) -> TypeGuard[int]:
    # bool is an int subclass, but True is not an answer of 1.
    return isinstance(value, int) and not isinstance(value, bool)


def score_answers(template: Template, answers: Mapping[str, object]) -> Scored:
    """Score a full set of answers; InvalidAnswers names every question that is wrong.

    ``answers`` is only read: the caller stores exactly what the customer said.
    """
    if not isinstance(answers, Mapping):
        raise InvalidAnswers("answers must be an object of question id to score")
    problems: dict[str, str] = {}
    scores: dict[str, int] = {}
    for q in template.questions:
        if q["id"] not in answers:
            problems[q["id"]] = "missing"
        elif not _is_int(value := answers[q["id"]]):
            problems[q["id"]] = "not a whole number"
        elif not 0 <= value <= q["max"]:
            problems[q["id"]] = f"must be 0 to {q['max']}"
        else:
            scores[q["id"]] = value
    known = {q["id"] for q in template.questions}
    for key in sorted(map(str, answers)):
        if key not in known:
            problems[key] = "not a question of this questionnaire"
    if problems:
        first = next(iter(problems))
        raise InvalidAnswers(f"answer to {first}: {problems[first]}", question=first,
                             problems=problems)
    total = Decimal(sum(scores.values()))
    low = tuple(q["id"] for q in template.questions if scores[q["id"]] <= q["floor"])
    result = DISSATISFIED if low or total < template.pass_score else SATISFIED
    return Scored(total, result, low)


def next_maintenance_date(service_date: date,
                          months: int = MAINTENANCE_INTERVAL_MONTHS) -> date:
    """The next regular maintenance: ``months`` calendar months after a service.

    A day that the target month lacks is clamped to its last day (31 August -> 28 or 29
    February), so the reminder never slips into the month after.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    month_index = service_date.month - 1 + months
    year, month = service_date.year + month_index // 12, month_index % 12 + 1
    day = min(service_date.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)
