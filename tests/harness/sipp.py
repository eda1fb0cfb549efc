"""sipp phones as asyncio subprocesses: a customer calling in, agents' and customers'
phones answering (or not) on fixed SIP ports.

Every instance gets its own media port (and the port + 2 that sipp also opens) and
control port, probed free, so several phones run side by side; ``stop`` (or the async
context manager) kills what is still running.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import shutil
import socket
import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness import log_scan

SCENARIOS = Path(__file__).resolve().parents[1] / "sipp"
PCAPS = Path("/usr/share/sip-tester")
DTMF_PCAP = {**{d: f"dtmf_2833_{d}.pcap" for d in "0123456789"},
             "*": "dtmf_2833_star.pcap", "#": "dtmf_2833_pound.pcap"}
UAS_SCENARIOS = ("uas_answer", "uas_busy", "uas_unavailable", "uas_noanswer")
# the sandbox's agents (dialplans/render AGENTS) and the trunk's customer phone
AGENT_EXTENSIONS = tuple(str(n) for n in range(1001, 1051))
TRUNK_PORT = 16100

# sipp's media and control ports: 17000-18999, probed free, one step of 4 per phone
_PORT_FIRST, _PORT_LAST = 17000, 18996
_ports = itertools.cycle(range(_PORT_FIRST, _PORT_LAST, 4))


def phone_port(extension: str) -> int:
    """The UDP port of agent ``extension``'s static contact: 1001 -> 16001 ... 1050 ->
    16050 (dialplans/pjsip_agent.conf.in)."""
    return 16000 + int(extension) - 1000


class SippError(RuntimeError):
    """sipp could not start, failed, or outlived its timeout."""


def _udp_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_block() -> int:
    """A port p with p, p+1, p+2 and p+3 free on UDP: media p (and p+2, which sipp
    opens too), control p+1, and p+3 for the SIP port of a caller."""
    for _ in range((_PORT_LAST - _PORT_FIRST) // 4):
        port = next(_ports)
        if all(_udp_free(port + i) for i in range(4)):
            return port
    raise SippError("no free UDP ports for sipp media in 17000-18999")


def caller_scenario(keys: str, first_key_after: float = 2.5,
                    key_gap: float | Sequence[float] = 0.4, hold: float = 8.0) -> str:
    """caller_dtmf.xml with its DTMF block pressing ``keys`` (RFC 4733) and staying
    ``hold`` seconds after the last key unless the far end hangs up first. ``key_gap``:
    seconds between keys, one for all or one per key after the first."""
    gaps = [key_gap] * len(keys) if isinstance(key_gap, int | float) else [0.0, *key_gap]
    if len(gaps) != len(keys):
        raise ValueError(f"{len(keys)} keys need {len(keys) - 1} gaps")
    text = (SCENARIOS / "caller_dtmf.xml").read_text()
    steps = []
    for index, key in enumerate(keys):
        if key not in DTMF_PCAP:
            raise ValueError(f"no DTMF pcap for key {key!r}")
        pause = first_key_after if index == 0 else gaps[index]
        steps.append(f'  <pause milliseconds="{int(pause * 1000)}"/>')
        steps.append(f'  <nop><action><exec play_pcap_audio="{PCAPS / DTMF_PCAP[key]}"/>'
                     "</action></nop>")
    if not keys:
        steps.append(f'  <pause milliseconds="{int(first_key_after * 1000)}"/>')
    block = "\n".join(steps)
    text, count = re.subn(r"  <!-- DTMF BEGIN -->.*?<!-- DTMF END -->",
                          f"  <!-- DTMF BEGIN -->\n{block}\n  <!-- DTMF END -->",
                          text, flags=re.S)
    assert count == 1, "caller_dtmf.xml lost its DTMF markers"
    return _with_hold(text, hold)


def _with_hold(text: str, hold: float) -> str:
    text, count = re.subn(r'timeout="\d+"( ontimeout="hangup"/><!-- HOLD -->)',
                          rf'timeout="{int(hold * 1000)}"\1', text)
    assert count == 1, "scenario lost its HOLD marker"
    return text


@dataclass
class Sipp:
    """One running sipp process."""

    name: str
    args: list[str]
    workdir: Path
    media_port: int
    process: asyncio.subprocess.Process | None = None
    returncode: int | None = None
    _owns_workdir: bool = field(default=True, repr=False)

    @property
    def log(self) -> str:
        """sipp's screen output, error log and message trace (for failure messages)."""
        parts = []
        for path in sorted(self.workdir.glob("*")):
            if path.suffix in (".log", ".out") and path.stat().st_size:
                parts.append(f"---- {path.name}\n{path.read_text(errors='replace')[-6000:]}")
        return "\n".join(parts)

    async def start(self) -> Sipp:
        if shutil.which("sipp") is None:
            raise SippError("sipp is not installed (Debian package sip-tester)")
        log_scan.watch(self.workdir)
        out = (self.workdir / "screen.out").open("wb")
        try:
            self.process = await asyncio.create_subprocess_exec(
                "sipp", *self.args, cwd=self.workdir, stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
            )
        finally:
            out.close()
        return self

    async def wait(self, timeout: float = 30.0) -> int:
        """Wait for sipp to finish; kill it and raise SippError after ``timeout``."""
        assert self.process is not None, "not started"
        try:
            self.returncode = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            await self.stop()
            raise SippError(f"{self.name} still running after {timeout}s\n{self.log}") from None
        return self.returncode

    async def expect_success(self, timeout: float = 30.0) -> None:
        """Wait, and raise SippError unless every call of the scenario succeeded."""
        code = await self.wait(timeout)
        if code != 0:
            raise SippError(f"{self.name} exited {code}\n{self.log}")

    async def stop(self) -> None:
        """Kill sipp if it is still running (teardown)."""
        if self.process is not None and self.process.returncode is None:
            try:
                self.process.kill()
            except ProcessLookupError:
                pass
            self.returncode = await self.process.wait()

    def cleanup(self) -> None:
        if self._owns_workdir:
            log_scan.keep(self.workdir)
            shutil.rmtree(self.workdir, ignore_errors=True)

    async def __aenter__(self) -> Sipp:
        if self.process is None:
            await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
        self.cleanup()


def _common_args(name: str, media_port: int, calls: int) -> list[str]:
    return [
        "-i", "127.0.0.1", "-mi", "127.0.0.1", "-mp", str(media_port),
        "-cp", str(media_port + 1), "-m", str(calls), "-l", str(calls), "-nostdin",
        "-aa", "-trace_err", "-error_file", f"{name}-errors.log",
        "-trace_msg", "-message_file", f"{name}-messages.log",
    ]


async def start_caller(sip_host: str, sip_port: int, *, caller_id: str, keys: str = "",
                       number: str = "100", first_key_after: float = 2.5,
                       key_gap: float = 0.4, hold: float = 8.0) -> Sipp:
    """A customer calling ``number`` at Asterisk from 127.0.0.1 (the trunk), with
    caller ID ``caller_id``, pressing ``keys`` once the call is answered."""
    workdir = Path(tempfile.mkdtemp(prefix="sipp-caller-"))
    scenario = workdir / "caller.xml"
    scenario.write_text(caller_scenario(keys, first_key_after, key_gap, hold))
    media = _free_block()
    args = [f"{sip_host}:{sip_port}", "-sf", str(scenario), "-s", number, "-p", str(media + 3),
            "-key", "cid", caller_id, *_common_args("caller", media, 1)]
    return await Sipp(f"caller {caller_id}", args, workdir, media).start()


async def start_callers(sip_host: str, sip_port: int, scenario: str, caller_ids: Sequence[str],
                        *, rate: int, workdir: Path | None = None, number: str = "100",
                        at_once: int | None = None) -> Sipp:
    """Many customers calling ``number`` from one sipp process: ``scenario`` is a caller
    scenario (caller_scenario's text), one call per caller ID, ``rate`` calls a second,
    at most ``at_once`` (default: all) up at a time."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="sipp-callers-"))
    (workdir / "caller.xml").write_text(scenario.replace("[cid]", "[field0]"))
    (workdir / "numbers.csv").write_text("SEQUENTIAL\n" + "".join(f"{n};\n" for n in caller_ids))
    media = _free_block()
    args = [f"{sip_host}:{sip_port}", "-sf", str(workdir / "caller.xml"), "-s", number,
            "-inf", str(workdir / "numbers.csv"), "-p", str(media + 3), "-r", str(rate),
            *_common_args("callers", media, len(caller_ids))]
    args[args.index("-l") + 1] = str(at_once or len(caller_ids))
    return await Sipp(f"{len(caller_ids)} callers", args, workdir, media).start()


# Offsets in sipp's DTMF pcaps (Ethernet, IPv4 without options, UDP, RTP).
_PCAP_HEADER, _RECORD_HEADER = 24, 16
_UDP_CHECKSUM, _RTP = 14 + 20 + 6, 14 + 20 + 8


def keypad_pcaps(keys: str, folder: Path) -> list[Path]:
    """One pcap per key press, with RTP sequence numbers and timestamps rising from key
    to key. Asterisk takes an RFC 4733 event whose timestamp is not above the last one's
    for a retransmission and drops it; sipp's shipped pcaps carry fixed timestamps (13280
    for every "1"), so replaying them gives one "1" in "11", and "21" loses the 1."""
    paths = []
    for index, key in enumerate(keys):
        data = bytearray((PCAPS / DTMF_PCAP[key]).read_bytes())
        offset, first_seq, first_ts = _PCAP_HEADER, None, None
        while offset < len(data):
            length = struct.unpack_from("<I", data, offset + 8)[0]
            packet = offset + _RECORD_HEADER
            seq, stamp = struct.unpack_from(">HI", data, packet + _RTP + 2)
            first_seq = seq if first_seq is None else first_seq
            first_ts = stamp if first_ts is None else first_ts
            struct.pack_into(">HI", data, packet + _RTP + 2,
                             (1000 + index * 50 + seq - first_seq) & 0xFFFF,
                             16000 + index * 16000 + stamp - first_ts)
            struct.pack_into(">H", data, packet + _UDP_CHECKSUM, 0)  # none, as allowed
            offset = packet + length
        path = folder / f"key{index}.pcap"
        path.write_bytes(bytes(data))
        paths.append(path)
    return paths


def keypad_scenario(keys: str, folder: Path, *, first_key_after: float,
                    key_gap: float | Sequence[float], hold: float) -> str:
    """caller_scenario pressing ``keys`` from per-key pcaps written to ``folder``, so
    that Asterisk sees every one of them."""
    text = caller_scenario(keys, first_key_after, key_gap, hold)
    for key, path in zip(keys, keypad_pcaps(keys, folder), strict=True):
        text = text.replace(f'play_pcap_audio="{PCAPS / DTMF_PCAP[key]}"',
                            f'play_pcap_audio="{path}"', 1)
    return text


async def start_keypad_caller(sip_host: str, sip_port: int, *, caller_id: str, keys: str,
                              first_key_after: float, key_gap: float | Sequence[float],
                              hold: float) -> Sipp:
    """start_caller, with key presses that Asterisk sees every one of."""
    workdir = Path(tempfile.mkdtemp(prefix="sipp-ivr-caller-"))
    text = keypad_scenario(keys, workdir, first_key_after=first_key_after, key_gap=key_gap,
                           hold=hold)
    (workdir / "caller.xml").write_text(text)
    media = _free_block()
    args = [f"{sip_host}:{sip_port}", "-sf", str(workdir / "caller.xml"), "-s", "100",
            "-p", str(media + 3), "-key", "cid", caller_id, *_common_args("caller", media, 1)]
    return await Sipp(f"caller {caller_id}", args, workdir, media).start()


async def start_phone(port: int, scenario: str = "uas_answer", *, hold: float = 60.0,
                      calls: int = 1, audio: Path | None = None) -> Sipp:
    """A phone listening on 127.0.0.1:``port`` (an agent's static contact, phone_port,
    or the trunk's customer on TRUNK_PORT) that answers per ``scenario``: uas_answer (200, audio,
    hangs up after ``hold`` seconds; ``audio``: the pcap it plays instead of sipp's
    g711a.pcap), uas_busy (486), uas_unavailable (480) or uas_noanswer (rings until
    CANCEL)."""
    if scenario not in UAS_SCENARIOS:
        raise ValueError(f"unknown phone scenario {scenario!r}")
    if not _udp_free(port):
        raise SippError(f"UDP port {port} is taken: is an old sipp phone still running?")
    workdir = Path(tempfile.mkdtemp(prefix=f"sipp-{scenario}-{port}-"))
    text = (SCENARIOS / f"{scenario}.xml").read_text()
    if scenario == "uas_answer":
        text = _with_hold(text, hold)
        if audio is not None:
            text = text.replace(str(PCAPS / "g711a.pcap"), str(audio))
    path = workdir / f"{scenario}.xml"
    path.write_text(text)
    media = _free_block()
    args = ["-sf", str(path), "-p", str(port), *_common_args(scenario, media, calls)]
    return await Sipp(f"{scenario} on {port}", args, workdir, media).start()


async def register(sip_host: str, sip_port: int, user: str, password: str,
                   timeout: float = 15.0) -> int:
    """Register ``user`` like a softphone (digest auth, 60 s); sipp's exit code
    (0: registered, 1: refused)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"sipp-register-{user}-"))
    block = _free_block()
    args = [f"{sip_host}:{sip_port}", "-sf", str(SCENARIOS / "register.xml"), "-s", user,
            "-au", user, "-ap", password, "-p", str(block + 3),
            *_common_args("register", block, 1)]
    async with Sipp(f"register {user}", args, workdir, block) as phone:
        return await phone.wait(timeout)
