"""Scoring follow-up answers, the seeded templates, and the next maintenance date."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from callcenter.domain.questionnaires import (
    DISSATISFIED,
    SATISFIED,
    InvalidAnswers,
    InvalidTemplate,
    Template,
    next_maintenance_date,
    score_answers,
)
from callcenter.errors import ValidationError


def _template(n: int = 3, pass_score: int = 24) -> Template:
    questions = [{"id": f"q{i}", "text": {"zh-CN": f"问题{i}", "en": f"Q{i}"},
                  "max": 10, "floor": 6} for i in range(1, n + 1)]
    return Template.from_row({"id": 7, "kind": "sales", "title": {"zh-CN": "回访", "en": "F"},
                              "questions": questions, "pass_score": Decimal(pass_score)})


def _invalid(template: Template, answers: object) -> InvalidAnswers:
    with pytest.raises(InvalidAnswers) as caught:
        score_answers(template, answers)  # type: ignore[arg-type]
    return caught.value


def test_all_good_answers_are_satisfied() -> None:
    scored = score_answers(_template(), {"q1": 8, "q2": 8, "q3": 8})
    assert scored.score == Decimal(24)
    assert isinstance(scored.score, Decimal)
    assert scored.result == SATISFIED
    assert scored.below_floor == ()


def test_total_just_below_the_pass_score_is_dissatisfied() -> None:
    scored = score_answers(_template(), {"q1": 8, "q2": 8, "q3": 7})
    assert (scored.score, scored.result) == (Decimal(23), DISSATISFIED)
    assert scored.below_floor == ()


def test_one_answer_at_its_floor_is_dissatisfied_however_high_the_total() -> None:
    scored = score_answers(_template(pass_score=20), {"q1": 10, "q2": 6, "q3": 10})
    assert scored.result == DISSATISFIED
    assert scored.below_floor == ("q2",)
    # One point above the floor is fine.
    assert score_answers(_template(pass_score=20), {"q1": 10, "q2": 7, "q3": 10}).result \
        == SATISFIED


def test_range_ends_are_accepted() -> None:
    assert score_answers(_template(), {"q1": 10, "q2": 10, "q3": 10}).score == 30
    scored = score_answers(_template(), {"q1": 0, "q2": 0, "q3": 0})
    assert (scored.score, scored.below_floor) == (0, ("q1", "q2", "q3"))


def test_answers_are_left_exactly_as_given() -> None:
    answers = {"q1": 9, "q2": 8, "q3": 10}
    snapshot = json.dumps(answers)
    score_answers(_template(), answers)
    assert json.dumps(answers) == snapshot


@pytest.mark.parametrize(("answers", "question", "problem"), [
    ({"q1": 8, "q2": 8}, "q3", "missing"),
    ({"q1": 8, "q2": 8, "q3": 8, "q9": 5}, "q9", "not a question"),
    ({"q1": 8, "q2": 11, "q3": 8}, "q2", "0 to 10"),
    ({"q1": -1, "q2": 8, "q3": 8}, "q1", "0 to 10"),
    ({"q1": 8, "q2": 8, "q3": 8.0}, "q3", "whole number"),
    ({"q1": "8", "q2": 8, "q3": 8}, "q1", "whole number"),
    ({"q1": True, "q2": 8, "q3": 8}, "q1", "whole number"),
    ({"q1": None, "q2": 8, "q3": 8}, "q1", "whole number"),
])
def test_bad_answers_name_the_question(answers: dict, question: str, problem: str) -> None:
    error = _invalid(_template(), answers)
    assert error.error_id == "invalid_answers"
    assert isinstance(error, ValidationError) and error.http_status == 400
    assert error.details["question"] == question
    assert problem in error.details["problems"][question]


def test_every_problem_is_reported_at_once() -> None:
    error = _invalid(_template(), {"q1": 11, "extra": 1})
    assert set(error.details["problems"]) == {"q1", "q2", "q3", "extra"}
    assert error.details["question"] == "q1"


def test_answers_that_are_not_an_object_are_refused() -> None:
    assert _invalid(_template(), [8, 8, 8]).error_id == "invalid_answers"


@pytest.mark.parametrize("questions", [
    [],
    [{"id": "q1", "text": {}, "max": 10, "floor": 10}],
    [{"id": "q1", "text": {}, "max": 10, "floor": 6},
     {"id": "q1", "text": {}, "max": 10, "floor": 6}],
    [{"id": "q1", "text": {}, "max": "10", "floor": 6}],
])
def test_malformed_templates_are_refused(questions: list) -> None:
    with pytest.raises(InvalidTemplate):
        Template.from_row({"id": 1, "kind": "sales", "title": {}, "questions": questions,
                           "pass_score": 1})


def test_to_dict_is_the_api_shape_and_plain_json() -> None:
    body = _template().to_dict()
    assert set(body) == {"id", "kind", "title", "pass_score", "questions"}
    assert body["pass_score"] == 24.0
    assert body["questions"][0] == {"id": "q1", "text": {"zh-CN": "问题1", "en": "Q1"},
                                    "max": 10, "floor": 6}
    json.dumps(body)


def _seeded_templates() -> dict[str, Template]:
    """The templates of migration 0003, read the way PostgreSQL would read the literals."""
    sql = resources.files("callcenter.db").joinpath(
        "migrations", "0003_questionnaire_templates.sql").read_text(encoding="utf-8")
    rows = re.findall(r"\('(\w+)', 1,\s*\$json\$(.*?)\$json\$,\s*\$json\$(.*?)\$json\$,\s*(\d+)\)",
                      sql, re.DOTALL)
    return {kind: Template.from_row({"id": i, "kind": kind, "title": json.loads(title),
                                     "questions": json.loads(questions), "pass_score": score})
            for i, (kind, title, questions, score) in enumerate(rows, 1)}


def test_seeded_templates_are_complete_and_bilingual() -> None:
    templates = _seeded_templates()
    assert {k: len(t.questions) for k, t in templates.items()} == {
        "sales": 8, "service": 6, "complaint_check": 2}
    for template in templates.values():
        assert set(template.title) == {"zh-CN", "en"}
        assert [q["id"] for q in template.questions] == [
            f"q{i}" for i in range(1, len(template.questions) + 1)]
        for q in template.questions:
            assert set(q["text"]) == {"zh-CN", "en"} and all(q["text"].values())
            assert (q["max"], q["floor"]) == (10, 6)
        # All answers of 8 pass; one answer of 7 less does not.
        eights = {q["id"]: 8 for q in template.questions}
        assert score_answers(template, eights).result == SATISFIED
        assert score_answers(template, {**eights, "q1": 7}).result == DISSATISFIED


@pytest.mark.parametrize(("service", "expected"), [
    (date(2026, 1, 15), date(2026, 7, 15)),
    (date(2026, 8, 31), date(2027, 2, 28)),
    (date(2027, 8, 31), date(2028, 2, 29)),
    (date(2026, 12, 31), date(2027, 6, 30)),
    (date(2026, 7, 1), date(2027, 1, 1)),
])
def test_next_maintenance_is_six_months_later_clamped_to_month_end(
        service: date, expected: date) -> None:
    assert next_maintenance_date(service) == expected


def test_next_maintenance_with_another_interval() -> None:
    assert next_maintenance_date(date(2026, 1, 31), months=1) == date(2026, 2, 28)
    assert next_maintenance_date(date(2026, 1, 31), months=24) == date(2028, 1, 31)
    with pytest.raises(ValueError):
        next_maintenance_date(date(2026, 1, 31), months=0)
