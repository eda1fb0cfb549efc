"""What the telephony benchmarks share: percentiles, the CPU a process used, and a
throwaway embedded PostgreSQL.

    from bench.measure import CpuMeter, embedded_postgres, percentile
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from tests.harness import sandbox


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.99 for p99); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 (interpolated) of a run of timings."""
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94], q[98]


async def timed(runs: int, call: Callable[[int], Awaitable[Any]]) -> list[float]:
    """Milliseconds each of ``runs`` calls of ``call(n)`` took, one after the other."""
    times = []
    for n in range(runs):
        started = time.perf_counter()
        await call(n)
        times.append((time.perf_counter() - started) * 1000)
    return times


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def asterisk_pid() -> int:
    """The sandbox Asterisk's process."""
    return int((sandbox.state_dir() / "asterisk.pid").read_text().strip())


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (PostgreSQL's backends, the server's ffmpeg)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            todo.extend(int(child) for child in task.read_text().split())
    return found


def _tree_cpu(pid: int) -> dict[int, float]:
    seconds = {}
    for member in _tree(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            seconds[member] = cpu_seconds(member)
    return seconds


def _machine_jiffies() -> tuple[int, int]:
    """(busy, all) clock ticks of every core since boot (/proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


class CpuMeter:
    """The CPU share (% of one core) processes and their descendants used between
    ``start`` and ``stop`` (a descendant that ended meanwhile is not counted), and
    ``machine``: how busy all cores were (%), whoever used them."""

    def __init__(self, **pids: int) -> None:
        self._pids = pids
        self._start: dict[str, dict[int, float]] = {}
        self._wall = 0.0
        self._jiffies = (0, 0)
        self.shares: dict[str, float] = {}
        self.machine = 0.0

    def start(self) -> None:
        self._wall = time.monotonic()
        self._jiffies = _machine_jiffies()
        self._start = {name: _tree_cpu(pid) for name, pid in self._pids.items()}

    def stop(self) -> dict[str, float]:
        elapsed = time.monotonic() - self._wall
        busy, total = _machine_jiffies()
        self.machine = (busy - self._jiffies[0]) / max(1, total - self._jiffies[1]) * 100
        self.shares = {}
        for name, pid in self._pids.items():
            before = self._start[name]
            used = sum(now - before.get(member, 0.0)
                       for member, now in _tree_cpu(pid).items())
            self.shares[name] = used / elapsed * 100
        return self.shares


@contextlib.contextmanager
def embedded_postgres(prefix: str) -> Iterator[str]:
    """A PostgreSQL 16 of its own in a temporary folder (the pgserver wheel); its URL.
    Removed afterwards."""
    import pgserver

    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="delete")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def postmaster_pid(url: str) -> int:
    """The postmaster of an embedded PostgreSQL (its data folder's postmaster.pid)."""
    folder = url.rsplit("host=", 1)[1].split("&")[0]
    return int((Path(folder) / "postmaster.pid").read_text().split()[0])


def keep_off(cpu: int | None) -> None:
    """With ``cpu``: this process and what it starts from now on (PostgreSQL, sipp), and
    the sandbox's Asterisk, run on every CPU but that one, which the server gets alone
    (``on_cpu``): the load the benchmark generates is not the server's to share."""
    if cpu is None:
        return
    others = sorted(set(os.sched_getaffinity(0)) - {cpu})
    if not others:
        raise SystemExit(f"--server-cpu {cpu}: no other CPU left for the load")
    os.sched_setaffinity(0, others)
    subprocess.run(["taskset", "-a", "-p", "-c", ",".join(map(str, others)),
                    str(asterisk_pid())], check=True, stdout=subprocess.DEVNULL)


def on_cpu(command: list[str], cpu: int | None) -> list[str]:
    """``command`` run on ``cpu`` alone (None: wherever the kernel puts it)."""
    return command if cpu is None else ["taskset", "-c", str(cpu), *command]

