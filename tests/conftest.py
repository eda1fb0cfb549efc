"""Shared fixtures: a real PostgreSQL for every test that needs one; a blocked event
loop fails the test that blocked it.

One server per test session: embedded (pgserver) unless CALLCENTER_TEST_DATABASE_URL
names a server (any database on it; tests create their own). Every test gets its own
database, cloned from a migrated template, so tests never see each other's rows.

The tests' event loop runs in asyncio debug mode with ``slow_callback_duration`` set to
CALLCENTER_TEST_SLOW_CALLBACK seconds (default 0.4; 0 turns this off): a callback or a
task step that holds the loop longer (blocking I/O, a subprocess.run, heavy CPU work)
makes asyncio log "Executing <...> took N seconds", and the test during whose setup,
call or teardown that happened fails, showing where the loop thread was blocked (a
watchdog thread samples its stack while the callback overruns).

jieba's word dictionary (which every in-process server's recordings worker loads) is
loaded once before any event loop runs and frozen out of the garbage collector, as the
server itself does: its loading holds the GIL for long stretches on a busy machine, and
a full collection walking its million objects stalls the loop as long.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import os
import sys
import tempfile
import threading
import time
import traceback
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType

import asyncpg
import pytest

from callcenter.db.customer_report import CustomerReportStore
from callcenter.db.database import create_pool
from callcenter.db.migrations import migrate
from callcenter.db.reports import ReportStore
from callcenter.domain.text_search import warm_up
from callcenter.services import customer_report, reports
from callcenter.settings import Settings
from tests.integration.fake_ami import FakeAmi

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
    # What a server's first start does once per database (the summaries counted in its
    # zone, the regions of the phone prefixes): done once here, not by every test's server.
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        await reports.align_zone(ReportStore(pool), Settings().timezone)
        await customer_report.prepare(CustomerReportStore(pool))
    finally:
        await pool.close()
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


@pytest.fixture
async def fake_ami() -> AsyncIterator[FakeAmi]:
    """A loopback AMI peer standing in for Asterisk, for fault injection (the real
    Asterisk is in tests/e2e)."""
    peer = FakeAmi()
    await peer.start()
    yield peer
    await peer.close()


@pytest.fixture(scope="session", autouse=True)
def segmenter_loaded() -> None:
    warm_up()
    gc.collect()
    gc.freeze()


# -- a blocked event loop fails the test -------------------------------------------

SLOW_CALLBACK_SETTING = "CALLCENTER_TEST_SLOW_CALLBACK"
# The event loop's own closing steps (asyncio.run's end), after every test has run.
_LOOP_SHUTDOWN = ("shutdown_asyncgens", "shutdown_default_executor")
SAMPLES_PER_CALLBACK = 3  # distinct stacks kept of one overrunning callback
STACK_FRAMES = 12  # innermost frames shown of each


def _slow_callback_threshold() -> float:
    raw = os.environ.get(SLOW_CALLBACK_SETTING, "0.4")
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
    collected: float  # the garbage collector's seconds so far, when it started
    samples: list[str] = field(default_factory=list)


class _BlockedLoopDetector(logging.Handler):
    """Collects asyncio's slow-callback warnings, each with the stacks a watchdog thread
    sampled while that callback ran over the threshold.

    asyncio measures callbacks only. A heartbeat on each loop measures how late it runs
    itself, which also catches a loop stalled between callbacks because another thread
    held the GIL (C code that does not release it, called through asyncio.to_thread).
    It counts only when the watchdog could not run either while the process kept a CPU
    busy: a loop merely slowed by busy Python threads, or a process the machine did not
    schedule, is not a blocked loop. Nor is the garbage collector's pass over the test
    process's heap (after a thousand tests it is far larger than a server's): a
    callback's time minus the collector's during it is what counts.
    """

    def __init__(self, threshold: float) -> None:
        super().__init__(logging.WARNING)
        self.threshold = threshold
        self._found: list[str] = []
        self._running: dict[int, _Run] = {}  # thread id -> the callback it runs
        self._last: dict[int, _Run] = {}  # thread id -> the callback it ran last
        # loop -> when it was last started: a heartbeat due while its loop was not
        # running (between tests) is late only from then on
        self._started: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, float] = (
            weakref.WeakKeyDictionary())
        self._reported = 0.0  # when asyncio last reported a slow callback
        self._period = min(threshold / 4, 0.05)  # how often the watchdog and heartbeats run
        self._beat = time.monotonic()  # when the watchdog last looked
        self._gap = self._gap_end = 0.0  # its last wait for the GIL: how long, until when
        self._stop = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="blocked-loop-watchdog",
                                          daemon=True)
        self._undo: list[Callable[[], None]] = []
        self._wrapper: CodeType | None = None
        self._collected = 0.0  # seconds the garbage collector has run, in all
        self._collecting_since = 0.0

    def install(self) -> None:
        # asyncio.Runner(debug=True), as pytest-asyncio makes its loops, calls set_debug
        set_debug, run_forever = asyncio.BaseEventLoop.set_debug, asyncio.BaseEventLoop.run_forever
        handle_run = asyncio.Handle._run
        threshold, started = self.threshold, self._started
        running, last = self._running, self._last

        def _set_debug(loop: asyncio.BaseEventLoop, enabled: bool) -> None:
            set_debug(loop, enabled)
            loop.slow_callback_duration = threshold
            if enabled and loop not in started:
                started[loop] = loop.time()
                loop.call_soon(self._heartbeat, loop, loop.time(), time.process_time())

        def _run_forever(loop: asyncio.BaseEventLoop) -> None:
            if loop in started:
                started[loop] = loop.time()
            run_forever(loop)

        def _run(handle: asyncio.Handle) -> None:
            thread = threading.get_ident()
            run = running[thread] = _Run(time.monotonic(), self._collected)
            try:
                handle_run(handle)
            finally:
                del running[thread]
                last[thread] = run

        def undo() -> None:
            asyncio.BaseEventLoop.set_debug = set_debug  # type: ignore[method-assign]
            asyncio.BaseEventLoop.run_forever = run_forever  # type: ignore[method-assign]
            asyncio.Handle._run = handle_run  # type: ignore[method-assign]

        self._wrapper = _run.__code__
        asyncio.BaseEventLoop.set_debug = _set_debug  # type: ignore[method-assign,assignment]
        asyncio.BaseEventLoop.run_forever = _run_forever  # type: ignore[method-assign,assignment]
        asyncio.Handle._run = _run  # type: ignore[method-assign,assignment]
        self._undo.append(undo)
        gc.callbacks.append(self._collector)
        self._undo.append(lambda: gc.callbacks.remove(self._collector))
        logging.getLogger("asyncio").addHandler(self)
        self._watchdog.start()

    def uninstall(self) -> None:
        self._stop.set()
        logging.getLogger("asyncio").removeHandler(self)
        for undo in self._undo:
            undo()

    def _collector(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting_since = time.perf_counter()
        else:
            self._collected += time.perf_counter() - self._collecting_since

    def drain(self) -> list[str]:
        found, self._found = self._found, []
        return found

    def emit(self, record: logging.LogRecord) -> None:
        # base_events: logger.warning('Executing %s took %.3f seconds', handle, dt),
        # logged right after the callback returned on this thread
        if not str(record.msg).startswith("Executing "):
            return
        if any(step in record.getMessage() for step in _LOOP_SHUTDOWN):
            return  # the session's loop closing after the last test: no test's doing
        run = self._last.get(threading.get_ident())
        took = record.args[1] if isinstance(record.args, tuple) and len(record.args) > 1 else 0
        if run and isinstance(took, float) and took - (self._collected - run.collected) < (
                self.threshold):
            return  # the garbage collector's pause, not the callback's code
        self._reported = time.monotonic()
        if run and run.samples:
            where = "  the loop thread was blocked in:\n" + "\n".join(run.samples)
        elif self._starved(self._reported - self.threshold) >= self.threshold * 0.8:
            where = ("  the watchdog thread could not run either: the GIL was held, by C code"
                     " on the loop thread or in another thread (asyncio.to_thread does not"
                     " help C code that keeps the GIL)" + self._busy_threads())
        else:
            where = "  (no stack: the callback ended between two looks of the watchdog)"
        self._found.append(f"{record.getMessage()}\n{where}")

    def _heartbeat(self, loop: asyncio.AbstractEventLoop, due: float, cpu: float) -> None:
        now, cpu_now = loop.time(), time.process_time()
        due = max(due, self._started.get(loop, due))
        late = now - due
        if (late >= self.threshold and self._reported < due  # not one asyncio reported
                and self._starved(due) >= late * 0.5 and cpu_now - cpu >= late * 0.5):
            self._found.append(
                f"Nothing ran on the event loop for {late:.2f}s, outside any callback, nor in"
                " the watchdog thread, while the process kept a CPU busy: another thread"
                " held the GIL (C code that does not release it, in an extension or the"
                " interpreter freeing or collecting millions of objects, run through"
                " asyncio.to_thread or in a thread)" + self._busy_threads())
        if not loop.is_closed():
            loop.call_at(now + self._period, self._heartbeat, loop, now + self._period, cpu_now)

    def _busy_threads(self) -> str:
        """The stacks of the other threads that are not waiting for work (the one that
        held the GIL, if it still runs)."""
        idle = {"wait", "get", "_worker", "_do_waitpid", "select", "poll", "accept", "recv",
                "sleep"}
        skip = {threading.get_ident(), self._watchdog.ident}
        names = {t.ident: t.name for t in threading.enumerate()}
        stacks = [f"  -- thread {names.get(ident, ident)}:\n{self._format(frame, None)}"
                  for ident, frame in sys._current_frames().items()
                  if ident not in skip and frame.f_code.co_name not in idle]
        return ("; busy threads now:\n" + "\n".join(stacks)) if stacks else ""

    def _starved(self, since: float) -> float:
        """How long the watchdog could not run, waiting for the GIL, after ``since``."""
        waiting = time.monotonic() - self._beat - self._period  # it has not run since
        return max(waiting, self._gap if self._gap_end > since else 0.0)

    def _watch(self) -> None:
        while not self._stop.wait(self._period):
            now = time.monotonic()
            gap = now - self._beat - self._period
            if gap > self._period:
                self._gap, self._gap_end = gap, now
            self._beat = now
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

    def _format(self, frame: FrameType, after: float | None) -> str:
        frames: list[FrameType] = []
        walk: FrameType | None = frame
        while walk is not None and walk.f_code is not self._wrapper:  # up to Handle._run
            frames.append(walk)
            walk = walk.f_back
        frames.reverse()
        summary = traceback.StackSummary.extract(
            ((f, f.f_lineno) for f in frames[-STACK_FRAMES:]), lookup_lines=True)
        lines = "".join(summary.format()).rstrip("\n")
        return lines if after is None else f"  -- {after:.2f}s into the callback:\n{lines}"


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
