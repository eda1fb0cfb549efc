"""The hotline's menu rules (domain/ivr.py) and its prompt set."""

from __future__ import annotations

import shutil
import subprocess
import wave
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from callcenter.domain import ivr
from callcenter.domain.ivr import Identification, Language, MenuChoice, Prompt, Strikes, Verdict
from callcenter.telephony import prompt_text
from callcenter.telephony.sounds import check_sounds, required_sounds

REPO = Path(__file__).resolve().parents[2]
PROMPT_TEXTS = REPO / "dialplans" / "sounds" / "prompts.txt"
MONDAY = date(2026, 3, 2)
SUNDAY = date(2026, 3, 8)


def _prompt_names() -> list[str]:
    lines = PROMPT_TEXTS.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[0] for line in lines if line and not line.startswith("#")]


def test_every_prompt_of_the_flow_has_a_text_and_no_text_is_unused() -> None:
    names = _prompt_names()
    assert len(names) == len(set(names))
    assert set(names) == ivr.PROMPTS


def test_every_prompt_has_an_english_and_a_mandarin_text() -> None:
    rows = prompt_text.read_prompts()
    assert {r.name for r in rows} == ivr.PROMPTS
    for row in rows:
        assert row.english and row.chinese, row.name


def test_the_zh_say_table_is_the_set_the_readbacks_reach() -> None:
    assert set(prompt_text.read_say_files()) == ivr.ZH_SAY_FILES


def _stat(path: Path) -> dict[str, float]:
    """sox's statistics of a sound file: 'Length (seconds)', 'RMS     amplitude', ..."""
    done = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True,
                          check=True, timeout=30)
    figures = {}
    for line in done.stderr.splitlines():
        name, _, value = line.partition(":")
        try:
            figures[name.strip()] = float(value)
        except ValueError:
            pass
    return figures


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                    reason="espeak-ng and sox make the prompts")
def test_make_prompts_generates_both_languages_and_the_zh_digits_as_8khz_mono(
        tmp_path: Path) -> None:
    subprocess.run([str(REPO / "scripts" / "make-prompts"), str(tmp_path)], check=True,
                   timeout=300)
    for name in required_sounds():
        path = tmp_path / f"{name}.wav"
        with wave.open(str(path)) as audio:
            assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (
                8000, 1, 2), name
        stat = _stat(path)
        assert 0.1 < stat["Length (seconds)"] < 12, name
        # not silent: loud enough to hear over a phone line
        assert stat["RMS     amplitude"] > 0.02 and stat["Maximum amplitude"] > 0.3, name
    assert check_sounds(tmp_path) == []
    assert {p.stem for p in (tmp_path / "callcenter").glob("*.wav")} == ivr.PROMPTS
    assert {p.stem for p in (tmp_path / "zh" / "callcenter").glob("*.wav")} == ivr.PROMPTS
    # the Mandarin greeting is Mandarin: longer than its English twin's first word, and
    # different audio
    assert (tmp_path / "zh/callcenter/welcome.wav").read_bytes() != (
        tmp_path / "callcenter/welcome.wav").read_bytes()


def test_prompt_sound_names_live_in_the_callcenter_folder() -> None:
    assert Prompt.MAIN_MENU.sound == "callcenter/main-menu"


def test_business_hours_and_closed_days() -> None:
    assert ivr.DEFAULT_HOURS.is_open(datetime.combine(MONDAY, time(9)))
    assert not ivr.DEFAULT_HOURS.is_open(datetime.combine(MONDAY, time(22)))
    assert not ivr.DEFAULT_HOURS.is_open(datetime.combine(MONDAY, time(8, 29)))
    assert not ivr.DEFAULT_HOURS.is_open(datetime.combine(SUNDAY, time(10)))


def test_booking_days_are_the_next_week_without_closed_days() -> None:
    days = ivr.DEFAULT_HOURS.booking_days(date(2026, 3, 5))  # a Thursday
    assert days[0] == date(2026, 3, 5)
    assert SUNDAY not in days
    assert len(days) == ivr.BOOKING_DAYS - 1
    assert max(days) == date(2026, 3, 11)


def test_slot_times_fill_the_open_hours_and_none_on_closed_days() -> None:
    slots = ivr.DEFAULT_HOURS.slot_times(MONDAY)
    assert slots[0] == (time(8, 30), time(9, 30))
    assert slots[-1][1] <= ivr.DEFAULT_HOURS.close_at
    assert len(slots) == 9
    assert ivr.DEFAULT_HOURS.slot_times(SUNDAY) == []


@pytest.mark.parametrize(("digits", "choice"), [
    ("1", MenuChoice.BOOK), ("2", MenuChoice.MY_APPOINTMENT), ("3", MenuChoice.COMPLAINT),
    ("0", MenuChoice.AGENT), ("4", None), ("#", None), ("", None), ("11", None)])
def test_parse_menu(digits: str, choice: MenuChoice | None) -> None:
    assert ivr.parse_menu(digits) is choice


@pytest.mark.parametrize(("digits", "count", "index"), [
    ("1", 3, 0), ("3", 3, 2), ("4", 3, None), ("0", 3, None), ("*", 3, None),
    ("9", 12, 8), ("", 3, None)])
def test_parse_option(digits: str, count: int, index: int | None) -> None:
    assert ivr.parse_option(digits, count) == index


@pytest.mark.parametrize(("entered", "expected"), [
    ("13800138000", Identification("phone", "13800138000")),
    ("13800138000#", Identification("phone", "13800138000")),
    ("12345", Identification("plate", "12345")),
    ("12", None), ("", None), ("12*45", None)])
def test_parse_identification(entered: str, expected: Identification | None) -> None:
    assert ivr.parse_identification(entered) == expected


def test_plates_for_the_keypad_and_for_speaking() -> None:
    assert ivr.plate_digits("京A·12345") == "12345"
    assert ivr.speakable_plate("京a·12345") == "A12345"
    assert ivr.province_prompt("粤B12345") == "province-guangdong"
    assert ivr.province_prompt("贵A00001") == "province-guizhou"
    assert ivr.province_prompt("桂A00001") == "province-guangxi"
    assert ivr.province_prompt("B12345") is None


@pytest.mark.parametrize(("at", "zh"), [
    (time(8, 30), "pIM"), (time(14, 30), "p'callcenter/two-oclock'M"),
    (time(2, 0), "p'callcenter/two-oclock'"), (time(15, 0), "pI"), (time(9, 5), "pIM")])
def test_time_formats_say_mandarin_hours(at: time, zh: str) -> None:
    assert ivr.time_format(Language.ZH, at) == zh
    assert ivr.time_format(Language.EN, at) == "IMp"
    assert ivr.date_format(Language.ZH) == "BdA"
    assert ivr.date_format(Language.EN) == "ABd"


def test_the_other_language_of_each() -> None:
    assert Language.ZH.other is Language.EN and Language.EN.other is Language.ZH


def test_three_wrong_keys_go_to_an_agent() -> None:
    strikes = Strikes()
    assert strikes.judge(valid=False, timed_out=False) is Verdict.RETRY
    assert strikes.judge(valid=True, timed_out=False) is Verdict.ANSWER
    assert strikes.judge(valid=False, timed_out=False) is Verdict.RETRY
    # wrong keys count over the whole call, not per question
    assert strikes.judge(valid=False, timed_out=False) is Verdict.AGENT


def test_silence_re_prompts_once_then_goes_to_an_agent() -> None:
    strikes = Strikes()
    assert strikes.judge(valid=False, timed_out=True) is Verdict.RETRY
    assert strikes.judge(valid=False, timed_out=True) is Verdict.AGENT


def test_a_key_between_two_silences_resets_the_silence_count() -> None:
    strikes = Strikes()
    assert strikes.judge(valid=False, timed_out=True) is Verdict.RETRY
    assert strikes.judge(valid=True, timed_out=False) is Verdict.ANSWER
    assert strikes.judge(valid=False, timed_out=True) is Verdict.RETRY


def test_hours_from_settings() -> None:
    from callcenter.settings import load_settings

    hours = load_settings({"CALLCENTER_SERVICE_HOURS": "09:00-12:00",
                           "CALLCENTER_SERVICE_CLOSED_DAYS": "sat,sunday",
                           "CALLCENTER_SLOT_MINUTES": "90"}).hours
    assert [start for start, _ in hours.slot_times(MONDAY)] == [time(9), time(10, 30)]
    assert hours.is_closed_day(SUNDAY) and hours.is_closed_day(SUNDAY - timedelta(days=1))
    assert not hours.is_open(datetime.combine(MONDAY, time(12)))
