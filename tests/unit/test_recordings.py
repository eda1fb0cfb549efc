"""Recordings' pure rules: peaks, phone search keys, filters, cursors, safe paths,
Chinese segmentation, and the search SQL's two WHERE clauses staying identical."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.db.queries import load_queries
from callcenter.domain.recordings import (
    decode_cursor,
    encode_cursor,
    inside,
    like_prefix,
    parse_filters,
    peaks,
    phone_digits,
    reversed_digits,
)
from callcenter.domain.text_search import query_words, segment
from callcenter.errors import ValidationError


def test_peaks_are_the_loudest_sample_of_each_slice_scaled_to_100() -> None:
    samples = [0] * 100 + [16384] * 100 + [-32768] * 100 + [0] * 100
    assert peaks(samples, 32768, count=4) == [0, 50, 100, 0]
    assert peaks([], 32768, count=3) == [0, 0, 0]
    assert len(peaks([1, 2, 3], 32768)) == 200  # fewer samples than peaks still works


def test_phone_search_keys() -> None:
    assert phone_digits("+8613800138000") == "13800138000"
    assert phone_digits("+14155550100") == "14155550100"
    assert reversed_digits("+8613800138000") == "00083100831"
    assert phone_digits(None) is None and reversed_digits("") is None


def test_filters_from_the_query_string() -> None:
    f = parse_filters({"phone": "8000", "customer": "张", "from": "2026-05-01T00:00:00+08:00",
                       "min_seconds": "30", "complaint": "yes", "direction": "inbound"})
    assert (f.phone_suffix_rev, f.phone_prefix) == ("0008", None)
    assert f.customer_name == "张" and f.min_ms == 30_000 and f.has_complaint is True
    assert f.since == datetime.fromisoformat("2026-05-01T00:00:00+08:00")
    f = parse_filters({"phone": "+86 138-0013", "phone_match": "start", "limit": "999"})
    assert (f.phone_prefix, f.phone_suffix_rev, f.limit) == ("1380013", None, 200)
    assert parse_filters({"complaint": "42"}).complaint_id == 42
    assert parse_filters({}).restricted_to(7).agent_id == 7


@pytest.mark.parametrize("params", [
    {"phone": "12"}, {"phone": "13800x"}, {"from": "2026-05-01"}, {"from": "nope"},
    {"direction": "up"}, {"min_seconds": "-1"}, {"complaint": "maybe"}, {"cursor": "!!"},
    {"agent_id": "0"}, {"customer": "x" * 101}])
def test_bad_filters_are_refused(params: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        parse_filters(params)


def test_cursor_round_trip_and_like_escaping() -> None:
    when = datetime(2026, 5, 9, 8, 30, tzinfo=UTC)
    assert decode_cursor(encode_cursor(when, 12345)) == (when, 12345)
    assert like_prefix("50%_\\") == "50\\%\\_\\\\%"


def test_only_paths_inside_the_recordings_folder(tmp_path: Path) -> None:
    assert inside(tmp_path, "2026/05/09/a.mp3") == (tmp_path / "2026/05/09/a.mp3").resolve()
    (tmp_path / "link").symlink_to("/etc")
    for bad in ("../x.mp3", "/etc/passwd", "2026/../../x", "", "link/passwd"):
        with pytest.raises(ValidationError):
            inside(tmp_path, bad)


def test_chinese_text_is_segmented_into_searchable_words() -> None:
    words = segment("客户反映刹车有异响，要求明天到店检查。Brake NOISE!").split()
    assert {"刹车", "异响", "检查", "brake", "noise"} <= set(words)
    assert query_words("刹车异响") == ["刹车", "异响"]
    assert query_words("，。!") == []


def test_search_and_count_filter_alike() -> None:
    q = load_queries("recordings")
    where = q["search_recordings"].split("WHERE", 1)[1].split("AND ($19", 1)[0]
    assert q["count_recordings"].split("WHERE", 1)[1].strip() == where.strip()
