"""Drive scripts/asterisk-sandbox from tests: build, start, read its environment.

Failures raise SandboxError with the script's output: a test that needs the real
Asterisk fails loudly when it cannot have one, it is never skipped.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "asterisk-sandbox"
# the first build debootstraps Debian sid: minutes, not seconds
BUILD_TIMEOUT = 1200.0


class SandboxError(RuntimeError):
    """The Asterisk sandbox could not be built, started or queried."""


def _run(*args: str, timeout: float = 120.0) -> str:
    if os.geteuid() != 0:
        raise SandboxError("the Asterisk sandbox needs root (chroot); run the tests as root")
    try:
        done = subprocess.run(
            [str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout,
            check=False, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise SandboxError(f"asterisk-sandbox {' '.join(args)} took over {timeout}s") from exc
    if done.returncode != 0:
        raise SandboxError(
            f"asterisk-sandbox {' '.join(args)} failed (exit {done.returncode}):\n"
            f"{done.stdout}{done.stderr}"
        )
    return done.stdout


def state_dir() -> Path:
    """The folder beside the root with logs, pid file and secrets."""
    root = os.environ.get("CALLCENTER_SANDBOX_DIR") or str(REPO / ".sandbox" / "asterisk-root")
    return Path(root.rstrip("/") + "-state")


@contextlib.contextmanager
def exclusive(timeout: float = 900.0) -> Iterator[None]:
    """Hold the sandbox for one test session at a time.

    Test sessions share one Asterisk, its phone ports (16001-16050, 16100) and its
    queue; a second session (another terminal, another checkout's tests) waits here
    until the first ends instead of ringing the first one's phones.
    """
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "tests.lock", "w") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SandboxError(
                        f"another test session held the Asterisk sandbox for {timeout}s"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build() -> None:
    """Build the Debian sid root with Asterisk 22 unless a healthy one exists."""
    _run("build", timeout=BUILD_TIMEOUT)


def start() -> dict[str, str]:
    """Build if needed, start Asterisk if not running; return its environment."""
    _run("start", timeout=BUILD_TIMEOUT)
    return read_env()


def stop() -> None:
    _run("stop", timeout=60)


def restart() -> dict[str, str]:
    """Stop and start again (re-installs dialplans/); return the environment."""
    _run("restart", timeout=BUILD_TIMEOUT)
    return read_env()


def is_running() -> bool:
    try:
        _run("status", timeout=30)
    except SandboxError:
        return False
    return True


def read_env() -> dict[str, str]:
    """The CALLCENTER_* variables printed by ``asterisk-sandbox env``."""
    env: dict[str, str] = {}
    for line in _run("env").splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            env[key] = value
    if "CALLCENTER_AMI_PORT" not in env:
        raise SandboxError("asterisk-sandbox env printed no CALLCENTER_AMI_PORT")
    return env


def cli(command: str) -> str:
    """Output of an Asterisk CLI command (``asterisk -rx`` inside the root)."""
    return _run("cli", command, timeout=30)
