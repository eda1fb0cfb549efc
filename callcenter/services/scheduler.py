"""The daily scheduler: each rule's work made exactly once per day of the center's zone.

Contract for rules (docs/scheduler.md): a ``Rule`` has a stable ``name`` (its key in the
run log) and ``run(conn, day)``, which makes the day's work for ``day`` and returns how
many items it made. It is called inside a transaction the scheduler opened and must not
commit or open its own; it must be idempotent by itself too (unique keys), so a day done
twice by mistake still makes nothing new.

For each day still owed (domain/scheduler.py: from the day after the rule's last one, or
today on a fresh database, at most ``catch_up_days`` back) and each rule in order, one
transaction claims the ledger row (rule, day), runs the rule and finishes the row
(db/scheduler.py). Exactly once across restarts and servers comes from the ledger's
primary key; the rule's advisory lock makes a second server wait and then skip instead
of doing the work and rolling back. A failing rule is logged in the run log, its later
days wait, the other rules go on; the next wake retries it.

It runs at start, then each day from ``run_at`` (center time), woken every minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Protocol, cast
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.scheduler import RunLedger
from callcenter.domain.scheduler import catch_up_start, due_through, owed_days

log = logging.getLogger(__name__)

WAKE_SECONDS = 60.0


class Rule(Protocol):
    @property
    def name(self) -> str:
        """Stable key in the run log: "maintenance_reminder", "win_back", ... (read-only:
        a frozen dataclass's field or a class attribute)."""
        ...

    async def run(self, conn: asyncpg.Connection, day: date) -> int:
        """Make the day's work for ``day`` (a day of the center's zone); return how many
        items it made. Called inside a transaction the scheduler opened; must not commit
        or open its own; must be idempotent by itself too (unique keys)."""
        ...


@dataclass(frozen=True, slots=True)
class RunResult:
    rule: str
    day: date
    made: int | None  # None: another server had done it
    error: str | None = None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    def __init__(self, ledger: RunLedger, rules: Sequence[Rule], tz: ZoneInfo, *,
                 run_at: time = time(2, 0), catch_up_days: int = 14,
                 now: Callable[[], datetime] = _utc_now) -> None:
        names = [rule.name for rule in rules]
        if len(set(names)) != len(names):
            raise ValueError(f"two scheduler rules share a name: {names}")
        self._ledger = ledger
        self._rules = list(rules)
        self._tz = tz
        self._run_at = run_at
        self._catch_up_days = catch_up_days
        self._now = now
        self._at_start = True
        self._done_through: date | None = None

    async def wake(self) -> list[RunResult]:
        """The minute's check: the days now due, unless this server already did them."""
        through = due_through(self._now().astimezone(self._tz), self._run_at, self._at_start)
        if self._done_through is not None and through <= self._done_through:
            return []
        results = await self.run_through(through)
        self._at_start = False
        if all(r.error is None for r in results):
            self._done_through = through
        return results

    async def run_through(self, through: date) -> list[RunResult]:
        """Every owed day up to ``through``, day by day, each rule in order."""
        owed: dict[str, list[date]] = {}
        for rule in self._rules:
            start = catch_up_start(await self._ledger.first_tried(rule.name), through,
                                   self._catch_up_days)
            finished = await self._ledger.finished_days(rule.name, start, through)
            owed[rule.name] = owed_days(start, through, finished)
        results: list[RunResult] = []
        failed: set[str] = set()
        for day in sorted({d for days in owed.values() for d in days}):
            for rule in self._rules:
                if day in owed[rule.name] and rule.name not in failed:
                    result = await self._run(rule, day)
                    results.append(result)
                    if result.error is not None:
                        failed.add(rule.name)  # its later days wait for the retry
        return results

    async def _run(self, rule: Rule, day: date) -> RunResult:
        async def work(conn: Connection) -> int:
            return await rule.run(cast(asyncpg.Connection, conn), day)

        try:
            made = await self._ledger.run_once(rule.name, day, work, self._now)
        except Exception as exc:  # any rule's bug: logged, retried, the others go on
            log.exception("scheduler rule %s failed for %s", rule.name, day)
            error = f"{type(exc).__name__}: {exc}"
            await self._ledger.record_failure(rule.name, day, error, self._now())
            return RunResult(rule.name, day, None, error)
        if made is not None:
            log.info("scheduler rule %s made %d for %s", rule.name, made, day)
        return RunResult(rule.name, day, made)
