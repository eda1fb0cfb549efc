"""domain/queue_statistics: the formulas of docs/queue_statistics.md on queue_log lines
the sandbox's real Asterisk 22 wrote (tests/fixtures/queue_log/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.queue_statistics import (
    Buckets,
    By,
    QueueLogLine,
    Sums,
    Thresholds,
    agent_extension,
    bucket_key,
    figures_from_sums,
    parse_file_line,
    total,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "queue_log"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _lines(name: str) -> list[QueueLogLine]:
    parsed = [parse_file_line(raw) for raw in (FIXTURES / name).read_text().splitlines()]
    assert all(parsed), "every fixture line parses"
    return [line for line in parsed if line is not None]


def test_a_file_line_parses_into_the_tables_columns() -> None:
    line = parse_file_line("1796140926|1796140915.55|hotline|Li|CONNECT|6|1796140920.56|6\n")
    assert line == QueueLogLine(datetime.fromtimestamp(1796140926, UTC), "1796140915.55",
                                "hotline", "Li", "CONNECT", ("6", "1796140920.56", "6", "", ""))
    member = parse_file_line("1796140912|MANAGER|hotline|Li|REMOVEMEMBER|")
    assert member is not None and member.data == ("", "", "", "", "")
    # more than five fields: the rest stays in data5, as the table's trigger keeps it
    wide = parse_file_line("1|c|q|a|E|1|2|3|4|5|6")
    assert wide is not None and wide.data == ("1", "2", "3", "4", "5|6")


@pytest.mark.parametrize("raw", ["", "garbage", "1796140926|c|q|a", "17x|c|q|a|E|1",
                                 "-5|c|q|a|E|1"])
def test_what_is_not_a_queue_log_line_is_none(raw: str) -> None:
    assert parse_file_line(raw) is None


def test_the_recorded_days_figures() -> None:
    """11 callers left the queue: 3 answered (waits 6, 0, 0; talks 17, 4, 16), 4 hung up
    before 5 s (3, 4, 3, 4), 4 later (6, 6, 11, 11)."""
    figures = figures_from_sums(total(_lines("hotline_day.queue_log"), Thresholds()),
                                Thresholds())
    assert figures == {
        "offered": 11, "answered": 3, "abandoned": 4, "short_abandoned": 4,
        "service_level": round(3 / 7, 4), "service_level_seconds": 20,
        "average_wait_seconds": round(54 / 11, 1), "longest_wait_seconds": 11,
        "average_talk_seconds": round(37 / 3, 1), "average_answer_seconds": 2.0,
    }


def test_the_scripted_day_of_the_end_to_end_test() -> None:
    """tests/e2e/test_queue_log.py's run: 5 answered at once (talking 40 s), 2 answered
    after 36 s (3 s of talk), 2 hung up after 20 s, 1 after 2 s; agents by MemberName."""
    lines = _lines("scripted_day.queue_log")
    figures = figures_from_sums(total(lines, Thresholds()), Thresholds())
    assert figures == {
        "offered": 10, "answered": 7, "abandoned": 2, "short_abandoned": 1,
        "service_level": round(5 / 9, 4), "service_level_seconds": 20,
        "average_wait_seconds": round((36 * 2 + 20 * 2 + 2) / 10, 1),
        "longest_wait_seconds": 36,
        "average_talk_seconds": round((40 * 5 + 3 * 2) / 7, 1),
        "average_answer_seconds": round(72 / 7, 1),
    }
    by_agent = Buckets(bucket_key(By.AGENT, SHANGHAI), Thresholds()).add_all(lines).sums
    assert {k: (s.answered, s.talks) for k, s in by_agent.items()} == {
        "Agent 1011": (2, 2), "Agent 1012": (2, 2), "Agent 1013": (1, 1),
        "Agent 1014": (1, 1), "Agent 1015": (1, 1), None: (0, 0)}


def test_the_thresholds_move_the_short_abandons_and_the_service_level() -> None:
    strict = Thresholds(service_level_seconds=5, short_abandon_seconds=4)
    figures = figures_from_sums(total(_lines("hotline_day.queue_log"), strict), strict)
    # waits 3 and 3 are short now, 4 and 4 not; the answer after 6 s is late
    assert (figures["short_abandoned"], figures["abandoned"]) == (2, 6)
    assert figures["service_level"] == round(2 / 9, 4)
    assert figures["service_level_seconds"] == 5


def test_a_wait_exactly_at_the_thresholds() -> None:
    at = datetime(2026, 12, 1, 2, tzinfo=UTC)
    lines = [QueueLogLine(at, "1.1", "hotline", "PJSIP/1001", "CONNECT", ("20", "", "3", "", "")),
             QueueLogLine(at, "1.2", "hotline", "NONE", "ABANDON", ("1", "1", "5", "", ""))]
    figures = figures_from_sums(total(lines, Thresholds()), Thresholds())
    # answered within 20 s includes 20 s; a short abandon is under 5 s, not at it
    assert figures["service_level"] == 0.5
    assert (figures["abandoned"], figures["short_abandoned"]) == (1, 0)


def test_nothing_offered_has_no_service_level_nor_averages() -> None:
    assert figures_from_sums(Sums(), Thresholds()) == {
        "offered": 0, "answered": 0, "abandoned": 0, "short_abandoned": 0,
        "service_level": None, "service_level_seconds": 20,
        "average_wait_seconds": None, "longest_wait_seconds": None,
        "average_talk_seconds": None, "average_answer_seconds": None}


def test_only_short_abandons_have_no_service_level() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    lines = [QueueLogLine(at, "1.2", "hotline", "NONE", "ABANDON", ("1", "1", "2", "", ""))]
    figures = figures_from_sums(total(lines, Thresholds()), Thresholds())
    assert (figures["offered"], figures["short_abandoned"], figures["service_level"]) == (
        1, 1, None)


def test_other_exits_are_offered_but_neither_answered_nor_abandoned() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    lines = [QueueLogLine(at, "1", "q", "NONE", "EXITWITHTIMEOUT", ("1", "1", "60", "", "")),
             QueueLogLine(at, "2", "q", "NONE", "EXITEMPTY", ("1", "1", "7", "", "")),
             QueueLogLine(at, "3", "q", "NONE", "EXITWITHKEY", ("5", "1", "1", "9", "")),
             QueueLogLine(at, "4", "q", "PJSIP/1001", "RINGNOANSWER", ("15000", "", "", "", "")),
             QueueLogLine(at, "5", "q", "PJSIP/1001", "BLINDTRANSFER",
                          ("200", "agents", "3", "40", "1"))]
    sums = total(lines, Thresholds())
    assert (sums.offered, sums.answered, sums.abandoned, sums.wait_longest) == (3, 0, 0, 60)
    assert sums.wait_total == 76
    assert (sums.talks, sums.talk_total) == (1, 40)


def test_buckets_by_agent_hour_day_and_queue_add_up_to_the_total() -> None:
    lines = _lines("hotline_day.queue_log")
    whole = total(lines, Thresholds())
    for by in By:
        buckets = Buckets(bucket_key(by, SHANGHAI), Thresholds()).add_all(lines).sums
        assert sum(s.offered for s in buckets.values()) == whole.offered, by
        assert sum(s.talk_total for s in buckets.values()) == whole.talk_total, by
    by_agent = Buckets(bucket_key(By.AGENT, SHANGHAI), Thresholds()).add_all(lines).sums
    # the callers no agent answered are the None bucket
    assert {k: s.answered for k, s in by_agent.items()} == {
        "Li": 1, "Agent 1002": 1, "Qian": 1, None: 0}
    assert by_agent[None].offered == 8
    by_day = Buckets(bucket_key(By.DAY, SHANGHAI), Thresholds()).add_all(lines).sums
    assert list(by_day) == ["2026-12-02"]  # 1796141194 is 2026-12-01 UTC, after 16:00
    by_hour = Buckets(bucket_key(By.HOUR, SHANGHAI), Thresholds()).add_all(lines).sums
    assert all(k.endswith(":00") for k in by_hour)  # type: ignore[union-attr]


def test_an_interface_names_its_extension() -> None:
    assert agent_extension("PJSIP/1001") == "1001"
    assert agent_extension("Local/1002@agents") == "1002"
    assert agent_extension("Li") is None
    assert agent_extension("NONE") is None
