"""Transcribers: speech to text for search. Pluggable by name (setting
``recordings_transcriber``, the table ``TRANSCRIBERS``); every one is blocking.

The offline default is pocketsphinx with the English model its wheel ships: it gives
usable words for English speech only. A Mandarin model (or a remote service) is another
class with the same ``name`` and ``transcribe``.

**Not in the server's process.** pocketsphinx's decoder holds the GIL while it loads its
model and decodes: in a thread it froze the event loop for 17 s while transcribing a
30 s call (AMI pings went unanswered, requests hung). A transcriber therefore runs in a
child process (:func:`transcribe`): ``python -m callcenter.services.transcripts`` reads
the pickled transcriber and the audio on stdin and writes the text on stdout. Only one
that declares ``isolated = False`` (it does no real work, like ``none``) runs inline.
The child is killed when its job is cancelled (server shutdown).
"""

from __future__ import annotations

import asyncio
import os
import pickle
import sys
from typing import Protocol

from callcenter.errors import SettingsError

SAMPLE_RATE = 16000  # what the pocketsphinx models are trained on


class TranscriptionFailed(RuntimeError):
    """The transcriber's process failed (a job error, retried; never an HTTP answer)."""


class Transcriber(Protocol):
    name: str

    def transcribe(self, pcm: bytes) -> str:
        """Text of 16 kHz mono signed 16-bit little-endian audio."""
        ...


class NoTranscriber:
    name = "none"
    isolated = False  # nothing to isolate: no child process

    def transcribe(self, pcm: bytes) -> str:
        return ""


class PocketsphinxTranscriber:
    name = "pocketsphinx"

    def transcribe(self, pcm: bytes) -> str:
        # Imported here: loading the model takes a moment and only this transcriber needs
        # it. A Decoder is not thread-safe, so each call gets its own.
        from pocketsphinx import Decoder

        decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
        decoder.start_utt()
        decoder.process_raw(pcm, no_search=False, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return hyp.hypstr if hyp is not None else ""


TRANSCRIBERS: dict[str, type[NoTranscriber] | type[PocketsphinxTranscriber]] = {
    "none": NoTranscriber, "pocketsphinx": PocketsphinxTranscriber}


def transcriber_named(name: str) -> Transcriber:
    try:
        return TRANSCRIBERS[name]()
    except KeyError:
        raise SettingsError(
            f"invalid setting CALLCENTER_RECORDINGS_TRANSCRIBER={name!r}: "
            f"one of {', '.join(TRANSCRIBERS)}",
            setting="CALLCENTER_RECORDINGS_TRANSCRIBER") from None


async def transcribe(transcriber: Transcriber, pcm: bytes) -> str:
    """The text of ``pcm``, computed off the event loop and outside its process."""
    if not getattr(transcriber, "isolated", True):
        return transcriber.transcribe(pcm)
    payload = await asyncio.to_thread(pickle.dumps, (transcriber, pcm), 5)
    # The child imports what the parent can (a transcriber class from any module).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", __name__, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
    try:
        out, err = await child.communicate(payload)
    except BaseException:  # cancelled (shutdown): the child goes too
        if child.returncode is None:
            child.kill()
            await child.wait()
        raise
    if child.returncode != 0:
        raise TranscriptionFailed(
            f"transcriber {transcriber.name} exited {child.returncode}: "
            f"{err.decode(errors='replace')[-500:]}")
    return out.decode()


def _child() -> None:
    transcriber, pcm = pickle.load(sys.stdin.buffer)
    # Only the text goes to the parent: whatever the transcriber's library prints (C
    # code writes to file descriptor 1) goes to stderr.
    with os.fdopen(os.dup(1), "wb") as text:
        os.dup2(2, 1)
        text.write(transcriber.transcribe(pcm).encode())


if __name__ == "__main__":
    _child()
