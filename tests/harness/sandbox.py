"""Drive scripts/asterisk-sandbox from tests: build, start, read its environment.

Failures raise SandboxError with the script's output: a test that needs the real
Asterisk fails loudly when it cannot have one, it is never skipped.
"""

from __future__ import annotations

import os
import shlex
import subprocess
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
