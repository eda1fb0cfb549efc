"""Queue statistics from Asterisk's queue_log, as pure functions (docs/queue_statistics.md
states every formula).

A caller counts once, when they leave the queue, in the bucket (day, hour, queue or
agent) of that line: CONNECT (answered by the line's agent), ABANDON (hung up waiting),
EXITWITHTIMEOUT, EXITEMPTY or EXITWITHKEY (left unanswered otherwise). The wait is the
one Asterisk wrote on that line; the talk time is on the line that ends the
conversation (COMPLETEAGENT, COMPLETECALLER, or a transfer), counted in that line's
bucket. With thresholds T (service level) and S (short abandon):

- offered: callers who left the queue; answered: CONNECT lines;
- short_abandoned: ABANDON with a wait < S; abandoned: the other ABANDONs (the short
  ones are counted apart, in neither abandoned nor the service level);
- service_level: answered with a wait <= T / (offered - short_abandoned), None when
  nothing counts;
- average_wait / longest_wait: over every caller who left (short abandons included);
- average_answer (speed of answer): the mean wait of the answered;
- average_talk: talk seconds / conversations ended.

The same sums come from PostgreSQL by bucket (db/queries/queue_statistics.sql):
``figures_from_sums`` turns either into the figures, so the formulas live here only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.rows import Row


class By(StrEnum):
    DAY = "day"
    HOUR = "hour"
    QUEUE = "queue"
    AGENT = "agent"


@dataclass(frozen=True, slots=True)
class Thresholds:
    service_level_seconds: int = 20
    short_abandon_seconds: int = 5


# event -> the data field (1-based) holding the caller's wait
WAIT_FIELD = {"CONNECT": 1, "ABANDON": 3, "EXITWITHTIMEOUT": 3, "EXITEMPTY": 3,
              "EXITWITHKEY": 4}
# event -> the data field holding the talk seconds of a conversation that ended
TALK_FIELD = {"COMPLETEAGENT": 2, "COMPLETECALLER": 2, "TRANSFER": 4, "BLINDTRANSFER": 4,
              "ATTENDEDTRANSFER": 4}
# what Asterisk writes as the agent of a line no agent took part in
NO_AGENT = "NONE"
_DIGITS = re.compile(r"^[0-9]{1,9}$")  # what the SQL casts too (an int)
_EPOCH = re.compile(r"^[0-9]{1,12}$")
_EXTENSION = re.compile(r"^(?:PJSIP|SIP|Local)/([0-9]{2,8})(?:[@;].*)?$")


@dataclass(frozen=True, slots=True)
class QueueLogLine:
    """One queue_log entry, as Asterisk writes it to the table or the file."""

    time: datetime
    callid: str
    queuename: str
    agent: str
    event: str
    data: tuple[str, str, str, str, str] = ("", "", "", "", "")

    def field(self, number: int) -> str:
        return self.data[number - 1]

    def seconds(self, table: dict[str, int]) -> int | None:
        """The whole seconds in this event's field of ``table`` (None: not this kind of
        line, or a field that is not a number)."""
        number = table.get(self.event)
        if number is None:
            return None
        value = self.field(number)
        return int(value) if _DIGITS.match(value) else None


def parse_file_line(line: str) -> QueueLogLine | None:
    """A line of Asterisk's queue_log file, ``epoch|callid|queue|agent|event|data...``
    (None for a line that is not one: cut short, or a garbled time)."""
    parts = line.rstrip("\r\n").split("|")
    if len(parts) < 5 or not _EPOCH.match(parts[0]):
        return None
    fields = parts[5:]
    # fields past the fifth stay in data5, as the table's trigger keeps them
    data = [*fields[:4], "|".join(fields[4:])] if len(fields) > 5 else fields
    data += [""] * (5 - len(data))
    return QueueLogLine(datetime.fromtimestamp(int(parts[0]), UTC), parts[1], parts[2],
                        parts[3], parts[4], (data[0], data[1], data[2], data[3], data[4]))


def agent_extension(agent: str) -> str | None:
    """The extension in a queue_log agent such as PJSIP/1001 (queues.conf
    log_membername_as_agent = no writes the member's interface)."""
    match = _EXTENSION.match(agent)
    return match[1] if match else None


@dataclass(slots=True)
class Sums:
    """What the figures of one bucket are computed from."""

    offered: int = 0
    answered: int = 0
    answered_within: int = 0  # answered with a wait <= T
    abandoned: int = 0  # ABANDON with a wait >= S
    short_abandoned: int = 0  # ABANDON with a wait < S
    wait_total: int = 0  # seconds, over every caller who left
    wait_longest: int | None = None
    answer_wait_total: int = 0  # seconds, over the answered
    talks: int = 0  # conversations ended
    talk_total: int = 0  # seconds

    @classmethod
    def from_row(cls, row: Row) -> Sums:
        """The sums of a row of db/queries/queue_statistics.sql (same column names)."""
        return cls(**{name: row[name] if row[name] is not None else default
                      for name, default in _SUM_DEFAULTS.items()})

    def add(self, line: QueueLogLine, thresholds: Thresholds) -> None:
        wait = line.seconds(WAIT_FIELD)
        if wait is not None:
            self.offered += 1
            self.wait_total += wait
            self.wait_longest = wait if self.wait_longest is None else max(
                self.wait_longest, wait)
            if line.event == "CONNECT":
                self.answered += 1
                self.answer_wait_total += wait
                if wait <= thresholds.service_level_seconds:
                    self.answered_within += 1
            elif line.event == "ABANDON":
                if wait < thresholds.short_abandon_seconds:
                    self.short_abandoned += 1
                else:
                    self.abandoned += 1
        talk = line.seconds(TALK_FIELD)
        if talk is not None:
            self.talks += 1
            self.talk_total += talk


_SUM_DEFAULTS: dict[str, Any] = {
    name: (None if name == "wait_longest" else 0)
    for name in Sums.__dataclass_fields__}


def bucket_key(by: By, tz: ZoneInfo) -> Callable[[QueueLogLine], Hashable]:
    """The bucket a line belongs to: its local day (2026-12-01) or hour
    (2026-12-01T09:00), its queue, or its agent (None for no agent)."""
    if by is By.DAY:
        return lambda line: line.time.astimezone(tz).date().isoformat()
    if by is By.HOUR:
        return lambda line: line.time.astimezone(tz).strftime("%Y-%m-%dT%H:00")
    if by is By.QUEUE:
        return lambda line: line.queuename
    return lambda line: None if line.agent in (NO_AGENT, "") else line.agent


@dataclass(slots=True)
class Buckets:
    """Sums by bucket, built line by line (what the SQL does by GROUP BY)."""

    key: Callable[[QueueLogLine], Hashable]
    thresholds: Thresholds
    sums: dict[Hashable, Sums] = field(default_factory=dict)

    def add_all(self, lines: Iterable[QueueLogLine]) -> Buckets:
        for line in lines:
            if line.event in WAIT_FIELD or line.event in TALK_FIELD:
                self.sums.setdefault(self.key(line), Sums()).add(line, self.thresholds)
        return self


def total(lines: Iterable[QueueLogLine], thresholds: Thresholds) -> Sums:
    sums = Sums()
    for line in lines:
        sums.add(line, thresholds)
    return sums


def _average(seconds: int, count: int) -> float | None:
    return round(seconds / count, 1) if count else None


def figures_from_sums(sums: Sums, thresholds: Thresholds) -> dict[str, Any]:
    """The figures of one bucket (the board's and the statistics page's shape)."""
    counted = sums.offered - sums.short_abandoned
    return {
        "offered": sums.offered,
        "answered": sums.answered,
        "abandoned": sums.abandoned,
        "short_abandoned": sums.short_abandoned,
        "service_level": round(sums.answered_within / counted, 4) if counted else None,
        "service_level_seconds": thresholds.service_level_seconds,
        "average_wait_seconds": _average(sums.wait_total, sums.offered),
        "longest_wait_seconds": sums.wait_longest,
        "average_talk_seconds": _average(sums.talk_total, sums.talks),
        "average_answer_seconds": _average(sums.answer_wait_total, sums.answered),
    }
