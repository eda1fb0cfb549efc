"""Transcribers: speech to text for search. Pluggable by name (setting
``recordings_transcriber``); every one is blocking and is run in a worker thread.

The offline default is pocketsphinx with the English model its wheel ships: it gives
usable words for English speech only. A Mandarin model (or a remote service) is another
class with the same ``transcribe`` method.
"""

from __future__ import annotations

from typing import Protocol

from callcenter.errors import SettingsError

SAMPLE_RATE = 16000  # what the pocketsphinx models are trained on


class Transcriber(Protocol):
    name: str

    def transcribe(self, pcm: bytes) -> str:
        """Text of 16 kHz mono signed 16-bit little-endian audio."""
        ...


class NoTranscriber:
    name = "none"

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
