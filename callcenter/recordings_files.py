"""MixMonitor's WAV files on disk: what one holds, and the repair of one cut by a crash.

Asterisk's ``format_wav`` writes the 44-byte RIFF header with both sizes (RIFF and
``data``) set to 0 and fills them in only when the file is closed; the samples go out
through a 32 KiB stdio buffer (``ast_writefile``). When Asterisk dies mid-call (SIGKILL,
a crash, the power of the PBX box kept) the file holds every sample flushed before the
end, under a header that says "no audio": readers (Python's ``wave``, pydub, browsers)
see an empty recording. :func:`repair_wav` writes the real sizes into that header, so
what was recorded up to the crash, less at most the unflushed 32 KiB (2.048 s at
8 kHz), is kept (docs/recordings.md, "A PBX crash").

Everything here is blocking file I/O: run it in a thread (``asyncio.to_thread``). Never
repair a file Asterisk is still writing (a call in progress): only a file of a call that
has ended, or one old enough that no call can still be writing it.
"""

from __future__ import annotations

import hashlib
import os
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

# The largest size a RIFF header can state (its size fields are 32-bit).
MAX_RIFF = 0xFFFFFFFF
# What writers that cannot seek back (ffmpeg or sox to a pipe) leave in the size fields.
STREAMING = (0, MAX_RIFF)


@dataclass(frozen=True)
class WavLayout:
    """Where a WAV file's ``data`` chunk is, as its header states and as the disk has it."""

    riff_size: int         # the RIFF chunk size the header states
    block_align: int       # bytes per sample frame (2: 16-bit mono)
    data_offset: int       # first byte of the samples
    data_size: int         # the data chunk size the header states
    file_size: int         # bytes on disk

    @property
    def on_disk(self) -> int:
        """Bytes of whole sample frames after the data chunk's header."""
        available = max(0, min(self.file_size - self.data_offset, MAX_RIFF))
        return available - available % max(self.block_align, 1)

    @property
    def needs_repair(self) -> bool:
        """The header states no audio (or more than there is) while samples are there,
        or its RIFF size disagrees with the data it carries."""
        if self.on_disk == 0:
            return False
        if self.data_size in STREAMING or self.data_size > self.file_size - self.data_offset:
            return True
        return self.data_offset + self.data_size - 8 > self.riff_size


def layout(path: Path) -> WavLayout | None:
    """The chunk layout of a PCM WAV file, or None if it is not one (no header, another
    container, no ``data`` chunk, or cut inside its header)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        riff_size = struct.unpack_from("<I", head, 4)[0]
        block_align = 0
        offset = 12
        while True:
            f.seek(offset)
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            name, length = chunk[:4], struct.unpack_from("<I", chunk, 4)[0]
            if name == b"fmt ":
                fmt = f.read(min(length, 16))
                if len(fmt) < 16:
                    return None
                block_align = struct.unpack_from("<H", fmt, 12)[0]
            elif name == b"data":
                if not block_align:
                    return None  # samples of an unknown shape
                return WavLayout(riff_size, block_align, offset + 8, length, size)
            # chunks are padded to an even length
            offset += 8 + length + (length & 1)
            if offset >= size:
                return None


def repair_wav(path: Path) -> bool:
    """Write the real RIFF and data sizes into the header of a WAV file cut before its
    writer closed it (Asterisk killed mid-call). True if the file was repaired; False if
    it needed nothing, holds no samples past its header, or is not a PCM WAV file.

    Only the two size fields change (8 bytes, written in place and fsynced); the samples
    are not touched, and a trailing half sample frame is left outside the data chunk.
    Safe to run twice, and on any file: a complete one is left as it is. If the file
    grows meanwhile (Asterisk flushing its last samples as it closes a file just after
    the hang-up), the sizes are written again from its new length."""
    try:
        found = layout(path)
    except OSError:
        return False
    if found is None or not found.needs_repair:
        return False
    for _ in range(3):
        _write_sizes(path, found)
        try:
            now = layout(path)
        except OSError:
            break
        if now is None or now.file_size == found.file_size:
            break
        found = now  # it grew after it was measured: the sizes written may be short
    return True


def _write_sizes(path: Path, found: WavLayout) -> None:
    data_size = found.on_disk
    riff_size = min(found.data_offset + data_size - 8, MAX_RIFF)
    before = path.stat()
    with path.open("r+b") as f:
        f.seek(4)
        f.write(struct.pack("<I", riff_size))
        f.seek(found.data_offset - 4)
        f.write(struct.pack("<I", data_size))
        f.flush()
        os.fsync(f.fileno())
    # The modification time stays the recording's: when its last sample was written (the
    # end of a call that ended unseen is read from it), and what "old enough" is judged by.
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def holds_no_audio(path: Path) -> bool:
    """An empty file, or a WAV file with no sample past its header (whatever the header
    says): what MixMonitor leaves for a call that was never bridged, as it creates the
    file when the call reaches it. False for anything else, a missing file included."""
    try:
        if path.stat().st_size == 0:
            return True
        found = layout(path)
    except OSError:
        return False
    return found is not None and found.on_disk == 0


def wav_duration_ms(path: Path) -> int | None:
    """The duration the header states, or None if the file is not a WAV file."""
    try:
        with wave.open(str(path), "rb") as w:
            return int(1000 * w.getnframes() / w.getframerate())
    except (wave.Error, EOFError, OSError):
        return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_wav(path: Path) -> tuple[int, int | None, str]:
    """(size in bytes, duration in ms as the header states or None if not a WAV file,
    sha256 hex) of a recording. Call :func:`repair_wav` first on a file of a call cut by
    a crash, or its duration reads 0."""
    return path.stat().st_size, wav_duration_ms(path), sha256_of(path)
