"""The live-call registry with fakes: an in-memory call store that can fail like a
PostgreSQL that went away, a publish port that records what consoles get, and the
frames recorded from the real Asterisk.

What these pin down: write, then forget, then notify; a write that fails is retried and
nothing is lost or reordered; the reconcile rebuilds or finishes calls from their rows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from callcenter.db.database import DatabaseUnavailable
from callcenter.domain.call_events import LiveChannel, LiveSnapshot
from callcenter.domain.calls import CallRecord, OutboundCall
from callcenter.services.calls import CallRegistry, Extensions, LiveOutbound
from callcenter.services.notifier import CallView, Notifier
from callcenter.telephony.ami_events import translate
from callcenter.telephony.recording_folder import RecordingFolder
from tests.frames import events

OUTBOUND_LINKEDID = "1795464513.16"  # tests/fixtures/ami/click_to_call.txt
AGENT = 7


@dataclass
class FakeStore:
    """What the registry writes, in order; ``fail`` makes the next N writes fail."""

    writes: list[tuple[str, Any]] = field(default_factory=list)
    records: list[CallRecord] = field(default_factory=list)
    fail: int = 0
    users: dict[str, int] = field(default_factory=lambda: {"1002": 8})

    def _write(self, what: str, value: Any) -> None:
        if self.fail:
            self.fail -= 1
            raise DatabaseUnavailable("PostgreSQL unavailable: ConnectionRefusedError")
        self.writes.append((what, value))

    async def save_outbound(self, call_id: int, p: OutboundCall) -> None:
        self._write("state", p.state.value)

    async def finish_outbound(self, call_id: int, agent_id: int | None, followup_id: Any,
                              customer_id: Any, p: OutboundCall, **kw: Any) -> bool:
        self._write("finish", (p.disposition, p.answered_at, p.ended_at, kw))
        return True

    async def insert_inbound(self, linkedid: str, customer_id: Any, caller: str,
                             at: float) -> int:
        self._write("arrival", linkedid)
        return 50

    async def inbound_queued(self, call_id: int, ivr_choice: str) -> None:
        self._write("queued", ivr_choice)

    async def inbound_answered(self, call_id: int, agent_id: Any, at: float,
                               interface: str, agent_uniqueid: str) -> None:
        self._write("answered", (agent_id, interface))

    async def finish_inbound(self, call_id: int, call: Any, disposition: str,
                             ended_at: float, **kw: Any) -> bool:
        self._write("finish", (disposition, ended_at, kw.get("unseen", False)))
        return True

    async def open_calls(self) -> list[CallRecord]:
        return list(self.records)

    async def set_recording_file(self, call_id: int, relative: str) -> None:
        self._write("recording_file", relative)

    async def add_recording(self, call_id: int, relative: str, *rest: Any) -> None:
        self._write("recording", (relative, rest[-1]))

    async def user_by_extension(self, extension: str) -> int | None:
        return self.users.get(extension)


class FakePops:
    async def matching(self, caller: Any) -> list[int]:
        return [3]

    async def cards(self, ids: list[int]) -> list[dict[str, Any]]:
        return [{"id": i, "name": "王芳"} for i in ids]


@dataclass
class Consoles:
    """The publish port: each message with the writes the store had when it was sent."""

    store: FakeStore
    sent: list[tuple[int, dict[str, Any], int]] = field(default_factory=list)

    def publish(self, user_id: int, message: dict[str, Any]) -> None:
        self.sent.append((user_id, message, len(self.store.writes)))

    def states(self, user_id: int) -> list[str]:
        return [m["call"]["state"] for u, m, _ in self.sent
                if u == user_id and m["type"] == "call"]


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def consoles(store: FakeStore) -> Consoles:
    return Consoles(store)


@pytest.fixture
def closed() -> list[int]:
    return []


@pytest.fixture
def registry(store: FakeStore, consoles: Consoles, closed: list[int],
             tmp_path: Path) -> CallRegistry:
    async def call_closed(user_id: int) -> None:
        closed.append(user_id)

    return CallRegistry(store, Notifier(consoles.publish), RecordingFolder(tmp_path),  # type: ignore[arg-type]
                        FakePops(), Extensions(store), "CN", call_closed)  # type: ignore[arg-type]


def _outbound(started_at: float = 1795464513.28) -> LiveOutbound:
    return LiveOutbound(1, AGENT, 11, 3, "+8613800138000",
                        OutboundCall(OUTBOUND_LINKEDID, started_at))


async def _replay(registry: CallRegistry, capture: str) -> None:
    for frame in events(capture):
        event = translate(frame)
        if event is not None:
            await registry.on_event(event)


async def test_every_state_is_written_before_the_console_hears_of_it(
        registry: CallRegistry, store: FakeStore, consoles: Consoles) -> None:
    registry.track(_outbound())
    await _replay(registry, "click_to_call")
    assert consoles.states(AGENT) == ["agent_ringing", "agent_answered", "customer_ringing",
                                      "answered", "ended"]
    writes = [w for w, _ in store.writes]
    assert writes[:4] == ["state", "state", "state", "finish"]
    # Each message after the first went out after its own write.
    assert [n for _, _, n in consoles.sent] == [0, 1, 2, 3, 4]
    disposition, answered_at, ended_at, _ = store.writes[3][1]
    assert (disposition, answered_at, ended_at) == ("answered", 1795464513.903636,
                                                    1795464517.910898)
    assert registry.live_calls() == 0 and registry.snapshot_of(AGENT) == []


async def test_an_end_postgresql_refuses_is_retried_and_nothing_is_forgotten(
        registry: CallRegistry, store: FakeStore, consoles: Consoles) -> None:
    registry.track(_outbound())
    frames = [e for e in map(translate, events("click_to_call")) if e is not None]
    *before, hangup = [e for e in frames if getattr(e, "linkedid", "") == OUTBOUND_LINKEDID]
    for event in before:
        await registry.on_event(event)
    store.fail = 2  # PostgreSQL is away for the hang-up
    ending = asyncio.create_task(registry.on_event(hangup))
    await asyncio.sleep(0.05)
    # Not written yet: still held (a restart would find its row open) and not announced.
    assert registry.live_calls() == 1 and "ended" not in consoles.states(AGENT)
    await asyncio.wait_for(ending, 5)
    assert store.writes[-1][0] == "finish"
    assert consoles.states(AGENT)[-1] == "ended" and registry.live_calls() == 0


async def test_a_failed_originate_is_finished_without_an_attempt(
        registry: CallRegistry, store: FakeStore, consoles: Consoles) -> None:
    registry.track(_outbound())
    await registry.originate_failed(OUTBOUND_LINKEDID)
    disposition, _, _, kw = store.writes[-1][1]
    assert disposition == "failed" and kw["count_attempt"] is False
    assert consoles.states(AGENT) == ["agent_ringing", "ended"]


async def test_the_recorded_queue_call_pops_answers_and_closes(
        registry: CallRegistry, store: FakeStore, consoles: Consoles,
        closed: list[int]) -> None:
    await _replay(registry, "queue_answered")
    await asyncio.sleep(0)
    kinds = [m["type"] for u, m, _ in consoles.sent if u == 8]
    assert kinds[0] == "pop" and kinds[-2:] == ["call", "call"]
    assert consoles.states(8) == ["answered", "ended"]
    assert [w for w, _ in store.writes][:4] == ["arrival", "queued", "answered", "finish"]
    assert store.writes[3][1][0] == "answered"
    assert closed == [8]  # the agent's state (wrap-up) is told after the call is closed


@dataclass
class Board:
    """The Watch port: each call state the board is told, with the writes made by then."""

    store: FakeStore
    calls: list[tuple[str, int]] = field(default_factory=list)

    def call(self, view: CallView) -> None:
        self.calls.append((view.state, len(self.store.writes)))

    def agent(self, user_id: int, message: dict[str, Any]) -> None:
        pass


async def test_the_pop_does_not_wait_for_the_queue_join_to_be_written(
        store: FakeStore, consoles: Consoles, tmp_path: Path) -> None:
    """The writes between the IVR and the first ring are made behind the call's events:
    the ring pops the agent at once; the board hears of the queue join once it is
    written, and the answer is written (and told) only after it."""
    written = asyncio.Event()
    queued = store.inbound_queued

    async def slow_queued(call_id: int, ivr_choice: str) -> None:
        await written.wait()
        await queued(call_id, ivr_choice)

    store.inbound_queued = slow_queued  # type: ignore[method-assign]
    board = Board(store)

    async def call_closed(user_id: int) -> None:
        pass

    registry = CallRegistry(store, Notifier(consoles.publish, board),  # type: ignore[arg-type]
                            RecordingFolder(tmp_path), FakePops(), Extensions(store),  # type: ignore[arg-type]
                            "CN", call_closed)
    replay = asyncio.create_task(_replay(registry, "queue_answered"))
    for _ in range(200):
        if any(m["type"] == "pop" for _, m, _ in consoles.sent):
            break
        await asyncio.sleep(0.005)
    assert [m["type"] for u, m, _ in consoles.sent if u == 8] == ["pop"]
    assert [w for w, _ in store.writes] == ["arrival"] and not replay.done()
    written.set()
    await replay
    await registry.settled()
    assert [w for w, _ in store.writes][:4] == ["arrival", "queued", "answered", "finish"]
    # Each told after its write: queued once 2 writes are made, answered after 3.
    assert board.calls[:2] == [("queued", 2), ("answered", 3)]


def _record(**fields: Any) -> CallRecord:
    base: dict[str, Any] = dict(
        id=1, linkedid=OUTBOUND_LINKEDID, direction="outbound", state="answered",
        agent_id=AGENT, customer_id=3, followup_id=11, phone="+8613800138000",
        ivr_choice="", started_at=100.0, agent_answered_at=101.0, answered_at=103.0,
        customer_uniqueid="U2", customer_channel="PJSIP/trunk-2", agent_interface="",
        agent_uniqueid="", recording_file="", updated_at=103.0)
    return CallRecord(**{**base, **fields})


async def test_a_call_still_up_after_a_restart_is_followed_from_its_row(
        registry: CallRegistry, store: FakeStore, consoles: Consoles) -> None:
    store.records = [_record()]
    live = (LiveChannel(OUTBOUND_LINKEDID, OUTBOUND_LINKEDID, "PJSIP/1001-1", "up", "cc"),
            LiveChannel(OUTBOUND_LINKEDID, "U2", "PJSIP/trunk-2", "up", "from-trunk"))
    await registry.on_event(LiveSnapshot(200.0, live, ()))
    assert registry.live_calls() == 1 and consoles.states(AGENT) == ["answered"]
    hangup = translate({"Event": "Hangup", "Timestamp": "210.5", "Linkedid": OUTBOUND_LINKEDID,
                        "Uniqueid": OUTBOUND_LINKEDID, "Channel": "PJSIP/1001-1"})
    assert hangup is not None
    await registry.on_event(hangup)
    disposition, answered_at, ended_at, kw = store.writes[-1][1]
    assert (disposition, answered_at, ended_at) == ("answered", 103.0, 210.5)
    assert kw["unseen"] is False


async def test_a_call_gone_after_a_restart_is_finished_from_its_row(
        registry: CallRegistry, store: FakeStore, consoles: Consoles) -> None:
    store.records = [_record(state="customer_ringing", answered_at=None, updated_at=102.0),
                     _record(id=2, linkedid="L-in", direction="inbound", state="queued",
                             agent_id=None, answered_at=None, updated_at=150.0),
                     _record(id=3, linkedid="L-new", started_at=300.0)]
    await registry.on_event(LiveSnapshot(200.0, (), ()))
    finishes = [v for w, v in store.writes if w == "finish"]
    assert finishes[0][:3] == ("no_answer", None, 102.0) and finishes[0][3]["unseen"]
    assert finishes[1] == ("abandoned", 150.0, True)
    # The call placed after the snapshot was asked for is not touched.
    assert len(finishes) == 2
    assert consoles.states(AGENT) == ["ended"]
