"""The hotline's sound set on disk: the files Asterisk must find for both languages, and
the check that lists the missing, the silent and the unplayable ones.

The set (docs/ivr.md), relative to Asterisk's sounds folder: the English prompts in
``callcenter/`` (no language folder: Asterisk's fallback), the Mandarin prompts in
``zh/callcenter/``, and the files Asterisk's ``say`` streams for zh in ``zh/``. Any of
them may be a dealership's own recording instead of the generated one, under the same
name. The server sees that folder only where it is configured (CALLCENTER_SOUNDS_DIR):
Asterisk may run on another machine.
"""

from __future__ import annotations

import array
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

from callcenter.domain import ivr

# Extensions Asterisk plays that a dealership's recordings may come in. A .wav must be
# 8 kHz mono 16-bit (Asterisk's format_wav); .sln is raw 8 kHz 16-bit; the others are
# compressed and only checked for being there and not empty.
FORMATS = ("wav", "sln", "gsm", "ulaw", "alaw", "g722")
# A file whose loudest sample stays under this (about -40 dBFS) says nothing.
SILENT_PEAK = 328
SHORTEST_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class SoundProblem:
    name: str  # relative to the sounds folder, without extension: zh/callcenter/welcome
    problem: str

    def __str__(self) -> str:
        return f"{self.name}: {self.problem}"


def required_sounds() -> list[str]:
    """Every file the hotline can make Asterisk play, in both languages."""
    prompts = sorted(ivr.PROMPTS)
    return ([f"{ivr.PROMPT_FOLDER}/{p}" for p in prompts]
            + [f"{ivr.Language.ZH}/{ivr.PROMPT_FOLDER}/{p}" for p in prompts]
            + [f"{ivr.Language.ZH}/{name}" for name in sorted(ivr.ZH_SAY_FILES)])


def check_sounds(sounds: Path) -> list[SoundProblem]:
    """What is wrong with the set in ``sounds`` (empty: all there and audible). Blocking
    file I/O: run it off the event loop."""
    if not sounds.is_dir():
        return [SoundProblem(str(sounds), "no such folder")]
    problems = []
    for name in required_sounds():
        found = [sounds / f"{name}.{ext}" for ext in FORMATS
                 if (sounds / f"{name}.{ext}").is_file()]
        if not found:
            problems.append(SoundProblem(name, "missing"))
            continue
        problem = _judge(found[0])
        if problem:
            problems.append(SoundProblem(name, problem))
    return problems


def greeting_made_for(sounds: Path) -> str | None:
    """The dealership name scripts/make-prompts built the greeting with, if it did."""
    try:
        return (sounds / ivr.PROMPT_FOLDER / ".dealership").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _judge(path: Path) -> str | None:
    try:
        if path.suffix == ".wav":
            with wave.open(str(path)) as audio:
                shape = (audio.getframerate(), audio.getnchannels(), audio.getsampwidth())
                if shape != (8000, 1, 2):
                    return (f"{path.name} is {shape[0]} Hz, {shape[1]} channel(s), "
                            f"{8 * shape[2]}-bit; Asterisk wants 8000 Hz mono 16-bit")
                samples = audio.readframes(audio.getnframes())
        elif path.suffix == ".sln":
            samples = path.read_bytes()
        else:
            return None if path.stat().st_size > 0 else f"{path.name} is empty"
    except (OSError, wave.Error, EOFError) as exc:
        return f"{path.name} is unreadable ({exc})"
    values = array.array("h")
    values.frombytes(samples[: len(samples) // 2 * 2])
    if sys.byteorder == "big":
        values.byteswap()
    if len(values) < SHORTEST_SECONDS * 8000:
        return f"{path.name} lasts {len(values) / 8000:.2f} s"
    if max(map(abs, values)) < SILENT_PEAK:
        return f"{path.name} is silent"
    return None
