"""RTP on the loopback for tests that judge audio: a pcap of digital silence for a sipp
phone to play, and a sniffer of the RTP that reaches a phone's media port.

Silence: a sipp phone that sends nothing makes Asterisk send nothing to the far end of
its bridge either (ChanSpy's whisper and barge are mixed into frames that flow), so a
phone that must "say nothing" plays A-law silence instead. The packets copy the
Ethernet, IP and UDP headers of sipp's own g711a.pcap (sipp replays the UDP payload and
keeps the pcap's timing), 240 samples (30 ms) each.

Sniffer: a raw AF_PACKET socket on ``lo`` (root), read from the event loop; it keeps the
payload of every RTP packet to the watched UDP ports with the time it arrived. Loopback
shows each packet twice (outgoing, then incoming): only the incoming copy is kept.
"""

from __future__ import annotations

import asyncio
import math
import socket
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness.sipp import PCAPS

_PCAP_HEADER, _RECORD_HEADER = 24, 16
_ETHERNET, _IP, _UDP, _RTP = 14, 20, 8, 12
_SAMPLES = 240  # per packet of the template (30 ms at 8 kHz)
ALAW_SILENCE = 0xD5
_ETH_P_ALL = 0x0003
_PACKET_OUTGOING = 4
_BATCH = 500


def silence_pcap(path: Path, seconds: float) -> Path:
    """``seconds`` of A-law digital silence as RTP (payload type 8), written to ``path``."""
    data = (PCAPS / "g711a.pcap").read_bytes()
    length = struct.unpack_from("<I", data, _PCAP_HEADER + 8)[0]
    first = data[_PCAP_HEADER + _RECORD_HEADER:_PCAP_HEADER + _RECORD_HEADER + length]
    headers = first[:_ETHERNET + _IP + _UDP]
    ssrc = first[_ETHERNET + _IP + _UDP + 8:_ETHERNET + _IP + _UDP + 12]
    out = bytearray(data[:_PCAP_HEADER])
    for n in range(int(seconds * 8000 / _SAMPLES)):
        at = n * _SAMPLES / 8000
        rtp = struct.pack(">BBHI", 0x80, 0x88 if n == 0 else 0x08, n & 0xFFFF,
                          (n * _SAMPLES) & 0xFFFFFFFF) + ssrc
        packet = headers + rtp + bytes([ALAW_SILENCE]) * _SAMPLES
        out += struct.pack("<IIII", int(at), int(at % 1 * 1_000_000), len(packet),
                           len(packet)) + packet
    path.write_bytes(bytes(out))
    return path


def _alaw(value: int) -> int:
    value ^= 0x55
    magnitude = (value & 0x0F) << 4
    segment = (value & 0x70) >> 4
    magnitude += 8 if segment == 0 else 0x108
    if segment > 1:
        magnitude <<= segment - 1
    return magnitude if value & 0x80 else -magnitude


def _ulaw(value: int) -> int:
    value = ~value & 0xFF
    magnitude = (((value & 0x0F) << 3) + 0x84) << ((value & 0x70) >> 4)
    return 0x84 - magnitude if value & 0x80 else magnitude - 0x84


_LINEAR = {8: [_alaw(v) for v in range(256)], 0: [_ulaw(v) for v in range(256)]}


@dataclass(frozen=True)
class Received:
    packets: int
    rms: float  # of the decoded samples; A-law silence is 8


@dataclass
class RtpSniffer:
    ports: set[int]
    _packets: list[tuple[float, int, int, bytes]] = field(default_factory=list)
    _sock: socket.socket | None = None

    def start(self) -> RtpSniffer:
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ALL))
        sock.bind(("lo", 0))
        sock.setblocking(False)
        asyncio.get_running_loop().add_reader(sock.fileno(), self._read)
        self._sock = sock
        return self

    def close(self) -> None:
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None

    def _read(self) -> None:
        assert self._sock is not None
        for _ in range(_BATCH):  # then the loop's other callbacks get their turn
            try:
                frame, address = self._sock.recvfrom(65535)
            except BlockingIOError:
                return
            if address[2] != _PACKET_OUTGOING:
                self._keep(frame)

    def _keep(self, frame: bytes) -> None:
        if len(frame) < _ETHERNET + _IP + _UDP + _RTP or frame[12:14] != b"\x08\x00":
            return
        ihl = (frame[_ETHERNET] & 0x0F) * 4
        if frame[_ETHERNET + 9] != socket.IPPROTO_UDP:
            return
        udp = _ETHERNET + ihl
        port = struct.unpack_from(">H", frame, udp + 2)[0]
        rtp = udp + _UDP
        if port not in self.ports or frame[rtp] >> 6 != 2:
            return
        payload_type = frame[rtp + 1] & 0x7F
        if payload_type in _LINEAR:
            start = rtp + _RTP + (frame[rtp] & 0x0F) * 4
            self._packets.append((time.monotonic(), port, payload_type, frame[start:]))

    def received(self, port: int, since: float, until: float) -> Received:
        """What reached ``port`` between two ``time.monotonic()`` instants."""
        chosen = [(kind, payload) for at, p, kind, payload in self._packets
                  if p == port and since <= at < until]
        samples: Iterable[int] = (_LINEAR[kind][b] for kind, payload in chosen
                                  for b in payload)
        squares = count = 0
        for sample in samples:
            squares += sample * sample
            count += 1
        return Received(len(chosen), math.sqrt(squares / count) if count else 0.0)
