"""Shared fixtures: a real PostgreSQL for every test that needs one; a blocked event
loop fails the test that blocked it.

One server per test session: embedded (pgserver) unless CALLCENTER_TEST_DATABASE_URL
names a server (any database on it; tests create their own). Every test gets its own
database, cloned from a migrated template, so tests never see each other's rows.

The tests' event loop runs in asyncio debug mode with ``slow_callback_duration`` set to
CALLCENTER_TEST_SLOW_CALLBACK seconds (default 0.25; 0 turns this off): a callback or a
task step that holds the loop longer (blocking I/O, a subprocess.run, heavy CPU work)
makes asyncio log "Executing <...> took N seconds", and the test during whose setup,
call or teardown that happened fails, showing where the loop thread was blocked (a
watchdog thread samples its stack while the callback overruns).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg
import pytest

from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate

TEMPLATE_DB = "cc_template"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_db_numbers = itertools.count(1)


def _with_database(url: str, name: str) -> str:
    """Swap the database name in a libpq URL (host may be a socket folder in the query)."""
    head, sep, query = url.partition("?")
    scheme_host, _, _ = head.rpartition("/")
    return f"{scheme_host}/{name}{sep}{query}"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    configured = os.environ.get("CALLCENTER_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    import pgserver

    with tempfile.TemporaryDirectory(prefix="callcenter-test-pg-") as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="delete")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


@pytest.fixture(scope="session")
async def template_url(pg_server_url: str) -> str:
    admin = await asyncpg.connect(pg_server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    finally:
        await admin.close()
    url = _with_database(pg_server_url, TEMPLATE_DB)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return url


@contextlib.asynccontextmanager
async def _scratch_database(server_url: str, prefix: str,
                            template: str | None = None) -> AsyncIterator[str]:
    name = f"{prefix}_{os.getpid()}_{next(_db_numbers)}"
    clone = f" TEMPLATE {template}" if template else ""
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}{clone}")
        yield _with_database(server_url, name)
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


@pytest.fixture
async def db_url(pg_server_url: str, template_url: str) -> AsyncIterator[str]:
    """A freshly migrated database of this test's own."""
    async with _scratch_database(pg_server_url, "cc_test", TEMPLATE_DB) as url:
        yield url


@pytest.fixture
async def empty_db_url(pg_server_url: str) -> AsyncIterator[str]:
    """An empty database (no migrations applied)."""
    async with _scratch_database(pg_server_url, "cc_empty") as url:
        yield url


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(db_url, min_size=1, max_size=5)
    try:
        yield pool
    finally:
        await pool.close()


# -- a blocked event loop fails the test -------------------------------------------

SLOW_CALLBACK_SETTING = "CALLCENTER_TEST_SLOW_CALLBACK"
SAMPLES_PER_CALLBACK = 3  # distinct stacks kept of one overrunning callback
STACK_FRAMES = 12  # innermost frames shown of each


def _slow_callback_threshold() -> float:
    raw = os.environ.get(SLOW_CALLBACK_SETTING, "0.25")
    try:
        value = float(raw)
    except ValueError:
        raise pytest.UsageError(f"{SLOW_CALLBACK_SETTING}={raw!r}: a number of seconds"
                                " (0 turns the check off)") from None
    if value < 0:
        raise pytest.UsageError(f"{SLOW_CALLBACK_SETTING} must not be negative")
    return value


@dataclass
class _Run:
    """One callback running on an event loop thread."""

    started: float
    samples: list[str] = field(default_factory=list)


class _BlockedLoopDetector(logging.Handler):
    """Collects asyncio's slow-callback warnings, each with the stacks a watchdog thread
    sampled while that callback ran over the threshold."""

    def __init__(self, threshold: float) -> None:
        super().__init__(logging.WARNING)
        self.threshold = threshold
        self.found: list[str] = []
        self._running: dict[int, _Run] = {}  # thread id -> the callback it runs
        self._last: dict[int, _Run] = {}  # thread id -> the callback it ran last
        self._stop = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="blocked-loop-watchdog",
                                          daemon=True)
        self._original_run: Any = None
        self._original_set_debug: Any = None
        self._wrapper: Any = None

    def install(self) -> None:
        # asyncio.Runner(debug=True), as pytest-asyncio makes its loops, calls set_debug
        set_debug = self._original_set_debug = asyncio.BaseEventLoop.set_debug
        threshold = self.threshold

        def _set_debug(loop: asyncio.BaseEventLoop, enabled: bool) -> None:
            set_debug(loop, enabled)
            loop.slow_callback_duration = threshold

        asyncio.BaseEventLoop.set_debug = _set_debug  # type: ignore[method-assign]
        original = self._original_run = asyncio.Handle._run
        running, last = self._running, self._last

        def _run(handle: asyncio.Handle) -> None:
            thread = threading.get_ident()
            run = running[thread] = _Run(time.monotonic())
            try:
                original(handle)
            finally:
                del running[thread]
                last[thread] = run

        self._wrapper = _run.__code__
        asyncio.Handle._run = _run  # type: ignore[method-assign]
        logging.getLogger("asyncio").addHandler(self)
        self._watchdog.start()

    def uninstall(self) -> None:
        self._stop.set()
        logging.getLogger("asyncio").removeHandler(self)
        asyncio.Handle._run = self._original_run  # type: ignore[method-assign]
        asyncio.BaseEventLoop.set_debug = self._original_set_debug  # type: ignore[method-assign]

    def drain(self) -> list[str]:
        found, self.found = self.found, []
        return found

    def emit(self, record: logging.LogRecord) -> None:
        # base_events: logger.warning('Executing %s took %.3f seconds', handle, dt),
        # logged right after the callback returned on this thread
        if not str(record.msg).startswith("Executing "):
            return
        run = self._last.get(threading.get_ident())
        where = "\n".join(run.samples) if run and run.samples else (
            "    (no stack sampled: the watchdog missed it)")
        self.found.append(f"{record.getMessage()}\n  the loop thread was blocked in:\n{where}")

    def _watch(self) -> None:
        period = min(self.threshold / 4, 0.05)
        while not self._stop.wait(period):
            now = time.monotonic()
            for thread, run in list(self._running.items()):
                # a first sample just before the threshold (the watchdog wakes every
                # `period`), then one per threshold more
                due = self.threshold * (0.8 + len(run.samples))
                if now - run.started < due or len(run.samples) >= SAMPLES_PER_CALLBACK:
                    continue
                frame = sys._current_frames().get(thread)
                if frame is None:
                    continue
                stack = self._format(frame, now - run.started)
                if self._running.get(thread) is run:  # still the same callback
                    run.samples.append(stack)

    def _format(self, frame: FrameType, after: float) -> str:
        frames: list[FrameType] = []
        walk: FrameType | None = frame
        while walk is not None and walk.f_code is not self._wrapper:  # up to Handle._run
            frames.append(walk)
            walk = walk.f_back
        frames.reverse()
        summary = traceback.StackSummary.extract(
            ((f, f.f_lineno) for f in frames[-STACK_FRAMES:]), lookup_lines=True)
        lines = "".join(summary.format()).rstrip("\n")
        return f"  -- {after:.2f}s into the callback:\n{lines}"


_detector: _BlockedLoopDetector | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _detector
    threshold = _slow_callback_threshold()
    if threshold > 0:
        config.option.asyncio_debug = True  # pytest-asyncio's loops run in debug mode
        _detector = _BlockedLoopDetector(threshold)
        _detector.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _detector
    if _detector is not None:
        _detector.uninstall()
        _detector = None


def pytest_report_header(config: pytest.Config) -> str:
    if _detector is None:
        return f"blocked event loop: not checked ({SLOW_CALLBACK_SETTING}=0)"
    return (f"blocked event loop: a callback over {_detector.threshold}s fails the test"
            f" ({SLOW_CALLBACK_SETTING})")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """A test during which the event loop was blocked fails. Under CI a skip is a
    failure: a component that cannot start must not pass as green."""
    report = yield
    blocked = _detector.drain() if _detector is not None else []
    if blocked:
        threshold = _detector.threshold if _detector is not None else 0
        text = (f"the event loop was blocked for over {threshold}s ({SLOW_CALLBACK_SETTING})"
                f" during {report.when}:\n\n" + "\n\n".join(blocked))
        if report.passed:
            report.outcome = "failed"
            report.longrepr = text
        else:
            report.sections.append(("blocked event loop", text))
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under CI=true, which counts as a failure: {reason}"
    return report
