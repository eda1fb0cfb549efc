"""The recordings pipeline, search and playback rules.

A job queue in PostgreSQL (``recording_jobs``) drives three kinds of work per recording:
``process`` (verify the WAV MixMonitor wrote, convert it to MP3, peaks, checksums, then
remove the WAV), ``transcribe`` and ``index`` (refresh the searchable copy of the call's
links and words). Jobs are claimed with a lease, so a worker killed mid-job leaves its job
to the next claim; every step is safe to run twice. Blocking work (pydub, ffmpeg, hashing,
file I/O, jieba) runs in threads; the transcriber, which holds the GIL for as long as it
decodes, runs in a child process (services/transcripts.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import shutil
import subprocess
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg

from callcenter.db import recordings as db
from callcenter.domain.recordings import (
    SearchFilters,
    encode_cursor,
    inside,
    peaks,
    phone_digits,
    reversed_digits,
)
from callcenter.domain.text_search import query_words, segment, warm_up
from callcenter.domain.users import User
from callcenter.errors import CallcenterError, Forbidden, NotFound
from callcenter.recordings_files import holds_no_audio, repair_wav, sha256_of
from callcenter.services.transcripts import SAMPLE_RATE, Transcriber, transcribe

log = logging.getLogger(__name__)

FORMAT, SUFFIX, BITRATE = "mp3", ".mp3", "32k"
MAX_ATTEMPTS = 5
# A converted file whose decoded length differs more than this from the WAV is refused.
DURATION_TOLERANCE_MS = 250


class RecordingUnusable(CallcenterError):
    error_id = "recording_unusable"
    http_status = 409


@cache
def ffmpeg() -> str:
    """The system's ffmpeg, else the one the imageio-ffmpeg wheel ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _audio_segment() -> Any:
    from pydub import AudioSegment

    # pydub finds its encoder through this class attribute; point it at ours.
    AudioSegment.converter = ffmpeg()
    return AudioSegment


def decode_pcm(path: Path, rate: int) -> bytes:
    """Mono 16-bit PCM of any audio file (ffmpeg fails loudly on a damaged one)."""
    done = subprocess.run([ffmpeg(), "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le",
                           "-ac", "1", "-ar", str(rate), "-"], capture_output=True, check=False)
    if done.returncode != 0 or done.stderr.strip():
        raise RecordingUnusable(f"{path.name} does not decode: "
                                f"{done.stderr.decode(errors='replace')[:300]}")
    return done.stdout


@dataclass(frozen=True)
class Converted:
    size: int
    duration_ms: int
    sha256: str
    peaks: list[int]
    original_sha256: str
    repaired: bool = False  # the WAV was cut by a PBX crash; its header was repaired


def convert(src: Path, dst: Path) -> Converted:
    """WAV -> MP3 beside it, verified; blocking. The MP3 appears under its name only
    once complete (written as .part, then renamed), so a killed run leaves no file that
    looks finished. A WAV cut by a PBX crash (its header still says "no audio") is
    repaired first, so what was recorded up to the crash is kept."""
    repaired = repair_wav(src)
    try:
        with wave.open(str(src), "rb") as w:
            if w.getnframes() == 0:
                raise RecordingUnusable(f"{src.name} holds no audio")
    except (wave.Error, EOFError) as exc:
        raise RecordingUnusable(f"{src.name} is not a WAV file: {exc}") from None
    original_sha256 = sha256_of(src)
    audio = _audio_segment().from_wav(str(src))
    part = dst.with_name(dst.name + ".part")
    audio.export(str(part), format=FORMAT, bitrate=BITRATE, parameters=["-ac", "1"]).close()
    rate = 8000
    decoded_ms = len(decode_pcm(part, rate)) * 1000 // (2 * rate)
    if abs(decoded_ms - len(audio)) > DURATION_TOLERANCE_MS:
        part.unlink(missing_ok=True)
        raise RecordingUnusable(
            f"{dst.name}: converted length {decoded_ms} ms, original {len(audio)} ms")
    with part.open("rb+") as f:
        os.fsync(f.fileno())
    os.replace(part, dst)
    full_scale = 1 << (8 * audio.sample_width - 1)
    return Converted(dst.stat().st_size, len(audio), sha256_of(dst),
                     peaks(audio.get_array_of_samples(), full_scale), original_sha256,
                     repaired)


def _words_of(row: asyncpg.Record) -> str:
    parts = [row["notes"], row["transcript"], row["complaint_text"], row["flag_details"],
             row["customer_name"], row["plate"]]
    return segment(" ".join(p for p in parts if p))


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root.resolve()).as_posix()


class RecordingWorker:
    """Runs queued recording jobs one at a time; every ``purge_every`` seconds, the
    retention purge and the tidying of files no call needs (:func:`tidy_files`)."""

    def __init__(self, pool: asyncpg.Pool, root: Path, transcriber: Transcriber, *,
                 lease_seconds: float = 600, poll_seconds: float = 1.0,
                 retention_days: int = 0, purge_every: float = 3600) -> None:
        self._pool = pool
        self._root = root
        self._transcriber = transcriber
        self._lease = lease_seconds
        self._poll = poll_seconds
        self._retention_days = retention_days
        self._purge_every = purge_every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="recordings-worker")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        try:
            # jieba's dictionary, before the first index job or search needs it; then
            # out of the garbage collector's way (a million objects that live as long
            # as the process: a full collection walking them stalls the event loop)
            await asyncio.to_thread(warm_up)
            gc.freeze()
        except Exception:
            log.exception("recordings worker: the word dictionary did not load")
        next_purge = time.monotonic()
        while True:
            try:
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + self._purge_every
                    await tidy_files(self._pool, self._root)
                    if self._retention_days:
                        await purge_expired(self._pool, self._root, self._retention_days)
                if not await self.run_once():
                    await asyncio.sleep(self._poll)
            except asyncio.CancelledError:
                raise
            except Exception:
                # A database outage, say: log it and keep the worker alive.
                log.exception("recordings worker: unexpected failure")
                await asyncio.sleep(self._poll)

    async def drain(self) -> int:
        """Run every job that is due now (tests, the CLI); returns how many ran."""
        ran = 0
        while await self.run_once():
            ran += 1
        return ran

    async def run_once(self) -> bool:
        job = await db.claim_job(self._pool, self._lease)
        if job is None:
            return False
        try:
            await {"process": self._process, "transcribe": self._transcribe,
                   "index": self._index}[job.kind](job)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            if job.attempts >= MAX_ATTEMPTS or isinstance(exc, RecordingUnusable):
                log.error("recording %s: %s job failed for good: %s", job.recording_id,
                          job.kind, reason)
                await db.give_up(self._pool, job, reason)
            else:
                log.warning("recording %s: %s job failed (attempt %s), retrying: %s",
                            job.recording_id, job.kind, job.attempts, reason)
                await db.retry_job(self._pool, job.id, 5.0 * 2 ** job.attempts, reason)
        return True

    async def _process(self, job: db.Job) -> None:
        row = await db.recording_file(self._pool, job.recording_id)
        if row is None or row["status"] != "ready":
            await db.finish_job(self._pool, job.id)
            return
        current = inside(self._root, row["path"])
        if row["format"] == FORMAT:
            # Converted and committed before, then stopped before removing the original.
            await asyncio.to_thread(current.with_suffix(".wav").unlink, missing_ok=True)
            await db.finish_job(self._pool, job.id)
            return
        dst = current.with_suffix(SUFFIX)
        done = await asyncio.to_thread(convert, current, dst)
        async with self._pool.acquire() as conn, conn.transaction():
            await db.save_conversion(
                conn, job.recording_id, path=_relative(self._root, dst), fmt=FORMAT,
                size=done.size, duration_ms=done.duration_ms, sha256=done.sha256,
                peaks=done.peaks, original_sha256=done.original_sha256)
            await db.queue_job(conn, job.recording_id, "transcribe")
        # Only now, with the verified MP3 on record, is the original let go.
        await asyncio.to_thread(current.unlink, missing_ok=True)
        await db.finish_job(self._pool, job.id)
        if done.repaired:
            log.warning("recording %s was cut by a PBX crash: kept its %s ms",
                        job.recording_id, done.duration_ms)
        log.info("recording %s converted: %s bytes, %s ms", job.recording_id, done.size,
                 done.duration_ms)

    async def _transcribe(self, job: db.Job) -> None:
        row = await db.recording_file(self._pool, job.recording_id)
        if row is not None and row["status"] == "ready" and row["format"] == FORMAT:
            path = inside(self._root, row["path"])
            pcm = await asyncio.to_thread(decode_pcm, path, SAMPLE_RATE)
            text = await transcribe(self._transcriber, pcm)
            await db.set_transcript(self._pool, job.recording_id, text)
            await db.queue_job(self._pool, job.recording_id, "index")
        await db.finish_job(self._pool, job.id)

    async def _index(self, job: db.Job) -> None:
        row = await db.index_source(self._pool, job.recording_id)
        if row is not None:
            words = await asyncio.to_thread(_words_of, row)
            values = {**dict(row), "started_at": row["started_at"] or row["created_at"],
                      "phone": phone_digits(row["phone"]),
                      "phone_rev": reversed_digits(row["phone"])}
            async with self._pool.acquire() as conn, conn.transaction():
                await db.set_index(conn, job.recording_id, values, words)
                await db.finish_job(conn, job.id)
            return
        await db.finish_job(self._pool, job.id)


# -- reconciliation and retention ---------------------------------------------------------

@dataclass
class Reconciliation:
    orphans: list[str] = field(default_factory=list)   # files no row points to
    missing: list[int] = field(default_factory=list)   # rows whose file is not there
    repaired: list[str] = field(default_factory=list)  # WAVs cut by a crash, repaired
    removed: list[str] = field(default_factory=list)   # WAVs with no audio, removed


def _audio_files(root: Path, min_age: float) -> set[str]:
    cutoff = time.time() - min_age
    found: set[str] = set()
    if not root.is_dir():
        return found
    for path in root.rglob("*"):
        # Files still being written (a call in progress, a conversion) are not judged.
        if path.suffix in (".wav", SUFFIX) and path.is_file() and path.stat().st_mtime < cutoff:
            found.add(_relative(root, path.resolve()))
    return found


async def reconcile(pool: asyncpg.Pool, root: Path, min_age: float = 600) -> Reconciliation:
    """Files without rows and rows without files (transfers and pickups can leave
    MixMonitor files no call knows; disks lose files), after :func:`tidy_files`."""
    report = Reconciliation()
    report.repaired, report.removed = await tidy_files(pool, root, min_age)
    files = await asyncio.to_thread(_audio_files, root, min_age)
    known = set()
    for row in await db.known_paths(pool):
        known.add(row["path"])
        # The WAV of a converted recording waits for its process job to remove it.
        known.add(str(Path(row["path"]).with_suffix(".wav")))
        exists = row["status"] != "missing" and await asyncio.to_thread(
            _exists, root, row["path"])
        if not exists:
            report.missing.append(row["id"])
    report.orphans = sorted(files - known)
    if report.orphans or report.missing:
        log.warning("recordings: %s files without a row, %s rows without a file",
                    len(report.orphans), len(report.missing))
    return report


def _old_wavs(root: Path, min_age: float) -> dict[str, str]:
    """WAV files untouched for ``min_age`` seconds: relative path -> the linkedid
    MixMonitor named the file after."""
    cutoff = time.time() - min_age
    found: dict[str, str] = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.suffix == ".wav" and not path.is_symlink():
                with contextlib.suppress(OSError):  # gone meanwhile
                    if path.stat().st_mtime < cutoff:
                        found[_relative(root, path.resolve())] = path.stem
    return found


def _tidy(root: Path, paths: list[str]) -> tuple[list[str], list[str]]:
    repaired, removed = [], []
    for relative in paths:
        path = root / relative
        if holds_no_audio(path):
            path.unlink(missing_ok=True)
            removed.append(relative)
        elif repair_wav(path):
            repaired.append(relative)
    return repaired, removed


async def tidy_files(pool: asyncpg.Pool, root: Path,
                     min_age: float = 600) -> tuple[list[str], list[str]]:
    """WAV files that no recording row points to and no open call owns, untouched for
    ``min_age`` seconds: removed if they hold no audio (MixMonitor creates the file
    when a call reaches it, bridged or not, so every unanswered attempt leaves an empty
    one), repaired if a PBX crash cut them (their audio made playable). Returns the
    relative paths (repaired, removed)."""
    if not await asyncio.to_thread(root.is_dir):
        return [], []
    old = await asyncio.to_thread(_old_wavs, root, min_age)
    if not old:
        return [], []
    in_use = await db.files_in_use(pool, old)
    repaired, removed = await asyncio.to_thread(
        _tidy, root, sorted(set(old) - in_use))
    if repaired or removed:
        log.info("recordings: %s files cut by a crash repaired, %s empty files removed",
                 len(repaired), len(removed))
    return repaired, removed


def _exists(root: Path, relative: str) -> bool:
    try:
        return inside(root, relative).is_file()
    except CallcenterError:
        return False


async def purge_expired(pool: asyncpg.Pool, root: Path, days: int, batch: int = 500) -> int:
    """Remove the files of recordings older than ``days``; the rows stay, marked purged,
    with an audit entry each. The file goes first: a purge stopped in between is redone."""
    purged = 0
    while rows := await db.due_for_purge(pool, days, batch):
        for row in rows:
            with contextlib.suppress(CallcenterError):  # a bad path has no file to remove
                await asyncio.to_thread(inside(root, row["path"]).unlink, missing_ok=True)
            purged += await db.mark_purged(pool, row["id"], days)
    if purged:
        log.info("recordings: purged %s past %s days", purged, days)
    return purged


# -- search and playback ---------------------------------------------------------------

def _item(row: asyncpg.Record) -> dict[str, Any]:
    out = dict(row)
    out["started_at"] = row["started_at"].isoformat()
    return out


async def search(pool: asyncpg.Pool, user: User, text: str | None,
                 filters_for: Callable[[tuple[str, ...]], SearchFilters]) -> dict[str, Any]:
    """One page of recordings: ``text`` segmented into words (off the loop: jieba), then
    ``filters_for(words)`` the filters (http/schemas.py RecordingSearch.filters). The
    total is exact up to COUNT_BOUND; past it ``total_is_lower_bound`` says "more than
    ``total``"."""
    words = tuple(await asyncio.to_thread(query_words, text)) if text else ()
    filters = filters_for(words)
    if not user.supervises:
        filters = filters.restricted_to(user.id)
    found = await db.search(pool, filters)
    rows, cursor = found.rows, None
    if len(rows) == filters.limit:
        cursor = encode_cursor(rows[-1]["started_at"], rows[-1]["id"])
    return {"items": [_item(r) for r in rows], "total": found.total,
            "total_is_lower_bound": found.total_is_lower_bound, "next_cursor": cursor}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


async def details(pool: asyncpg.Pool, user: User, recording_id: int) -> dict[str, Any]:
    row = await _visible(pool, user, recording_id)
    out = {k: v for k, v in dict(row).items() if k != "path"}
    for key in ("started_at", "answered_at", "ended_at", "purged_at"):
        out[key] = _iso(row[key])
    out["peaks"] = list(row["peaks"] or [])
    return out


async def _visible(pool: asyncpg.Pool, user: User, recording_id: int) -> asyncpg.Record:
    row = await db.get_recording(pool, recording_id)
    if row is None:
        raise NotFound("no such recording")
    if not user.supervises and row["agent_id"] != user.id:
        raise Forbidden("another agent's recording")
    return row


async def audio_file(pool: asyncpg.Pool, root: Path, user: User,
                     recording_id: int) -> tuple[Path, str]:
    """The file to play and its format; the path comes only from the row."""
    row = await _visible(pool, user, recording_id)
    if row["status"] != "ready":
        raise RecordingUnusable(f"the recording is {row['status']}", status=row["status"])
    path = inside(root, row["path"])
    if not await asyncio.to_thread(path.is_file):
        raise NotFound("the recording's file is missing")
    return path, row["format"]


async def audit_playback(pool: asyncpg.Pool, user: User, recording_id: int, *,
                         download: bool, range_start: int | None, remote: str | None,
                         user_agent: str) -> None:
    action = "recording.download" if download else "recording.play"
    await db.audit_playback(
        pool, actor_id=user.id, action=action, recording_id=recording_id, remote=remote,
        details={"range_start": range_start, "user_agent": user_agent[:200]},
        always=download or not range_start)


async def audit_trail(pool: asyncpg.Pool, *, target_type: str | None,
                      target_id: str | None, actor_id: int | None, before_id: int | None,
                      limit: int) -> list[dict[str, Any]]:
    rows = await db.list_audit(pool, target_type=target_type or None,
                               target_id=target_id or None, actor_id=actor_id,
                               before_id=before_id, limit=limit)
    return [{**dict(r), "at": r["at"].isoformat()} for r in rows]
