"""The satisfaction report's summaries in PostgreSQL (migration 0015), read over a range
of days, and the questionnaire versions they name (docs/reports.md "Satisfaction")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.satisfaction import (
    GroupSums,
    Question,
    TemplateInfo,
    sum_groups,
    sum_staff,
)

Q = load_queries("satisfaction")


def _groups(rows: list[asyncpg.Record]) -> dict[Any, GroupSums]:
    return sum_groups((row["bucket"], row["template_id"], row["question"], row["score"],
                       row["answers"], Decimal(row["score_sum"]), row["satisfied"])
                      for row in rows)


def _minus(through_end: list[int], before_start: list[int] | None) -> list[int]:
    """A range's array: the running totals at its end less those before its start."""
    if before_start is None:
        return through_end
    return [a - b for a, b in zip(through_end, before_start, strict=True)]


class SatisfactionStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def sums(self, start: date, end: date, kind: str | None, by_month: bool
                   ) -> dict[str, GroupSums]:
        """Each month's sums ('YYYY-MM') when ``by_month``, else the range's (key '')."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["sums"], start, end, kind,
                                          "month" if by_month else "")
        return _groups(rows)

    async def staff_sums(self, start: date, end: date, kind: str | None,
                         templates: dict[int, TemplateInfo]) -> dict[str, GroupSums]:
        """Each staff member's sums ('' unknown) over the days, without the
        distributions."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["staff_sums"], start, end, kind)
        return sum_staff(((row["staff"], row["template_id"], row["completed"],
                           Decimal(row["score_sum"]), row["satisfied"],
                           _minus(row["answers"], row["answers_before"]),
                           _minus(row["answer_sums"], row["answer_sums_before"]))
                          for row in rows), templates)

    async def templates(self) -> dict[int, TemplateInfo]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["templates"])
        return {row["id"]: TemplateInfo(
                    row["id"], row["kind"], row["version"], dict(row["title"]),
                    tuple(Question(q["id"], dict(q["text"]), int(q["max"]))
                          for q in row["questions"]))
                for row in rows}
