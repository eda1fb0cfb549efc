"""The satisfaction report's formulas (docs/reports.md "Satisfaction"), from the sums
that migration 0015's summaries keep per day (running totals for the staff). Pure.

Figures are per template version (the questions the answers were given on): each
question's mean, distribution and answered count; the follow-ups completed, their mean
total, satisfied and dissatisfied counts and rates; the strongest and weakest question
(highest and lowest mean as a fraction of the question's maximum, ties to the question
asked first). A group (everything, a staff member, a department, a month) is a list of
those, with its own counts summed over its templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from callcenter.domain.reports import ratio


class SatisfactionBy(StrEnum):
    QUESTION = "question"
    STAFF = "staff"
    DEPARTMENT = "department"
    MONTH = "month"


SATISFACTION_KINDS = ("sales", "service")  # the filter; without it every questionnaire


def department_of(kind: str) -> str:
    """The department a follow-up kind evaluates: the showroom's sales, the workshop's
    after-sales service (service visits and maintenance reminders), else the center's
    own customer service (complaint checks and the other calls it makes)."""
    if kind == "sales":
        return "sales"
    if kind in ("service", "maintenance_reminder"):
        return "service"
    return "customer_service"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: Mapping[str, str]
    max: int


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    id: int
    kind: str
    version: int
    title: Mapping[str, str]
    questions: tuple[Question, ...]  # in asking order

    @property
    def max_score(self) -> int:
        return sum(q.max for q in self.questions)


@dataclass(slots=True)
class QuestionSums:
    answered: int = 0
    score_sum: Decimal = Decimal(0)
    distribution: dict[int, int] | None = None  # score value -> answers; None: not kept

    def add(self, answers: int, score_sum: Decimal, score: int | None = None) -> None:
        self.answered += answers
        self.score_sum += score_sum
        if score is not None:
            if self.distribution is None:
                self.distribution = {}
            self.distribution[score] = self.distribution.get(score, 0) + answers


@dataclass(slots=True)
class TemplateSums:
    """One template's sums within a group."""

    completed: int = 0
    score_sum: Decimal = Decimal(0)
    satisfied: int = 0
    questions: dict[str, QuestionSums] = field(default_factory=dict)

    def question(self, question_id: str) -> QuestionSums:
        return self.questions.setdefault(question_id, QuestionSums())


GroupSums = dict[int, TemplateSums]  # template id -> its sums


def _mean(total: Decimal, count: int) -> float | None:
    return ratio(total, count, 2)


def template_figures(info: TemplateInfo, sums: TemplateSums, named: bool = True
                     ) -> dict[str, Any]:
    """The version's figures; ``named``: with each question's text (a breakdown's rows
    leave it to the total's, which has every version of theirs)."""
    questions = []
    for q in info.questions:
        s = sums.questions.get(q.id, QuestionSums())
        mean = _mean(s.score_sum, s.answered)
        questions.append({
            "question": q.id, "text": dict(q.text) if named else None, "max": q.max,
            "answered": s.answered,
            "mean": mean, "fraction": ratio(s.score_sum, s.answered * q.max),
            "distribution": None if s.distribution is None else
            [{"score": score, "answers": s.distribution.get(score, 0)}
             for score in range(q.max + 1)]})
    strongest, weakest = strongest_and_weakest(questions)
    dissatisfied = sums.completed - sums.satisfied
    return {"template_id": info.id, "kind": info.kind, "version": info.version,
            "title": dict(info.title), "department": department_of(info.kind),
            "completed": sums.completed, "mean_score": _mean(sums.score_sum, sums.completed),
            "max_score": info.max_score, "satisfied": sums.satisfied,
            "dissatisfied": dissatisfied,
            "satisfied_rate": ratio(sums.satisfied, sums.completed),
            "dissatisfied_rate": ratio(dissatisfied, sums.completed),
            "questions": questions, "strongest": strongest, "weakest": weakest}


def strongest_and_weakest(questions: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The questions (ids) with the highest and the lowest mean as a fraction of their
    maximum, among those answered; a tie goes to the question asked first."""
    answered = [q for q in questions if q["fraction"] is not None]
    if not answered:
        return None, None
    # max() and min() keep the first of equals: the asking order breaks ties
    strongest = max(answered, key=lambda q: q["fraction"])
    weakest = min(answered, key=lambda q: q["fraction"])
    return strongest["question"], weakest["question"]


def group_figures(templates: Mapping[int, TemplateInfo], sums: GroupSums,
                  named: bool = True) -> dict[str, Any]:
    """A group's counts over its templates and each template's figures (in the order of
    their kind then version). ``score_percent``: the points scored out of those the
    questionnaires allow, in percent to 0.1, so sales (80) and service (60) weigh alike."""
    ids = sorted((i for i in sums if i in templates),
                 key=lambda i: (templates[i].kind, templates[i].version, i))
    completed = sum(sums[i].completed for i in ids)
    satisfied = sum(sums[i].satisfied for i in ids)
    scored = sum((sums[i].score_sum for i in ids), Decimal(0))
    allowed = sum(sums[i].completed * templates[i].max_score for i in ids)
    return {"completed": completed, "satisfied": satisfied,
            "dissatisfied": completed - satisfied,
            "satisfied_rate": ratio(satisfied, completed),
            "dissatisfied_rate": ratio(completed - satisfied, completed),
            "score_percent": ratio(scored * 100, allowed, 1),
            "templates": [template_figures(templates[i], sums[i], named) for i in ids]}


def _change(now: float | None, before: float | None, places: int) -> float | None:
    return None if now is None or before is None else round(now - before, places)


def with_changes(months: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Month over month: each month's satisfied rate and each question's mean against
    the month before (the same template's same question); null without both."""
    previous: dict[str, Any] | None = None
    for month in months:
        month["satisfied_rate_change"] = _change(
            month["satisfied_rate"], previous["satisfied_rate"] if previous else None, 4)
        before = {t["template_id"]: t for t in previous["templates"]} if previous else {}
        for template in month["templates"]:
            old = before.get(template["template_id"])
            template["satisfied_rate_change"] = _change(
                template["satisfied_rate"], old["satisfied_rate"] if old else None, 4)
            old_means = {q["question"]: q["mean"] for q in old["questions"]} if old else {}
            for q in template["questions"]:
                q["mean_change"] = _change(q["mean"], old_means.get(q["question"]), 2)
        previous = month
    return months


def months_of(start: date, end: date) -> list[date]:
    """The 1st of every month the days ``start``..``end`` touch."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def staff_key(staff: str) -> str | None:
    """The summaries' '' is a follow-up whose salesperson or advisor is not known."""
    return staff or None


StaffRow = tuple[str, int, int, Decimal, int, Sequence[int], Sequence[int]]


def sum_staff(rows: Iterable[StaffRow], templates: Mapping[int, TemplateInfo]
              ) -> dict[str, GroupSums]:
    """(staff, template, completed, score sum, satisfied, answers, answer sums) rows to
    each staff member's sums; the arrays follow the template's questions in order. A
    follow-up moved to another name leaves its old rows at zero: such a staff member,
    or template of theirs, is left out."""
    # plain lists first: a (staff, template) may come in several rows
    acc: dict[tuple[str, int], list[Any]] = {}
    for staff, template_id, completed, score_sum, satisfied, answers, answer_sums in rows:
        found = acc.get((staff, template_id))
        if found is None:
            acc[(staff, template_id)] = [completed, score_sum, satisfied, list(answers),
                                         list(answer_sums)]
            continue
        found[0] += completed
        found[1] += score_sum
        found[2] += satisfied
        found[3] = [a + b for a, b in zip(found[3], answers, strict=False)]
        found[4] = [a + b for a, b in zip(found[4], answer_sums, strict=False)]
    groups: dict[str, GroupSums] = {}
    for (staff, template_id), (completed, score_sum, satisfied, counts, totals) in acc.items():
        info = templates.get(template_id)
        if info is None or not completed:
            continue
        sums = TemplateSums(completed, score_sum, satisfied)
        for question, count, total in zip(info.questions, counts, totals, strict=False):
            if count:
                sums.questions[question.id] = QuestionSums(count, Decimal(total))
        groups.setdefault(staff, {})[template_id] = sums
    return groups


def sum_groups(rows: Iterable[tuple[Any, int, str, int | None, int, Decimal, int]]
               ) -> dict[Any, GroupSums]:
    """(group, template, question ('' the follow-up as a whole), score value or None,
    answers, score sum, satisfied) rows to each group's sums."""
    groups: dict[Any, GroupSums] = {}
    for group, template_id, question, score, answers, score_sum, satisfied in rows:
        sums = groups.setdefault(group, {}).setdefault(template_id, TemplateSums())
        if question:
            sums.question(question).add(answers, score_sum, score)
        else:
            sums.completed += answers
            sums.score_sum += score_sum
            sums.satisfied += satisfied
    return groups
