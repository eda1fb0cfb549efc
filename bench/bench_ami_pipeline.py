"""AMI event throughput: the recorded calls replayed through the whole live-call pipeline
without Asterisk, next to panoramisk's bare parse of the same bytes in the same run.

The stream is every capture of tests/fixtures/ami/ (raw AMI bytes from the real
Asterisk 22), repeated until it holds at least ``--events`` events; each repetition is
a new set of calls (Uniqueid, Linkedid and ActionID rewritten; a click-to-call's
Linkedid and its Originate's ActionID are one ``cc-...`` id, as place_call makes them).

- bare: the bytes, ``--chunk`` bytes at a time, into panoramisk's AMIProtocol
  ``data_received`` with a dispatch that only counts the events;
- pipeline: the same chunks into the AMI client's protocol (tests/pipeline.py, wired as
  app.py wires it): the WANTED_EVENTS filter, the one event queue and its consumer,
  ``feed(dispatcher.deliver)``, translation, the Dispatcher, LiveState, CallRegistry and
  AgentStates, the Notifier into a counting publish, on an embedded PostgreSQL 16
  (pgserver) with the migrated schema. The click-to-calls' rows (customer, follow-up
  task, agent) are inserted before the run, and each is handed to the registry
  (``track``) just before its first frame is received; the hotline calls make their own
  rows. MixMonitor's files are written beforehand, so every answered call links one.

The reader waits (as a socket would) when more than ``--backlog`` frames are queued.
Prints events per second for both and their ratio (goal: at least 0.5), the counts of
events, calls, PostgreSQL statements and console messages, and, since the wall time is
mostly PostgreSQL's round trips, the events that need no write apart:

- "no-DB path": derived from the same run, the reader's time per event plus the mean
  handling time of the events during whose handling no statement was sent;
- "no-write replay": measured, the click-to-call captures alone replayed through the
  same pipeline without telling the registry of the calls (as for calls the server
  did not place: nothing to write), next to the bare parse of those bytes.

    .venv/bin/python bench/bench_ami_pipeline.py [--events 200000] [--runs 3]
        [--chunk 4096] [--backlog 1000] [--statements N] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import itertools
import math
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
import wave
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from panoramisk.ami_protocol import AMIProtocol

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from callcenter.db.calls import CallStore  # noqa: E402
from callcenter.db.database import create_pool  # noqa: E402
from callcenter.db.migrations import migrate  # noqa: E402
from callcenter.db.queries import load_queries  # noqa: E402
from callcenter.domain.calls import OutboundCall  # noqa: E402
from callcenter.services.calls import LiveOutbound  # noqa: E402
from callcenter.telephony.ami import AmiItem, EventHandler  # noqa: E402
from callcenter.telephony.ami_events import TRANSLATORS, WANTED_EVENTS  # noqa: E402
from tests.frames import FIXTURES  # noqa: E402
from tests.pipeline import CallPipeline, Capture, add_agents, chunks  # noqa: E402

CALLER = "+8613800138000"  # the number every capture dials or is called from
# The captures whose call is answered: MixMonitor's file exists once they end.
ANSWERED = ("click_to_call", "queue_answered")
WAV_SECONDS = 0.1


# -- the stream -------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A click-to-call of the stream: its row exists before the run; the registry is
    told (``track``) just before the byte at ``offset`` is received."""

    offset: int
    linkedid: str
    started_at: float
    call_id: int = 0
    agent_id: int = 0
    followup_id: int = 0
    customer_id: int = 0


@dataclass
class Stream:
    data: bytes
    repetitions: int
    events: int  # frames with an Event header (what panoramisk dispatches)
    wanted: int  # of those, the ones the reader keeps (WANTED_EVENTS)
    translated: int  # of those, the ones with a domain event (TRANSLATORS)
    calls: Counter[str]  # capture name -> calls in the stream
    placed: list[Placed]
    recordings: list[tuple[float, str]]  # (call start, linkedid) of the answered calls


def _event_names(capture: Capture) -> list[str]:
    return [block.partition("\r\n")[0][len("Event: "):]
            for block in capture.text.split("\r\n\r\n") if block.startswith("Event: ")]


def build_stream(min_events: int, run: int, only: str = "") -> Stream:
    """Every capture (or those whose name starts with ``only``) repeated to at least
    ``min_events`` events, each repetition new calls."""
    captures = [Capture(p.stem) for p in FIXTURES.glob(f"{only}*.txt")]
    captures.sort(key=lambda c: min(c.timestamps("Newchannel")))  # as they were recorded
    names = {c.name: _event_names(c) for c in captures}
    repetitions = math.ceil(min_events / sum(len(n) for n in names.values()))
    facts = {}
    for c in captures:
        outbound = c.name.startswith("click_to_call")
        started_at = min(c.timestamps("Newchannel"))
        if outbound:
            started_at -= 0.05  # the Originate went out just before its first channel
        queued = c.timestamps("QueueCallerJoin")
        # the linker dates a recording's folder from the call's start (inbound: queued)
        facts[c.name] = (outbound, c.values("Linkedid")[0], c.values("ActionID"),
                         started_at, queued[0] if queued else started_at)
    sequence = itertools.count(1)
    parts: list[bytes] = []
    placed: list[Placed] = []
    recordings: list[tuple[float, str]] = []
    offset = 0
    for rep in range(repetitions):
        for capture in captures:
            outbound, first, actions, started_at, dated_at = facts[capture.name]
            ids = {}
            for original in capture.ids:
                if outbound and original == first:  # the ChannelId place_call chose
                    ids[original] = f"cc-{run:04x}{rep:08x}{len(parts):020x}"
                else:  # Asterisk's own: <epoch of the channel>.<sequence>
                    ids[original] = f"{original.partition('.')[0]}.{next(sequence)}"
            linkedid = ids[first]
            action_ids = {a: f"{a}-{run}-{rep}" for a in actions}
            if outbound:
                action_ids[actions[0]] = linkedid  # the Originate's reply comes first
                placed.append(Placed(offset, linkedid, started_at))
            if capture.name in ANSWERED:
                recordings.append((dated_at, linkedid))
            data = capture.render(ids, action_ids)
            parts.append(data)
            offset += len(data)
    events = sum(len(n) for n in names.values()) * repetitions
    wanted = sum(sum(e in WANTED_EVENTS for e in n) for n in names.values()) * repetitions
    translated = sum(sum(e in TRANSLATORS for e in n) for n in names.values()) * repetitions
    calls = Counter({c.name: repetitions for c in captures})
    return Stream(b"".join(parts), repetitions, events, wanted, translated, calls, placed,
                  recordings)


# -- bare parse -------------------------------------------------------------------------


class _NoTransport:
    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


class _Count:
    """panoramisk's factory: the dispatch of every event, counted and dropped."""

    def __init__(self) -> None:
        self.events = 0

    def dispatch(self, message: Any) -> None:
        self.events += 1


@dataclass(frozen=True)
class Bare:
    seconds: float
    cpu_seconds: float
    events: int


def bare_parse(data: bytes, chunk: int) -> Bare:
    protocol = AMIProtocol()
    protocol.connection_made(_NoTransport())
    protocol.factory = counter = _Count()
    started, started_cpu = time.perf_counter(), time.thread_time()
    for part in chunks(data, chunk):
        protocol.data_received(part)
    return Bare(time.perf_counter() - started, time.thread_time() - started_cpu,
                counter.events)


# -- PostgreSQL, counted ----------------------------------------------------------------

_WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.IGNORECASE)


def _statement_names() -> dict[str, str]:
    """SQL text -> its name in db/queries/<feature>.sql."""
    names = {}
    for path in (REPO / "callcenter" / "db" / "queries").glob("*.sql"):
        for name, sql in load_queries(path.stem).items():
            names[sql] = f"{path.stem}.{name}"
    return names


@dataclass
class DbStats:
    reads: int = 0
    writes: int = 0
    transactions: int = 0  # each one a BEGIN and a COMMIT more
    by_kind: dict[str, bool] = field(default_factory=dict)
    # statement name -> [count, seconds awaited]
    spent: dict[str, list[float]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=_statement_names)

    @property
    def round_trips(self) -> int:
        return self.reads + self.writes + 2 * self.transactions

    def note(self, sql: str) -> None:
        write = self.by_kind.get(sql)
        if write is None:
            write = self.by_kind[sql] = bool(_WRITE.search(sql))
        if write:
            self.writes += 1
        else:
            self.reads += 1

    def spend(self, sql: str, seconds: float) -> None:
        name = self.names.get(sql) or " ".join(sql.split())[:40]
        entry = self.spent.setdefault(name, [0, 0.0])
        entry[0] += 1
        entry[1] += seconds


class Counted:
    """A pool or a connection whose statements are counted (reads, writes,
    transactions) on their way to PostgreSQL."""

    def __init__(self, target: Any, stats: DbStats) -> None:
        self._target = target
        self._stats = stats

    async def _run(self, method: str, sql: str, args: Any, kwargs: Any) -> Any:
        self._stats.note(sql)
        started = time.perf_counter()
        try:
            return await getattr(self._target, method)(sql, *args, **kwargs)
        finally:
            self._stats.spend(sql, time.perf_counter() - started)

    async def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._run("execute", sql, args, kwargs)

    async def fetch(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._run("fetch", sql, args, kwargs)

    async def fetchval(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._run("fetchval", sql, args, kwargs)

    async def fetchrow(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return await self._run("fetchrow", sql, args, kwargs)

    def transaction(self, **kwargs: Any) -> Any:
        self._stats.transactions += 1
        return self._target.transaction(**kwargs)

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Counted]:
        async with self._target.acquire() as conn:
            yield Counted(conn, self._stats)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


@contextlib.contextmanager
def embedded_postgres() -> Iterator[tuple[str, Any]]:
    import pgserver

    with tempfile.TemporaryDirectory(prefix="bench-ami-pg-") as folder:
        server = pgserver.get_server(Path(folder), cleanup_mode="delete")
        try:
            yield server.get_uri(), server
        finally:
            server.cleanup()


def _database(url: str, name: str) -> str:
    head, sep, query = url.partition("?")
    return f"{head.rpartition('/')[0]}/{name}{sep}{query}"


def postgres_cpu(server: Any) -> float:
    """CPU seconds used so far by the PostgreSQL server: the postmaster, its children
    alive now and those it has reaped (backends, autovacuum workers)."""
    import psutil

    try:
        main = psutil.Process(server.get_pid())
        times = main.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in main.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                times = child.cpu_times()
                total += times.user + times.system
    except psutil.Error:
        return math.nan
    return total


async def seed(pool: asyncpg.Pool, stream: Stream) -> dict[str, int]:
    """The queue's agent (1002), the known caller, and for every click-to-call its
    agent, customer, follow-up task and call row (as place_call writes it)."""
    n = len(stream.placed)
    async with pool.acquire() as conn, conn.transaction():
        users = await add_agents(conn)
        caller = await conn.fetchval(
            "INSERT INTO customers (external_ref, name, value_level) VALUES"
            " ('CALLER', '张伟', 'vip') RETURNING id")
        await conn.execute("INSERT INTO customer_phones (customer_id, e164) VALUES ($1, $2)",
                           caller, CALLER)
        await conn.execute(
            "INSERT INTO vehicles (customer_id, vin, plate, model) VALUES"
            " ($1, 'LSVAU2180N0000001', '沪A00001', 'Model Y')", caller)
        agents = await conn.fetch(
            "INSERT INTO users (username, display_name, role, password_hash, locale)"
            " SELECT 'bench-' || n, 'Bench ' || n, 'agent', 'x', 'en'"
            " FROM generate_series(1, $1) AS n RETURNING id", n)
        customers = await conn.fetch(
            "INSERT INTO customers (external_ref, name) SELECT 'B' || n, 'Customer ' || n"
            " FROM generate_series(1, $1) AS n RETURNING id", n)
        tasks = await conn.fetch(
            "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date)"
            " SELECT 'sales', 'bench:' || c, c, current_date FROM unnest($1::bigint[]) AS c"
            " RETURNING id, customer_id", [r["id"] for r in customers])
        rows = await conn.fetch(
            "INSERT INTO calls (linkedid, direction, customer_id, agent_id, callee_number,"
            " started_at, state, followup_task_id, category)"
            " SELECT l, 'outbound', c, a, $5, s, 'agent_ringing', t, 'followup'"
            " FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[],"
            "             $6::timestamptz[]) AS x(l, c, a, t, s)"
            " RETURNING id, linkedid",
            [p.linkedid for p in stream.placed], [t["customer_id"] for t in tasks],
            [a["id"] for a in agents], [t["id"] for t in tasks], CALLER,
            [datetime.fromtimestamp(p.started_at, UTC) for p in stream.placed])
    call_ids = {r["linkedid"]: r["id"] for r in rows}
    stream.placed[:] = [
        Placed(p.offset, p.linkedid, p.started_at, call_ids[p.linkedid], a["id"], t["id"],
               t["customer_id"]) for p, a, t in zip(stream.placed, agents, tasks, strict=True)]
    return users


def write_recordings(folder: Path, stream: Stream) -> None:
    frames = b"\0\0" * int(8000 * WAV_SECONDS)
    for started_at, linkedid in stream.recordings:
        path = folder / f"{datetime.fromtimestamp(started_at, UTC):%Y/%m/%d}" / f"{linkedid}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(frames)


# -- the pipeline run -------------------------------------------------------------------


@dataclass
class Timing:
    """Handler time per event, split by whether the event's handling went to
    PostgreSQL (a statement was sent while it was handled)."""

    db: DbStats
    with_db: int = 0
    with_db_seconds: float = 0.0
    without_db: int = 0
    without_db_seconds: float = 0.0

    def wrap(self, on_ami: EventHandler) -> EventHandler:
        clock = time.perf_counter

        async def timed(item: AmiItem) -> None:
            before = self.db.round_trips
            started = clock()
            try:
                await on_ami(item)
            finally:
                spent = clock() - started
                if self.db.round_trips == before:
                    self.without_db += 1
                    self.without_db_seconds += spent
                else:
                    self.with_db += 1
                    self.with_db_seconds += spent
        return timed


class GcClock:
    """Seconds spent in the garbage collector while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1


@dataclass
class PipelineResult:
    events_seconds: float  # first byte received to last event handled
    all_seconds: float  # ... to the last background write (recordings) done
    receive_seconds: float  # inside data_received: parse, filter, queue
    receive_cpu_seconds: float
    cpu_user_seconds: float  # this process
    cpu_system_seconds: float
    gc_seconds: float
    postgres_cpu_seconds: float
    queued: int
    timing: Timing
    db: DbStats
    published: Counter[str]
    dispositions: dict[str, int]
    recordings: dict[str, int]
    live_calls_left: int


async def run_pipeline(server_url: str, server: Any, stream: Stream, untracked: Stream,
                       run: int, chunk: int, backlog: int,
                       profile: cProfile.Profile | None) -> tuple[PipelineResult,
                                                                  PipelineResult]:
    """The full replay, then the replay of calls the server does not hold (their
    events need no write) on the same database."""
    name = f"bench_ami_{run}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = _database(server_url, name)
    pool = await create_pool(url)  # the server's own pool settings
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
        await seed(pool, stream)
        with tempfile.TemporaryDirectory(prefix="bench-ami-recordings-") as folder:
            write_recordings(Path(folder), stream)
            full = await _replay(pool, server, stream, Path(folder), chunk, backlog, profile)
            return full, await _replay(pool, server, untracked, Path(folder), chunk,
                                       backlog, None, track=False)
    finally:
        await pool.close()


async def _replay(pool: asyncpg.Pool, server: Any, stream: Stream, folder: Path, chunk: int,
                  backlog: int, profile: cProfile.Profile | None, *,
                  track: bool = True) -> PipelineResult:
    db = DbStats()
    counted: Any = Counted(pool, db)
    timing = Timing(db)
    published: Counter[str] = Counter()

    def publish(user_id: int, message: dict[str, Any]) -> None:
        published[message["type"]] += 1

    pipeline = CallPipeline(counted, folder, publish=publish, store=CallStore(counted),
                            handler=timing.wrap if track else None)
    pipeline.queue.low = backlog // 10
    await pipeline.start()
    protocol = pipeline.protocol
    assert protocol is not None
    placed = iter(stream.placed if track else ())
    upcoming = next(placed, None)
    receive = receive_cpu = 0.0
    clock, cpu_clock = time.perf_counter, time.thread_time
    cpu_before, pg_before = os.times(), postgres_cpu(server)
    gc_clock = GcClock()
    gc.callbacks.append(gc_clock)
    if profile is not None:
        profile.enable()
    started = clock()
    offset = 0
    for part in chunks(stream.data, chunk):
        offset += len(part)
        while upcoming is not None and upcoming.offset < offset:
            pipeline.registry.track(LiveOutbound(
                upcoming.call_id, upcoming.agent_id, upcoming.followup_id,
                upcoming.customer_id, CALLER,
                OutboundCall(upcoming.linkedid, upcoming.started_at)))
            upcoming = next(placed, None)
        before, before_cpu = clock(), cpu_clock()
        protocol.data_received(part)
        receive += clock() - before
        receive_cpu += cpu_clock() - before_cpu
        if pipeline.queue.qsize() > backlog:
            pipeline.queue.room.clear()
            await pipeline.queue.room.wait()
        else:
            await asyncio.sleep(0)  # the next socket read is another loop callback
    await pipeline.drained(timeout=3600)
    events_done = clock()
    await pipeline.close()  # waits for the registry's background tasks (recordings)
    all_done = clock()
    if profile is not None:
        profile.disable()
    gc.callbacks.remove(gc_clock)
    cpu = os.times()
    pg_cpu = postgres_cpu(server) - pg_before
    dispositions = {r["disposition"] or "open": r["n"] for r in await pool.fetch(
        "SELECT disposition, count(*) AS n FROM calls GROUP BY 1 ORDER BY 1")}
    recordings = {r["status"]: r["n"] for r in await pool.fetch(
        "SELECT status, count(*) AS n FROM recordings GROUP BY 1")}
    return PipelineResult(events_done - started, all_done - started, receive, receive_cpu,
                          cpu.user - cpu_before.user, cpu.system - cpu_before.system,
                          gc_clock.seconds, pg_cpu,
                          pipeline.queue.put_count, timing, db, published, dispositions,
                          recordings, pipeline.registry.live_calls())


# -- report -----------------------------------------------------------------------------


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else math.nan


def report_run(run: int, stream: Stream, bare: Bare, p: PipelineResult,
               untracked: Stream, bare_untracked: Bare, u: PipelineResult,
               statements: int) -> dict[str, float]:
    assert bare.events == stream.events, (bare.events, stream.events)
    bare_rate = _rate(stream.events, bare.seconds)
    overall = _rate(stream.events, p.events_seconds)
    t = p.timing
    # Per event of the stream: the reader's share (parse, filter, queue) plus, per
    # handled event, what one that needs no PostgreSQL costs.
    per_event = (p.receive_seconds / stream.events
                 + (t.without_db_seconds / t.without_db) * p.queued / stream.events)
    no_db_rate = 1 / per_event
    print(f"run {run}:")
    print(f"  bare parse      {bare.seconds:7.2f} s  {bare_rate:10,.0f} events/s"
          f"   (CPU {bare.cpu_seconds:.2f} s)")
    print(f"  pipeline        {p.events_seconds:7.2f} s  {overall:10,.0f} events/s"
          f"  ratio {overall / bare_rate:.2f}   (background writes done at"
          f" {p.all_seconds:.2f} s)")
    print(f"  no-DB path      {1 / no_db_rate * stream.events:7.2f} s  {no_db_rate:10,.0f}"
          f" events/s  ratio {no_db_rate / bare_rate:.2f}   (reader {p.receive_seconds:.2f} s"
          f" + {t.without_db:,} handled events that sent no statement, mean"
          f" {1e6 * t.without_db_seconds / max(t.without_db, 1):.1f} us)")
    u_rate = _rate(untracked.events, u.events_seconds)
    u_bare = _rate(untracked.events, bare_untracked.seconds)
    assert u.db.round_trips == 0, "an untracked call made the pipeline write"
    print(f"  no-write replay {u.events_seconds:7.2f} s  {u_rate:10,.0f} events/s  ratio"
          f" {u_rate / u_bare:.2f}   (the click-to-call captures, {untracked.events:,}"
          f" events, calls not tracked: 0 statements; bare parse of these bytes"
          f" {u_bare:,.0f} events/s)")
    print(f"  events that went to PostgreSQL: {t.with_db:,}, mean"
          f" {1e6 * t.with_db_seconds / max(t.with_db, 1):.0f} us each,"
          f" {t.with_db_seconds:.2f} s in all")
    print(f"  CPU: this process {p.cpu_user_seconds:.2f} s user + {p.cpu_system_seconds:.2f} s"
          f" system (reader {p.receive_cpu_seconds:.2f} s, garbage collector"
          f" {p.gc_seconds:.2f} s); PostgreSQL {p.postgres_cpu_seconds:.2f} s;"
          f" wall {p.all_seconds:.2f} s")
    print(f"  PostgreSQL: {p.db.writes:,} writes, {p.db.reads:,} reads,"
          f" {p.db.transactions:,} transactions ({p.db.round_trips:,} round trips,"
          f" {p.db.round_trips / sum(stream.calls.values()):.1f} per call)")
    print(f"  calls by disposition: {p.dispositions}; recordings: {p.recordings};"
          f" still live: {p.live_calls_left}")
    print(f"  console messages: {dict(sorted(p.published.items()))}")
    if statements:
        print("  statements by time awaited (count, mean, total):")
        top = sorted(p.db.spent.items(), key=lambda kv: -kv[1][1])[:statements]
        for name, (count, seconds) in top:
            print(f"    {name:40} {count:8,.0f} {1e6 * seconds / count:8.0f} us"
                  f" {seconds:7.2f} s")
    return {"bare": bare_rate, "pipeline": overall, "no_db": no_db_rate,
            "ratio": overall / bare_rate, "no_db_ratio": no_db_rate / bare_rate,
            "no_write": u_rate, "no_write_ratio": u_rate / u_bare}


def _spread(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return format(values[0], fmt)
    return (f"median {format(statistics.median(values), fmt)}"
            f" (min {format(min(values), fmt)}, max {format(max(values), fmt)})")


async def main(args: argparse.Namespace) -> None:
    runs: list[dict[str, float]] = []
    profile = cProfile.Profile() if args.profile else None
    with embedded_postgres() as (server_url, server):
        for run in range(1, args.runs + 1):
            stream = build_stream(args.events, run)
            if run == 1:
                print(f"stream: {stream.events:,} events in {len(stream.data) / 1e6:.1f} MB"
                      f" ({stream.repetitions:,} repetitions of {len(stream.calls)} captures,"
                      f" {sum(stream.calls.values()):,} calls); the reader keeps"
                      f" {stream.wanted:,}, {stream.translated:,} become domain events;"
                      f" {args.chunk} bytes per data_received")
            untracked = build_stream(args.events, run, only="click_to_call")
            bare = bare_parse(stream.data, args.chunk)
            bare_untracked = bare_parse(untracked.data, args.chunk)
            full, no_write = await run_pipeline(server_url, server, stream, untracked, run,
                                                args.chunk, args.backlog,
                                                profile if run == 1 else None)
            runs.append(report_run(run, stream, bare, full, untracked, bare_untracked,
                                   no_write, args.statements))
    print("summary over", len(runs), "runs:")
    for key, label, fmt in (("bare", "bare parse events/s", ",.0f"),
                            ("pipeline", "pipeline events/s", ",.0f"),
                            ("ratio", "pipeline / bare", ".2f"),
                            ("no_db", "no-DB path events/s", ",.0f"),
                            ("no_db_ratio", "no-DB path / bare", ".2f"),
                            ("no_write", "no-write replay events/s", ",.0f"),
                            ("no_write_ratio", "no-write replay / bare", ".2f")):
        print(f"  {label:26} {_spread([r[key] for r in runs], fmt)}")
    if profile is not None:
        profile.dump_stats(args.profile)
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(25)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000,
                        help="at least this many AMI events in the stream")
    parser.add_argument("--runs", type=int, default=3, help="bare + pipeline, this often")
    parser.add_argument("--chunk", type=int, default=4096, help="bytes per data_received")
    parser.add_argument("--backlog", type=int, default=1000,
                        help="queued frames at which the reader waits")
    parser.add_argument("--statements", type=int, default=0, metavar="N",
                        help="print the N statements PostgreSQL took longest over")
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile the first pipeline run into FILE (and print its top)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
