"""Secrets never logged: every log the end-to-end tests produce, scanned at their end.

tests/e2e/conftest.py starts a ``LogScan`` before the first end-to-end test; after the
last one it fails the run if the AMI secret, the SIP password or a user's password
appears in any of:

- every record logged in the test process (the in-process servers, AMI clients, the
  harness), with tracebacks: the root logger logs INFO for the session, as
  ``callcenter serve`` does by default, and a handler writes it all to a file;
- the output of every ``callcenter serve`` process (server_process.py ``watch``es it);
- sipp's screen output, error log and message trace (sipp.py ``watch``es its folder and
  ``keep``s what it holds before removing it);
- what the sandbox Asterisk wrote meanwhile: its console log, ``messages.log`` and
  ``queue_log``, from where each stood when the session began.

The secrets are the sandbox's AMI secret and SIP password (the files it generated, or
the environment's ``CALLCENTER_AMI_SECRET`` / ``CALLCENTER_SIP_PASSWORD``), the users'
password the tests log in with (tests/console.py), the wrong one the browser test
types, and any a test adds with ``secret``. A hit is reported with the secret masked.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.harness import sandbox

MIN_SECRET = 6  # shorter values would match ordinary text
LOG_SUFFIXES = (".log", ".out")


@dataclass
class LogScan:
    folder: Path
    watched: list[Path] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    secrets: dict[str, str] = field(default_factory=dict)  # value -> what it is
    _offsets: dict[Path, int] = field(default_factory=dict)
    _handler: logging.Handler | None = None
    _root_level: int = logging.WARNING

    @property
    def records(self) -> Path:
        return self.folder / "test-process.log"

    def start(self) -> None:
        for path in asterisk_logs():
            self._offsets[path] = path.stat().st_size if path.exists() else 0
        handler = logging.FileHandler(self.records, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.INFO)
        root = logging.getLogger()
        self._root_level = root.level
        root.setLevel(min(root.level or logging.WARNING, logging.INFO))
        root.addHandler(handler)
        self._handler = handler

    def stop(self) -> None:
        if self._handler is not None:
            root = logging.getLogger()
            root.removeHandler(self._handler)
            root.setLevel(self._root_level)
            self._handler.close()
            self._handler = None

    def texts(self) -> list[tuple[str, str]]:
        """(where, text) of every log of the session."""
        found = [("test process log records", _read(self.records))]
        for path in asterisk_logs():
            offset = self._offsets.get(path, 0)
            text = _read(path)
            # a log that shrank was started again: all of it is this session's
            found.append((str(path), text[offset:] if len(text) >= offset else text))
        for path in self.watched:
            found.extend(_logs_in(path))
        return found + self.kept

    def hits(self) -> list[str]:
        secrets = {**known_secrets(), **self.secrets}
        return [f"{what} ({mask(value)}) in {where}, line {number}: "
                f"{line.replace(value, mask(value))[:300]}"
                for where, text in self.texts()
                for number, line in enumerate(text.splitlines(), 1)
                for value, what in secrets.items() if value in line]

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


# The scans running, innermost last (the scanner's own tests run one inside a session's).
_scans: list[LogScan] = []


def begin() -> LogScan:
    scan = LogScan(Path(tempfile.mkdtemp(prefix="callcenter-e2e-logs-")))
    scan.start()
    _scans.append(scan)
    return scan


def end(scan: LogScan) -> None:
    scan.stop()
    if scan in _scans:
        _scans.remove(scan)


def watch(path: Path) -> None:
    """A log file, or a folder of ``*.log``/``*.out``, to scan at the session's end."""
    for scan in _scans:
        scan.watched.append(path)


def keep(path: Path) -> None:
    """Read a watched folder's logs now: it is about to be removed."""
    for scan in _scans:
        scan.kept.extend(_logs_in(path))
        if path in scan.watched:
            scan.watched.remove(path)


def secret(value: str, what: str = "a user's password") -> None:
    """One more value that must appear in no log."""
    if len(value) >= MIN_SECRET:
        for scan in _scans:
            scan.secrets[value] = what


def known_secrets() -> dict[str, str]:
    from tests.console import AGENT_PASSWORD

    found = {AGENT_PASSWORD: "the users' password", "not-the-password": "a wrong password"}
    state = sandbox.state_dir()
    for name, file, what in (("CALLCENTER_AMI_SECRET", "ami-secret", "the AMI secret"),
                             ("CALLCENTER_SIP_PASSWORD", "sip-password", "the SIP password"),
                             ("CALLCENTER_QUEUE_LOG_PG_PASSWORD", "pg-password",
                              "the queue_log writer's PostgreSQL password")):
        for value in (os.environ.get(name, ""), _read(state / file).strip()):
            if len(value) >= MIN_SECRET:
                found[value] = what
    return found


def asterisk_logs() -> list[Path]:
    state = sandbox.state_dir()
    root = Path(str(state).removesuffix("-state"))
    logs = root / "var" / "log" / "asterisk"
    return [state / "asterisk.log", logs / "messages.log", logs / "queue_log"]


def mask(value: str) -> str:
    return f"<{len(value)} characters>"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _logs_in(path: Path) -> list[tuple[str, str]]:
    if path.is_file():
        return [(str(path), _read(path))]
    if not path.is_dir():
        return []
    return [(str(p), _read(p)) for p in sorted(path.iterdir())
            if p.suffix in LOG_SUFFIXES and p.is_file()]
