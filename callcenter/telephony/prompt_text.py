"""The hotline's sounds as text, and the build that speaks them.

Two tables (dialplans/sounds/): ``prompts.txt``, NAME<TAB>English<TAB>中文, the flow's own
prompts in both languages; ``say-zh.txt``, NAME<TAB>中文, the files Asterisk's ``say``
streams for language zh (numbers, dates, times: main/say.c). Mandarin text is turned into
tone-numbered pinyin (numbers to words first) for espeak-ng's ``cmn-latn-pinyin`` voice:
its plain ``cmn`` voice reads Chinese characters badly. A text that mixes scripts is
spoken run by run, each in its own voice ("For English, press 9." in the Mandarin set,
the dealership's Chinese name inside the English greeting).

Where the files go (docs/ivr.md), under Asterisk's sounds folder SOUNDS:
English prompts in SOUNDS/callcenter/ (no language folder: Asterisk's fallback),
Mandarin prompts in SOUNDS/zh/callcenter/, Mandarin say files in SOUNDS/zh/.

Standalone on purpose: only the standard library and pypinyin, so that scripts/make-prompts
runs this file in the Asterisk image, where the callcenter package is not installed.

    python3 prompt_text.py build SOUNDS [--dealership NAME]
    python3 prompt_text.py pinyin TEXT
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TABLES = Path(__file__).resolve().parents[2] / "dialplans" / "sounds"
PROMPT_FOLDER = "callcenter"
ZH = "zh"
EN = "en"
VOICES = {ZH: "cmn-latn-pinyin", EN: "en-us"}
SPEEDS = {ZH: 170, EN: 175}
DEFAULT_DEALERSHIP = "华通汽车"
DEALERSHIP_MARK = "{dealership}"

_DIGITS = "零一二三四五六七八九"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_FIXED = r"[\u3400-\u9fff]\[([a-z]+[1-5])\]"
_FIXED_OR_CHAR = re.compile(r"[\u3400-\u9fff]\[[a-z]+[1-5]\]|.", re.DOTALL)
# Chinese punctuation, as the pauses espeak-ng makes of ASCII punctuation.
_PAUSES = {"，": ",", "、": ",", "；": ",", "：": ",", "。": ".", "！": ".", "？": "?"}


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    english: str
    chinese: str


def read_prompts(path: Path | None = None) -> list[Prompt]:
    """The rows of prompts.txt (comments and blank lines skipped)."""
    rows = []
    for number, fields in _rows(path or TABLES / "prompts.txt"):
        if len(fields) != 3 or not all(f.strip() for f in fields):
            raise ValueError(f"prompts.txt line {number}: want NAME<TAB>English<TAB>中文")
        rows.append(Prompt(*(f.strip() for f in fields)))
    return rows


def read_say_files(path: Path | None = None) -> dict[str, str]:
    """say-zh.txt: Asterisk's file name (e.g. digits/5) -> its Mandarin text."""
    table = {}
    for number, fields in _rows(path or TABLES / "say-zh.txt"):
        if len(fields) != 2 or not all(f.strip() for f in fields):
            raise ValueError(f"say-zh.txt line {number}: want NAME<TAB>中文")
        table[fields[0].strip()] = fields[1].strip()
    return table


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            yield number, line.split("\t")


# ------------------------------------------------------------------ Mandarin numbers


def chinese_number(n: int) -> str:
    """A number as Mandarin words: 10 十, 15 十五, 105 一百零五, 2000 两千, 20000 两万."""
    if not 0 <= n < 10**12:
        raise ValueError(f"{n} is out of range")
    if n == 0:
        return _DIGITS[0]
    groups = []  # groups of four digits, lowest first
    while n:
        groups.append(n % 10000)
        n //= 10000
    words = ""
    zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = bool(words)
            continue
        if words and (zero or group < 1000):
            words += _DIGITS[0]
        said = "两" if group == 2 and index else _group(group, leading=not words)
        words += said + ("", "万", "亿")[index]
        zero = False
    return words


def _group(n: int, *, leading: bool) -> str:
    """0 < n < 10000 in words; ``leading``: the first group of the number (十五, not 一十五)."""
    words, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += _DIGITS[0]
            zero = False
        if digit == 1 and unit == "十" and leading and not words:
            words += "十"
        elif digit == 2 and unit == "千":
            words += "两千"
        else:
            words += _DIGITS[digit] + unit
    return words


def digit_words(digits: str) -> str:
    """Digits read one by one: 2580 二五八零."""
    return "".join(_DIGITS[int(d)] for d in digits)


def normalize_numbers(text: str) -> str:
    """Digits in Mandarin text as words: a key or a code digit by digit (按9 按九,
    0755 零七五五, numbers of five digits or more), other numbers as amounts (30分钟 三十分钟)."""
    def words(match: re.Match[str]) -> str:
        digits = match.group()
        if len(digits) == 1 or len(digits) >= 5 or digits.startswith("0"):
            return digit_words(digits)
        return chinese_number(int(digits))
    return re.sub(r"\d+", words, text)


# ------------------------------------------------------------------ pinyin


def to_pinyin(text: str) -> str:
    """Mandarin text as the tone-numbered pinyin that espeak-ng's cmn-latn-pinyin voice
    speaks: 请按1。 -> "qing3 an4 yi1." (tone sandhi applied, neutral tone 5)."""
    from pypinyin import Style, lazy_pinyin

    syllables: list[str] = []
    # 藏[zang4]: the table's own reading of a character
    for index, piece in enumerate(re.split(_FIXED, text)):
        if index % 2:
            syllables.append(piece)
        elif piece:
            syllables += lazy_pinyin(normalize_numbers(piece), style=Style.TONE3,
                                     neutral_tone_with_five=True, tone_sandhi=True)
    spoken = ""
    for syllable in syllables:
        for char, pause in _PAUSES.items():
            syllable = syllable.replace(char, pause)
        piece = syllable.strip()
        if not piece:
            continue
        if all(c in ",.?!" for c in piece):
            spoken = spoken.rstrip() + piece + " "
        else:
            spoken += piece + " "
    return spoken.strip()


def segments(text: str) -> list[tuple[str, str]]:
    """(language, text) runs: Chinese characters are Mandarin, Latin letters English;
    digits, spaces and punctuation belong to the run they stand in."""
    runs: list[tuple[str, str]] = []
    language, current = "", ""
    for char in _FIXED_OR_CHAR.findall(text):
        kind = ZH if _HAN.match(char) else EN if char.isascii() and char.isalpha() else ""
        if kind and language and kind != language:
            runs.append((language, current))
            current = ""
        language = kind or language
        current += char
    if current.strip():
        runs.append((language or EN, current))
    return [(lang, run.strip()) for lang, run in runs if run.strip()]


def spoken(text: str) -> list[tuple[str, str]]:
    """(espeak-ng voice, what it is given) for each run of ``text``."""
    return [(VOICES[lang], to_pinyin(run) if lang == ZH else run)
            for lang, run in segments(text)]


# ------------------------------------------------------------------ the build


def sound_files(prompts: list[Prompt], say_files: dict[str, str],
                dealership: str) -> dict[str, str]:
    """Every file of the set, relative to the sounds folder without extension, and its
    text: callcenter/NAME (English), zh/callcenter/NAME, zh/digits/N ..."""
    files = {}
    for p in prompts:
        files[f"{PROMPT_FOLDER}/{p.name}"] = p.english.replace(DEALERSHIP_MARK, dealership)
        files[f"{ZH}/{PROMPT_FOLDER}/{p.name}"] = p.chinese.replace(DEALERSHIP_MARK, dealership)
    for name, text in say_files.items():
        files[f"{ZH}/{name}"] = text
    return files


def build(sounds: Path, dealership: str = DEFAULT_DEALERSHIP) -> int:
    """Speak every file of the set into ``sounds`` as 8 kHz mono 16-bit WAV; nothing is
    redone while the tables, this file and the name are unchanged. The number made."""
    files = sound_files(read_prompts(), read_say_files(), dealership)
    stamp_text = "\n".join(f"{k}\t{v}" for k, v in sorted(files.items()))
    stamp_text += Path(__file__).read_text(encoding="utf-8")
    stamp = hashlib.sha256(stamp_text.encode()).hexdigest()
    stamp_file = sounds / PROMPT_FOLDER / ".stamp"
    if stamp_file.is_file() and stamp_file.read_text().strip() == stamp:
        return 0
    with tempfile.TemporaryDirectory(prefix="make-prompts-") as work:
        staged = Path(work) / "sounds"
        for name, text in files.items():
            target = staged / f"{name}.wav"
            target.parent.mkdir(parents=True, exist_ok=True)
            _speak(text, target, Path(work))
        # replace whole folders at once: nothing from an older table stays behind
        folders = {(staged / name).parent.relative_to(staged) for name in files}
        for folder in sorted(folders):
            for old in (sounds / folder).glob("*.wav"):
                old.unlink()
            (sounds / folder).mkdir(parents=True, exist_ok=True)
            for made in (staged / folder).glob("*.wav"):
                shutil.move(str(made), sounds / folder / made.name)
    (sounds / PROMPT_FOLDER / ".dealership").write_text(dealership + "\n", encoding="utf-8")
    stamp_file.write_text(stamp + "\n")
    return len(files)


def _speak(text: str, target: Path, work: Path) -> None:
    pieces = []
    for index, (voice, words) in enumerate(spoken(text)):
        raw = work / f"raw{index}.wav"
        language = ZH if voice == VOICES[ZH] else EN
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(SPEEDS[language]), "-w", str(raw),
                        words], check=True)
        pieces.append(str(raw))
    if not pieces:
        raise ValueError(f"nothing to say for {target}")
    # 8 kHz mono 16-bit (Asterisk's native telephone rate: no resampling per call), every
    # file as loud as the others (peak -3 dBFS, no clipping in the resampler); leading
    # and trailing silence cut (callers wait for nothing)
    subprocess.run(["sox", "-V1", *pieces, "-r", "8000", "-c", "1", "-b", "16", "-e",
                    "signed-integer", str(target), "gain", "-n", "-3", "silence", "1",
                    "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"],
                   check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="prompt_text.py")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("build", help="speak every prompt and say file into SOUNDS")
    make.add_argument("sounds", type=Path)
    make.add_argument("--dealership", default=DEFAULT_DEALERSHIP)
    show = sub.add_parser("pinyin", help="print the pinyin espeak-ng is given for TEXT")
    show.add_argument("text")
    args = parser.parse_args(argv)
    if args.command == "pinyin":
        for voice, words in spoken(args.text):
            print(f"{voice}\t{words}")
        return 0
    made = build(args.sounds, args.dealership.strip() or DEFAULT_DEALERSHIP)
    if made:
        print(f"make-prompts: {made} files in {args.sounds}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
