"""The hotline's menu rules (domain/ivr.py) and its prompt set."""

from __future__ import annotations

import shutil
import subprocess
import wave
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from callcenter.domain import ivr
from callcenter.domain.ivr import Identification, MenuChoice, Prompt, Strikes, Verdict

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


@pytest.mark.skipif(not (shutil.which("espeak-ng") and shutil.which("sox")),
                    reason="espeak-ng and sox make the prompts")
def test_make_prompts_generates_every_prompt_as_8khz_mono(tmp_path: Path) -> None:
    subprocess.run([str(REPO / "scripts" / "make-prompts"), str(tmp_path)], check=True,
                   timeout=120)
    for name in ivr.PROMPTS:
        with wave.open(str(tmp_path / f"{name}.wav")) as audio:
            assert (audio.getframerate(), audio.getnchannels()) == (8000, 1), name
            assert 0 < audio.getnframes() / 8000 < 10, name
    assert {p.stem for p in tmp_path.glob("*.wav")} == ivr.PROMPTS


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
