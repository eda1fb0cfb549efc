"""The sound-set check (telephony/sounds.py), the CLI over it, and the hotline that does
not start when a prompt is missing."""

from __future__ import annotations

import array
import logging
import math
import wave
from pathlib import Path

import pytest

from callcenter.cli import main
from callcenter.settings import Settings
from callcenter.telephony.hotline import hotline_routes
from callcenter.telephony.sounds import SoundProblem, check_sounds, required_sounds


def _wav(path: Path, *, rate: int = 8000, loud: bool = True, seconds: float = 0.5) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    amplitude = 8000 if loud else 20
    samples = array.array("h", (int(amplitude * math.sin(i / 5))
                                for i in range(int(rate * seconds))))
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(samples.tobytes())


@pytest.fixture
def sounds(tmp_path: Path) -> Path:
    for name in required_sounds():
        _wav(tmp_path / f"{name}.wav")
    return tmp_path


def test_a_complete_set_passes(sounds: Path) -> None:
    assert check_sounds(sounds) == []
    assert "zh/digits/oclock" in required_sounds()
    assert "zh/callcenter/province-guangdong" in required_sounds()
    assert "callcenter/welcome" in required_sounds()


def test_missing_silent_and_wrong_rate_files_are_listed(sounds: Path) -> None:
    (sounds / "zh/callcenter/welcome.wav").unlink()
    _wav(sounds / "zh/digits/5.wav", loud=False)
    _wav(sounds / "callcenter/booked.wav", rate=16000)
    # a dealership's own recording in another format Asterisk plays counts
    (sounds / "zh/callcenter/goodbye.wav").unlink()
    (sounds / "zh/callcenter/goodbye.gsm").write_bytes(b"\xd8" * 330)
    problems = {p.name: p.problem for p in check_sounds(sounds)}
    assert set(problems) == {"zh/callcenter/welcome", "zh/digits/5", "callcenter/booked"}
    assert problems["zh/callcenter/welcome"] == "missing"
    assert "silent" in problems["zh/digits/5"]
    assert "16000 Hz" in problems["callcenter/booked"]


def test_no_folder_is_one_problem(tmp_path: Path) -> None:
    assert check_sounds(tmp_path / "nowhere") == [
        SoundProblem(str(tmp_path / "nowhere"), "no such folder")]


async def test_the_hotline_does_not_start_with_a_prompt_missing(
        sounds: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(sounds_dir=str(sounds))
    assert set(await hotline_routes(None, settings, None)) == {"hotline"}  # type: ignore[arg-type]
    (sounds / "zh/callcenter/main-menu.wav").unlink()
    with caplog.at_level(logging.ERROR):
        assert await hotline_routes(None, settings, None) == {}  # type: ignore[arg-type]
    assert "hotline not started" in caplog.text
    assert "zh/callcenter/main-menu: missing" in caplog.text
    # no folder configured (Asterisk on another machine): nothing to check
    assert set(await hotline_routes(None, Settings(), None)) == {"hotline"}  # type: ignore[arg-type]


def test_cli_prompts_check(sounds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "check", "--sounds", str(sounds)]) == 0
    assert f"{len(required_sounds())} of {len(required_sounds())}" in capsys.readouterr().err
    (sounds / "zh/digits/oclock.wav").unlink()
    assert main(["prompts", "check", "--sounds", str(sounds)]) == 1
    assert "zh/digits/oclock: missing" in capsys.readouterr().out
