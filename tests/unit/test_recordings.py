"""Recordings' pure rules: peaks, phone search keys, filters, cursors, safe paths,
Chinese segmentation, and the search SQL's two WHERE clauses staying identical; the
repair of WAV files cut by a PBX crash, on files made here."""

from __future__ import annotations

import os
import struct
import wave
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from callcenter.db.queries import load_queries
from callcenter.domain.recordings import (
    COUNT_BOUND,
    COUNT_WINDOW_DAYS,
    bounded_total,
    covering_periods,
    decode_cursor,
    encode_cursor,
    inside,
    like_prefix,
    name_keys,
    newest_first_windows,
    peaks,
    phone_digits,
    phone_keys,
    reversed_digits,
)
from callcenter.domain.text_search import query_words, segment
from callcenter.errors import ValidationError
from callcenter.recordings_files import describe_wav, holds_no_audio, repair_wav


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


def test_phone_filter_keys() -> None:
    # Few digits are the end of the number (reversed, for a prefix index); "start" keeps
    # them as typed; +86 is the country, not part of the national number.
    assert phone_keys("8000") == (None, "0008")
    assert phone_keys("+86 138-0013", "start") == ("1380013", None)
    assert phone_keys(None) == (None, None)


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
    where = q["search_recordings"].split("WHERE", 1)[1].split("AND ($24", 1)[0]
    counted = q["count_recordings"].split("WHERE", 1)[1].split("LIMIT $24", 1)[0]
    assert counted.strip() == where.strip()


def test_name_prefixes_become_index_keys() -> None:
    # Up to three characters are an equality on their own index; longer ones keep the
    # LIKE, narrowed by the three-character key.
    assert name_keys("王") == (None, "王", None, None)
    assert name_keys("欧阳") == (None, None, "欧阳", None)
    assert name_keys("欧阳娜") == (None, None, None, "欧阳娜")
    assert name_keys("欧阳娜%") == ("欧阳娜\\%%", None, None, "欧阳娜")


def test_covering_periods_are_the_fewest_months_and_days() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert covering_periods(datetime(2026, 5, 9, 23, tzinfo=UTC),
                            datetime(2026, 5, 10, 1, tzinfo=UTC), now) == [
        "~d20260509", "~d20260510"]
    # until is exclusive: a range ending at midnight does not touch the next day.
    assert covering_periods(datetime(2026, 4, 29, tzinfo=UTC),
                            datetime(2026, 6, 2, tzinfo=UTC), now) == [
        "~d20260429", "~d20260430", "~m202605", "~d20260601"]
    assert covering_periods(datetime(2025, 12, 31, tzinfo=UTC),
                            datetime(2026, 3, 1, tzinfo=UTC), now) == [
        "~d20251231", "~m202601", "~m202602"]
    # An open end runs to the end of next year; a zone other than UTC is converted.
    assert covering_periods(datetime(2026, 12, 1, 7, tzinfo=timezone(timedelta(hours=8))),
                            None, now) == ["~d20261130", "~m202612"] + [
        f"~m2027{m:02d}" for m in range(1, 13)]
    assert covering_periods(datetime(2026, 5, 2, tzinfo=UTC),
                            datetime(2026, 5, 1, tzinfo=UTC), now) == []


def test_word_searches_read_dates_newest_first() -> None:
    now = datetime(2026, 12, 1, 10, tzinfo=UTC)

    def day(d: int, month: int = 11) -> datetime:
        return datetime(2026, month, d, tzinfo=UTC)

    base = day(1, 12)
    assert newest_first_windows(None, None, now) == [
        (day(30), None), (day(24), day(30)), (base - timedelta(days=49), day(24)),
        (base - timedelta(days=343), base - timedelta(days=49)),
        (None, base - timedelta(days=343))]
    # Inner bounds are UTC midnights; the partial days at since and until stand apart.
    since = now - timedelta(days=3)
    assert newest_first_windows(since, now, now) == [
        (base, now), (day(30), base), (day(29), day(30)), (since, day(29))]
    assert newest_first_windows(day(20), None, now) == [
        (day(30), None), (day(24), day(30)), (day(20), day(24))]
    # A count starts with a week.
    assert newest_first_windows(day(20), None, now, COUNT_WINDOW_DAYS) == [
        (day(24), None), (day(20), day(24))]
    # Within one day: one range.
    assert newest_first_windows(now - timedelta(hours=2), now, now) == [
        (now - timedelta(hours=2), now)]


def test_totals_past_the_bound_are_a_lower_bound() -> None:
    assert bounded_total(0) == (0, False)
    assert bounded_total(COUNT_BOUND) == (COUNT_BOUND, False)
    assert bounded_total(COUNT_BOUND + 1) == (COUNT_BOUND, True)


# -- WAV files cut by a crash ---------------------------------------------------------

RATE = 8000


def samples(seconds: float) -> bytes:
    return b"".join(struct.pack("<h", (i * 37) % 20000 - 10000)
                    for i in range(int(seconds * RATE)))


def asterisk_header(riff_size: int = 0, data_size: int = 0) -> bytes:
    """format_wav's header as written when the file is opened: both sizes 0."""
    return (b"RIFF" + struct.pack("<I", riff_size) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, RATE, 2 * RATE, 2, 16)
            + b"data" + struct.pack("<I", data_size))


def frames_of(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (RATE, 2, 1)
        return w.readframes(w.getnframes())


def test_a_file_cut_by_a_crash_gets_its_real_sizes(tmp_path: Path) -> None:
    audio = samples(3.5)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(asterisk_header() + audio)
    assert not describe_wav(cut)[1]  # what a reader saw: no audio, or no WAV file
    ended = cut.stat().st_mtime_ns - 10**12  # the call ended 1000 s ago
    os.utime(cut, ns=(ended, ended))
    assert repair_wav(cut) is True
    assert frames_of(cut) == audio
    assert cut.stat().st_mtime_ns == ended  # still when the last sample was written
    size, duration_ms, _ = describe_wav(cut)
    assert (size, duration_ms) == (44 + len(audio), 3500)
    assert struct.unpack_from("<I", cut.read_bytes(), 4)[0] == 36 + len(audio)
    assert repair_wav(cut) is False  # once is enough
    assert frames_of(cut) == audio


def test_a_half_written_sample_stays_outside_the_data(tmp_path: Path) -> None:
    audio = samples(1)
    cut = tmp_path / "odd.wav"
    cut.write_bytes(asterisk_header() + audio + b"\x7f")
    assert repair_wav(cut) is True
    assert frames_of(cut) == audio
    assert cut.stat().st_size == 44 + len(audio) + 1  # the samples are never rewritten


def test_a_header_promising_more_than_the_disk_holds_is_cut_to_it(tmp_path: Path) -> None:
    audio = samples(2)
    cut = tmp_path / "short.wav"
    cut.write_bytes(asterisk_header(36 + 10 * len(audio), 10 * len(audio)) + audio)
    assert repair_wav(cut) is True
    assert frames_of(cut) == audio


def test_streaming_placeholders_and_other_chunks_before_the_data(tmp_path: Path) -> None:
    audio = samples(1)
    header = asterisk_header(0xFFFFFFFF, 0xFFFFFFFF)
    # a LIST chunk (odd length, padded) between fmt and data, as other writers add
    extra = b"LIST" + struct.pack("<I", 5) + b"INFOx\x00"
    cut = tmp_path / "list.wav"
    cut.write_bytes(header[:36] + extra + header[36:] + audio)
    assert repair_wav(cut) is True
    assert frames_of(cut) == audio


def test_complete_and_foreign_files_are_left_alone(tmp_path: Path) -> None:
    good = tmp_path / "good.wav"
    with wave.open(str(good), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples(1))
    before = good.read_bytes()
    assert repair_wav(good) is False and good.read_bytes() == before
    # a data chunk followed by another chunk: the stated size is right, not "too short"
    trailer = tmp_path / "trailer.wav"
    trailer.write_bytes(before + b"LIST" + struct.pack("<I", 4) + b"INFO")
    assert repair_wav(trailer) is False
    for name, content in (("empty.wav", b""), ("text.wav", b"not a wav file at all"),
                          ("cut-header.wav", asterisk_header()[:30]),
                          ("mp3.wav", b"ID3\x04" + bytes(100))):
        path = tmp_path / name
        path.write_bytes(content)
        assert repair_wav(path) is False, name
        assert path.read_bytes() == content, name
    assert repair_wav(tmp_path / "absent.wav") is False


def test_files_that_hold_no_audio(tmp_path: Path) -> None:
    files = {"header.wav": asterisk_header(), "empty.wav": b"",
             "audio.wav": asterisk_header() + samples(0.1), "text.wav": b"hello"}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    assert {name for name in files if holds_no_audio(tmp_path / name)} == {
        "header.wav", "empty.wav"}
    assert holds_no_audio(tmp_path / "absent.wav") is False
