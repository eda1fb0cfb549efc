"""The folder MixMonitor writes into (dialplans/extensions.conf, cc-record), as the
server sees it: ``<recordings>/<Y>/<m>/<d>/<linkedid>.wav``, dated by Asterisk's clock.

Everything here touches files and is run off the event loop. A file cut by an
Asterisk crash has its WAV sizes repaired before it is read (recordings_files.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from callcenter.recordings_files import describe_wav, repair_wav, wav_duration_ms


@dataclass(frozen=True)
class Heard:
    """When a finished recording says the call was bridged: MixMonitor (option b)
    records only while bridged and closes the file at the hang-up."""

    answered_at: float
    ended_at: float


@dataclass(frozen=True)
class WavFacts:
    size: int
    duration_ms: int | None
    sha256: str


class RecordingFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    async def locate(self, relative: str, linkedid: str, started_at: float) -> Path | None:
        """The call's file: where the dialplan said it put it, else looked for around
        the call's start in UTC and in local time."""
        return await asyncio.to_thread(self._locate, relative, linkedid, started_at)

    def _locate(self, relative: str, linkedid: str, started_at: float) -> Path | None:
        if relative and (self.root / relative).is_file():
            return self.root / relative
        start = datetime.fromtimestamp(started_at, UTC)
        days = {(start + timedelta(days=d)).astimezone(tz).date()
                for d in (-1, 0, 1) for tz in (UTC, None)}
        for day in sorted(days):
            path = self.root / f"{day:%Y/%m/%d}" / f"{linkedid}.wav"
            if path.is_file():
                return path
        return None

    async def heard(self, path: Path) -> Heard | None:
        return await asyncio.to_thread(_heard, path)

    async def describe(self, path: Path) -> WavFacts:
        return await asyncio.to_thread(_describe, path)


def _heard(path: Path) -> Heard | None:
    repair_wav(path)  # a file cut by an Asterisk crash says it holds nothing
    duration_ms = wav_duration_ms(path)
    if not duration_ms:
        return None
    ended = path.stat().st_mtime  # repair_wav keeps it: the moment MixMonitor stopped
    return Heard(ended - duration_ms / 1000, ended)


def _describe(path: Path) -> WavFacts:
    repair_wav(path)
    return WavFacts(*describe_wav(path))
