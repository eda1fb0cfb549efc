"""AMI frames recorded from the real Asterisk (tests/fixtures/ami/*.txt), as mappings."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ami"


def load_frames(name: str) -> list[dict[str, str]]:
    """Every frame of a recording, in order, headers as sent (first value wins)."""
    text = (FIXTURES / f"{name}.txt").read_bytes().decode("utf-8")
    frames = []
    for block in text.split("\r\n\r\n"):
        headers: dict[str, str] = {}
        for line in block.split("\r\n"):
            key, sep, value = line.partition(": ")
            if sep:
                headers.setdefault(key, value)
        if headers:
            frames.append(headers)
    return frames


def events(name: str) -> list[dict[str, str]]:
    return [f for f in load_frames(name) if "Event" in f]
