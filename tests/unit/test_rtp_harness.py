"""tests/harness/rtp.py, which the supervision end-to-end test judges audio with: the
silence it makes sipp play, and the G.711 decoding of what it sniffs."""

from __future__ import annotations

import struct
from pathlib import Path

from tests.harness.rtp import _LINEAR, ALAW_SILENCE, RtpSniffer, silence_pcap


def test_silence_is_a_pcap_of_30_ms_alaw_packets(tmp_path: Path) -> None:
    data = silence_pcap(tmp_path / "s.pcap", seconds=3).read_bytes()
    assert struct.unpack_from("<I", data)[0] == 0xA1B2C3D4
    offset, stamps = 24, []
    while offset < len(data):
        seconds, micros, length, _ = struct.unpack_from("<IIII", data, offset)
        packet = data[offset + 16:offset + 16 + length]
        rtp = packet[42:]
        assert rtp[0] == 0x80 and rtp[1] & 0x7F == 8
        assert rtp[12:] == bytes([ALAW_SILENCE]) * 240
        stamps.append((seconds + micros / 1e6, struct.unpack_from(">HI", rtp, 2)))
        offset += 16 + length
    assert len(stamps) == 100
    assert [s[1] for s in stamps[:3]] == [(0, 0), (1, 240), (2, 480)]
    assert abs(stamps[-1][0] - 99 * 0.03) < 1e-3


def test_g711_decoding() -> None:
    alaw, ulaw = _LINEAR[8], _LINEAR[0]
    assert alaw[0xD5] == 8 and alaw[0x55] == -8  # A-law's silence
    assert max(alaw) == 32256 and min(alaw) == -32256
    assert ulaw[0xFF] == 0 and ulaw[0x7F] == 0
    assert max(ulaw) == 32124 and min(ulaw) == -32124


def _frame(port: int, payload: bytes, version: int = 2) -> bytes:
    """An Ethernet frame of IPv4, UDP to ``port`` and RTP (payload type 8)."""
    ethernet = bytes(12) + b"\x08\x00"
    ip = bytes([0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17]) + bytes(10)
    udp = struct.pack(">HHHH", 20000, port, 8 + 12 + len(payload), 0)
    rtp = bytes([version << 6, 8]) + bytes(10)
    return ethernet + ip + udp + rtp + payload


def test_only_rtp_to_the_watched_ports_is_kept_and_decoded() -> None:
    sniffer = RtpSniffer({4000})
    sniffer._keep(_frame(4000, bytes([0xD5]) * 160))
    sniffer._keep(_frame(4002, bytes([0xAA]) * 160))  # another port
    sniffer._keep(_frame(4000, bytes([0xAA]) * 160, version=1))  # not RTP
    loud = sniffer.received(4000, 0, float("inf"))
    assert (loud.packets, loud.rms) == (1, 8.0)
    assert sniffer.received(4000, 0, 0).packets == 0
