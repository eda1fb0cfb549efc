"""The reports' formulas without a database, and the one workbook writer every export
uses: formula-like texts come out as quoted text, everything else as it was."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from callcenter.domain.reports import (
    CallSums,
    FollowupSums,
    call_figures,
    followup_figures,
    ratio,
    score_percent,
)
from callcenter.services.workbooks import workbook


def test_nothing_to_divide_is_null_not_zero() -> None:
    empty = followup_figures(FollowupSums())
    assert [empty[k] for k in ("in_time_rate", "completion_rate", "reach_rate",
                               "attempts_per_completed")] == [None] * 4
    assert call_figures(CallSums())["average_talk_seconds"] is None
    assert score_percent(Decimal(0), Decimal(0)) is None
    assert ratio(1, 3) == 0.3333 and ratio(2, 3, 2) == 0.67


def test_a_total_is_the_figures_of_the_summed_sums() -> None:
    a = FollowupSums(due=3, in_time=3, completed_attempts=3, attempts=3, answered=3)
    b = FollowupSums(due=1, late=1, completed_attempts=5, attempts=5, answered=1)
    total = followup_figures(a + b)
    # not the mean of 100 % and 0 %: 3 of 4
    assert total["in_time_rate"] == 0.75
    assert total["completed"] == 4 and total["attempts_per_completed"] == 2.0
    assert total["reach_rate"] == 0.5


def test_talk_time_rounds_to_whole_seconds_and_its_average_to_tenths() -> None:
    figures = call_figures(CallSums(3, 2, Decimal("180.6"), 2, Decimal("90.5")))
    assert figures == {"calls": 3, "answered": 2, "answer_rate": 0.6667,
                       "talk_seconds": 181, "average_talk_seconds": 90.3,
                       "wrapped_up": 2, "wrap_up_seconds": 90,  # half to even
                       "average_wrap_up_seconds": 45.2}
    # scores by points: 72 + 64 of 80 each, 51 of 60
    assert score_percent(Decimal(187), Decimal(220)) == 85.0


def test_formula_like_texts_are_written_as_quoted_text() -> None:
    risky = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
    plain = ["a=b", "张伟", "", 12, -3, 0.25, None]
    book = load_workbook(io.BytesIO(workbook([("one", [risky, plain]), ("two", [["x"]])])))
    assert book.sheetnames == ["one", "two"]
    sheet = book["one"]
    for cell, text in zip(sheet[1], risky, strict=True):
        # XML keeps no carriage return: it reads back as a line feed
        assert (cell.value, cell.data_type, cell.quotePrefix) == (
            text.replace("\r", "\n"), "s", True)
    values = [cell.value for cell in sheet[2]]
    assert values[:2] == ["a=b", "张伟"] and values[3:6] == [12, -3, 0.25]
    assert not any(cell.quotePrefix for cell in sheet[2])
