"""The satisfaction report's formulas (domain/satisfaction.py), without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from callcenter.domain.satisfaction import (
    GroupSums,
    Question,
    TemplateInfo,
    department_of,
    group_figures,
    months_of,
    strongest_and_weakest,
    sum_groups,
    with_changes,
)

SALES = TemplateInfo(1, "sales", 1, {"en": "Sales"},
                     (Question("q1", {"en": "one"}, 10), Question("q2", {"en": "two"}, 5),
                      Question("q3", {"en": "three"}, 10)))
SERVICE = TemplateInfo(2, "service", 1, {"en": "Service"}, (Question("q1", {"en": "one"}, 10),))
TEMPLATES = {1: SALES, 2: SERVICE}


def test_the_months_a_range_touches() -> None:
    assert months_of(date(2025, 12, 31), date(2026, 1, 1)) == [date(2025, 12, 1),
                                                                date(2026, 1, 1)]


def test_strongest_and_weakest_by_share_of_the_max_ties_to_the_first_asked() -> None:
    questions = [{"question": "q1", "fraction": 0.8}, {"question": "q2", "fraction": 0.9},
                 {"question": "q3", "fraction": 0.9}, {"question": "q4", "fraction": None},
                 {"question": "q5", "fraction": 0.8}]
    assert strongest_and_weakest(questions) == ("q2", "q1")
    assert strongest_and_weakest([{"question": "q1", "fraction": None}]) == (None, None)


def _sums() -> dict[Any, GroupSums]:
    # (group, template, question, score, answers, score sum, satisfied)
    return sum_groups([
        ("", 1, "", None, 2, Decimal(39), 1),
        ("", 1, "q1", 10, 1, Decimal(10), 0), ("", 1, "q1", 6, 1, Decimal(6), 0),
        ("", 1, "q2", 5, 2, Decimal(10), 0),
        ("", 1, "q3", 7, 1, Decimal(7), 0), ("", 1, "q3", 6, 1, Decimal(6), 0),
        ("", 2, "", None, 1, Decimal(9), 1), ("", 2, "q1", 9, 1, Decimal(9), 0),
    ])


def test_means_distributions_rates_and_the_points_percent() -> None:
    group = group_figures(TEMPLATES, _sums()[""])
    assert (group["completed"], group["satisfied"], group["satisfied_rate"]) == (3, 2, 0.6667)
    assert group["score_percent"] == 80.0  # 48 of 2 x 25 + 10 points
    sales = group["templates"][0]
    assert (sales["mean_score"], sales["max_score"], sales["dissatisfied_rate"]) == (19.5, 25, 0.5)
    assert [(q["mean"], q["fraction"]) for q in sales["questions"]] == [
        (8.0, 0.8), (5.0, 1.0), (6.5, 0.65)]
    assert sales["questions"][1]["distribution"] == [
        {"score": s, "answers": 2 if s == 5 else 0} for s in range(6)]
    assert (sales["strongest"], sales["weakest"]) == ("q2", "q3")
    assert group["templates"][1]["department"] == "service"


def test_month_over_month_changes() -> None:
    def means(q1: float | None, q2: float | None) -> list[dict[str, Any]]:
        return [{"question": "q1", "mean": q1}, {"question": "q2", "mean": q2}]

    months = [{"satisfied_rate": 0.5, "templates": [
                  {"template_id": 1, "satisfied_rate": 0.5, "questions": means(8.0, None)}]},
              {"satisfied_rate": 0.75, "templates": [
                  {"template_id": 1, "satisfied_rate": 0.8, "questions": means(7.25, 4.0)},
                  {"template_id": 2, "satisfied_rate": 1.0, "questions": []}]}]
    first, second = with_changes(months)
    assert first["satisfied_rate_change"] is None
    assert first["templates"][0]["questions"][0]["mean_change"] is None
    assert second["satisfied_rate_change"] == 0.25
    assert second["templates"][0]["satisfied_rate_change"] == 0.3
    assert [q["mean_change"] for q in second["templates"][0]["questions"]] == [-0.75, None]
    assert second["templates"][1]["satisfied_rate_change"] is None


def test_departments() -> None:
    assert [department_of(k) for k in ("sales", "service", "maintenance_reminder",
                                       "complaint_check", "win_back")] == [
        "sales", "service", "service", "customer_service", "customer_service"]
