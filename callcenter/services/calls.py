"""Live calls: the one owner of every call in progress, outbound and inbound.

- **One owner.** The registry is the only holder of a call's live state. It is built
  from typed domain events (services/dispatch.py) and from the calls' rows; the
  click-to-call service hands it the calls it places (``track``).
- **Durable as it happens.** Every fact a restarted server needs is written to the
  call's row the moment it is known: agent answered, customer ringing (their leg),
  customer answered (its time), who answered an inbound call, the recording's file. The
  order is always write, then forget, then notify. A write PostgreSQL cannot take (it
  is away) is retried until it is taken, holding the call's events meanwhile: they
  queue up in order and none is lost or applied out of order. The two writes of an
  inbound call between the IVR and its first ring (the recording's file, the queue
  join) are the exception: they are made behind the call's events, in order, so the
  queue's ring pops the agent's screen without waiting for PostgreSQL; each later write
  of the call waits for them (``pending_write``).
- **One reconcile.** After every AMI (re)login Asterisk's snapshot of live channels is
  compared with the open rows, both directions alike: a live call the registry does not
  hold (the server restarted) is rebuilt from its row and the snapshot; a call that
  ended unseen is finished from its row and its recording file (docs/calls.md says
  which times are exact and which inferred), and the consoles are told.
- Inbound calls get their row and their screen-pop cards as soon as they arrive, while
  the caller is in the IVR, so the pop goes out the moment the queue rings an agent,
  to exactly that agent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from callcenter.db.calls import CallStore
from callcenter.db.database import DatabaseUnavailable
from callcenter.domain.call_events import (
    AgentAnswered,
    AgentRingEnded,
    AgentRung,
    CallerAbandoned,
    CallerQueued,
    CallEvent,
    ChannelCreated,
    ChannelHungUp,
    ChannelStateChanged,
    DialEnded,
    DialStarted,
    LiveChannel,
    LiveSnapshot,
    OriginateFinished,
    RecordingStarted,
)
from callcenter.domain.caller_id import CallerNumber, classify
from callcenter.domain.calls import (
    Answered,
    CallRecord,
    CallState,
    Effect,
    Ended,
    InboundCall,
    OutboundCall,
    Pop,
    Withdraw,
    inbound_disposition,
)
from callcenter.services.notifier import CallView, Message, Notifier, call_message
from callcenter.services.screen_pop import PopCards, match_kind
from callcenter.telephony.recording_folder import RecordingFolder

log = logging.getLogger(__name__)
T = TypeVar("T")

TRUNK_CONTEXT = "from-trunk"  # where dialplans/extensions.conf receives callers
USER_CACHE_SECONDS = 30.0  # extension -> console user; accounts change rarely
# MixMonitor closes its file a moment after the hang-up event.
RECORDING_WAIT = 3.0


@dataclass
class LiveOutbound:
    call_id: int
    agent_id: int | None
    followup_id: int | None
    customer_id: int | None
    phone: str
    progress: OutboundCall
    recording_file: str = ""

    def view(self) -> CallView:
        p = self.progress
        return CallView(self.call_id, p.linkedid, "outbound", p.state.value, self.agent_id,
                        self.customer_id, self.phone, p.started_at, p.answered_at,
                        p.ended_at, p.disposition, followup_id=self.followup_id)


@dataclass
class LiveInbound:
    call_id: int
    state: InboundCall
    caller: CallerNumber
    customer_id: int | None
    pop: Message
    users: dict[str, int]  # interface -> console user rung on it
    recording_file: str = ""
    pending_write: asyncio.Task[None] | None = None  # behind the events: see the docstring

    @property
    def agent_id(self) -> int | None:
        answered_by = self.state.answered_by
        return None if answered_by is None else self.users.get(answered_by)

    def view(self, state: str) -> CallView:
        s = self.state
        disposition = None if s.ended_at is None else (
            "answered" if s.answered_by else "abandoned")
        return CallView(self.call_id, s.linkedid, "inbound", state, self.agent_id,
                        self.customer_id, self.caller.e164 or self.caller.raw, s.started_at,
                        s.answered_at, s.ended_at, disposition, ivr_choice=s.ivr_choice,
                        queued_at=s.queued_at)


@dataclass
class Arrival:
    """What is known of a caller before they reach the queue."""

    call_id: int
    caller: CallerNumber
    customer_ids: list[int]
    candidates: list[dict[str, Any]]
    arrived_at: float
    channel: str
    recording_file: str = ""  # MixMonitor starts before the caller joins the queue
    pending_write: asyncio.Task[None] | None = None

    def call(self, linkedid: str) -> InboundCall:
        return InboundCall(linkedid, linkedid, self.caller.raw, "", self.arrived_at,
                           arrived_at=self.arrived_at, caller_channel=self.channel)


def _extension(interface: str) -> str:
    """PJSIP/1001 -> 1001."""
    return interface.rpartition("/")[2]


class Extensions:
    """Which console user has a phone extension (cached: accounts change rarely)."""

    def __init__(self, store: CallStore) -> None:
        self._store = store
        self._users: dict[str, tuple[float, int | None]] = {}

    async def user_of(self, interface: str) -> int | None:
        extension = _extension(interface)
        cached = self._users.get(extension)
        if cached is not None and time.monotonic() - cached[0] < USER_CACHE_SECONDS:
            return cached[1]
        user_id = await self._store.user_by_extension(extension)
        self._users[extension] = (time.monotonic(), user_id)
        return user_id


class Tasks:
    """Background tasks with an owner: a failure is logged, close() cancels the rest."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(),
                      exc_info=task.exception())

    async def close(self, grace: float = 0.0) -> None:
        """Let the tasks finish for ``grace`` seconds, then cancel what is left."""
        if self._tasks and grace > 0:
            await asyncio.wait(set(self._tasks), timeout=grace)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def _after(write: asyncio.Task[None] | None) -> None:
    """Wait for a write made behind the events (its failure is the writer's to log)."""
    if write is not None:
        await asyncio.wait([write])


async def durably(write: Callable[[], Awaitable[T]], what: str,
                  retry_max: float = 5.0) -> T:
    """Run ``write`` until PostgreSQL takes it: a fact of a call is never dropped."""
    delay = 0.2
    while True:
        try:
            return await write()
        except DatabaseUnavailable as exc:
            log.warning("%s not written yet (%s): retrying in %.1f s", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, retry_max)


class RecordingLinker:
    """Links an answered call's MixMonitor file to its row once the file is closed."""

    def __init__(self, store: CallStore, folder: RecordingFolder, tasks: Tasks) -> None:
        self._store = store
        self._folder = folder
        self._tasks = tasks

    def link_soon(self, call_id: int, linkedid: str, started_at: float,
                  relative: str) -> None:
        self._tasks.spawn(self._link(call_id, linkedid, started_at, relative),
                          name=f"recording-{linkedid}")

    async def _link(self, call_id: int, linkedid: str, started_at: float,
                    relative: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RECORDING_WAIT
        path = await self._folder.locate(relative, linkedid, started_at)
        while path is None and loop.time() < deadline:
            await asyncio.sleep(0.2)
            path = await self._folder.locate(relative, linkedid, started_at)
        if path is None:
            log.warning("answered call %s has no recording", linkedid)
            await durably(lambda: self._store.add_recording(
                call_id, f"missing/{linkedid}.wav", None, None, None, "missing"),
                f"missing recording of {linkedid}")
            return
        facts = await self._folder.describe(path)
        await durably(lambda: self._store.add_recording(
            call_id, self._folder.relative(path), facts.size, facts.duration_ms,
            facts.sha256, "ready"), f"recording of {linkedid}")


class CallRegistry:
    """Every live call, by Linkedid. Subscribe ``on_event`` to ``EVENTS``."""

    EVENTS = (ChannelCreated, ChannelStateChanged, ChannelHungUp, DialStarted, DialEnded,
              OriginateFinished, CallerQueued, AgentRung, AgentRingEnded, AgentAnswered,
              CallerAbandoned, RecordingStarted, LiveSnapshot)

    def __init__(self, store: CallStore, notifier: Notifier, folder: RecordingFolder,
                 pops: PopCards, extensions: Extensions, region: str,
                 call_closed: Callable[[int], Awaitable[None]]) -> None:
        self._store = store
        self._notify = notifier
        self._folder = folder
        self._pops = pops
        self._extensions = extensions
        self._region = region
        # The agent's queue state depends on the closed call (wrap-up): told after it.
        self._call_closed = call_closed
        self._tasks = Tasks()
        self._recordings = RecordingLinker(store, folder, self._tasks)
        self._outbound: dict[str, LiveOutbound] = {}
        self._inbound: dict[str, LiveInbound] = {}
        self._arrivals: dict[str, asyncio.Task[Arrival]] = {}
        self._behind: set[asyncio.Task[None]] = set()

    # -- what the rest of the server asks ----------------------------------------------

    def track(self, call: LiveOutbound) -> None:
        """A click-to-call whose row is written, before its Originate goes out (its first
        events can beat the Originate's reply)."""
        self._outbound[call.progress.linkedid] = call
        self._notify.call(call.agent_id, call.view())

    async def originate_failed(self, linkedid: str) -> None:
        """Asterisk never took the call: close its row (no attempt: the customer was
        not tried) so the agent is free again, and say so on their console."""
        call = self._outbound.get(linkedid)
        if call is None:
            return
        call.progress.originate_failed(time.time())
        await self._finish_outbound(call, count_attempt=False)

    def live_calls(self) -> int:
        return len(self._outbound) + len(self._inbound)

    def live_views(self) -> list[CallView]:
        """Every live call as the board shows it: placed, queued, ringing, answered."""
        views = [c.view() for c in self._outbound.values()]
        views += [c.view("answered" if c.state.answered_by else
                         "ringing" if c.state.ringing else "queued")
                  for c in self._inbound.values()]
        return views

    def agent_uniqueid(self, call_id: int) -> tuple[int | None, str] | None:
        """The agent and the Uniqueid of their channel on a live call they are talking
        on (what ChanSpy joins), or None. An outbound call's agent channel is the
        Originate's, whose Uniqueid is the call's Linkedid."""
        for out in self._outbound.values():
            if out.call_id == call_id and out.progress.agent_answered_at is not None:
                return out.agent_id, out.progress.linkedid
        for call in self._inbound.values():
            if call.call_id == call_id and call.state.agent_uniqueid:
                return call.agent_id, call.state.agent_uniqueid
        return None

    def snapshot_of(self, user_id: int) -> list[Message]:
        """What a (re)connecting console must see: its calls in progress, the pops
        ringing it."""
        out = [call_message(c.view()) for c in self._outbound.values()
               if c.agent_id == user_id]
        for call in self._inbound.values():
            if call.state.answered_by and call.agent_id == user_id:
                out.append(call_message(call.view("answered")))
            elif any(call.users.get(i) == user_id for i in call.state.ringing):
                out.append(call.pop)
        return out

    async def settled(self) -> None:
        """Every write made behind the events so far is done (or has failed, logged)."""
        if self._behind:
            await asyncio.wait(set(self._behind))

    async def close(self) -> None:
        """At shutdown: what was written stays; the reconcile of the next start finishes
        the calls still up. A recording link still waiting for MixMonitor's file gets a
        moment, not more (shutdown stays under 2 s): ``callcenter recordings reconcile``
        lists what one leaves unlinked."""
        for task in self._arrivals.values():
            task.cancel()
        await self._tasks.close(grace=1.0)

    # -- events ------------------------------------------------------------------------

    async def on_event(self, event: CallEvent) -> None:
        match event:
            case LiveSnapshot():
                await self._reconcile(event)
            case ChannelCreated() if (event.context == TRUNK_CONTEXT
                                      and event.uniqueid == event.linkedid):
                self._arrivals[event.linkedid] = self._tasks.spawn(
                    self._arrive(event.linkedid, event.caller_number, event.at,
                                 event.channel), name=f"arrival-{event.linkedid}")
            case CallerQueued() if event.linkedid not in self._inbound:
                await self._queued(event)
            case ChannelHungUp() if (event.linkedid in self._arrivals
                                     and event.linkedid not in self._inbound
                                     and event.uniqueid == event.linkedid):
                await self._left_in_ivr(event)
            case RecordingStarted():
                await self._recording_started(event)
            case OriginateFinished():
                call = self._outbound.get(event.action_id)
                if call is not None:
                    await self._outbound_event(call, event)
            case _:
                linkedid = getattr(event, "linkedid", "")
                if (outbound := self._outbound.get(linkedid)) is not None:
                    await self._outbound_event(outbound, event)
                elif (inbound := self._inbound.get(linkedid)) is not None:
                    for effect in inbound.state.apply(event):
                        await self._effect(inbound, effect)

    async def _recording_started(self, event: RecordingStarted) -> None:
        call: LiveOutbound | LiveInbound | Arrival | None = (
            self._outbound.get(event.linkedid) or self._inbound.get(event.linkedid))
        if call is None and event.linkedid in self._arrivals:
            call = await self._arrivals[event.linkedid]  # recording starts before the queue
        if call is None or not event.path:
            return
        call.recording_file = event.path
        call_id = call.call_id

        def write() -> Awaitable[None]:
            return self._store.set_recording_file(call_id, event.path)
        what = f"recording file of {event.linkedid}"
        if isinstance(call, LiveOutbound):
            await durably(write, what)
        else:
            call.pending_write = self._write_behind(call.pending_write, write, what)

    def _write_behind(self, after: asyncio.Task[None] | None,
                      write: Callable[[], Awaitable[object]], what: str,
                      then: Callable[[], None] | None = None) -> asyncio.Task[None]:
        """``write`` (retried until taken), then ``then``, once ``after`` is done: in
        the call's order, without holding its events."""
        async def run() -> None:
            await _after(after)
            await durably(write, what)
            if then is not None:
                then()
        task = self._tasks.spawn(run(), name=what)
        self._behind.add(task)
        task.add_done_callback(self._behind.discard)
        return task

    # -- outbound ----------------------------------------------------------------------

    async def _outbound_event(self, call: LiveOutbound, event: CallEvent) -> None:
        if not call.progress.apply(event):
            return
        if call.progress.ended:
            await self._finish_outbound(call)
            return
        await durably(lambda: self._store.save_outbound(call.call_id, call.progress),
                      f"state of {call.progress.linkedid}")
        self._notify.call(call.agent_id, call.view())

    async def _finish_outbound(self, call: LiveOutbound, *, unseen: bool = False,
                               count_attempt: bool = True) -> None:
        p = call.progress
        await durably(lambda: self._store.finish_outbound(
            call.call_id, call.agent_id, call.followup_id, call.customer_id, p,
            unseen=unseen, count_attempt=count_attempt), f"end of {p.linkedid}")
        self._outbound.pop(p.linkedid, None)
        self._notify.call(call.agent_id, call.view())
        if p.answered_at is not None:
            self._recordings.link_soon(call.call_id, p.linkedid, p.started_at,
                                       call.recording_file)

    # -- inbound -----------------------------------------------------------------------

    async def _arrive(self, linkedid: str, caller_number: str, at: float,
                      channel: str = "") -> Arrival:
        caller = classify(caller_number, self._region)
        ids = await durably(lambda: self._pops.matching(caller), f"match of {linkedid}")
        call_id = await durably(lambda: self._store.insert_inbound(
            linkedid, ids[0] if len(ids) == 1 else None, caller.e164 or caller.raw, at),
            f"arrival of {linkedid}")
        cards = await durably(lambda: self._pops.cards(ids), f"pop of {linkedid}")
        return Arrival(call_id, caller, ids, cards, at, channel)

    async def _arrival(self, linkedid: str, caller_number: str, at: float) -> Arrival:
        task = self._arrivals.pop(linkedid, None)
        if task is None:  # the call arrived while we were not connected
            return await self._arrive(linkedid, caller_number, at)
        return await task

    async def _left_in_ivr(self, event: ChannelHungUp) -> None:
        arrival = await self._arrivals.pop(event.linkedid)
        call = arrival.call(event.linkedid)
        call.apply(event)
        await _after(arrival.pending_write)
        await durably(lambda: self._store.finish_inbound(arrival.call_id, call, "ivr",
                                                         event.at),
                      f"end of {event.linkedid}")

    def _live_inbound(self, arrival: Arrival, state: InboundCall, queue: str) -> LiveInbound:
        pop = {"type": "pop", "call_id": arrival.call_id, "linkedid": state.linkedid,
               "queue": queue, "caller": arrival.caller.to_dict(),
               "ivr_choice": state.ivr_choice,
               "match": match_kind(arrival.caller, arrival.candidates),
               "candidates": arrival.candidates}
        customer_id = arrival.customer_ids[0] if len(arrival.customer_ids) == 1 else None
        state.arrived_at, state.caller_channel = arrival.arrived_at, arrival.channel
        call = LiveInbound(arrival.call_id, state, arrival.caller, customer_id, pop, {},
                           arrival.recording_file, arrival.pending_write)
        self._inbound[state.linkedid] = call
        return call

    async def _queued(self, event: CallerQueued) -> None:
        arrival = await self._arrival(event.linkedid, event.caller_number, event.at)
        state = InboundCall(event.linkedid, event.caller_uniqueid, event.caller_number,
                            event.ivr_choice, event.at)
        call = self._live_inbound(arrival, state, event.queue)
        queued = call.view("queued")  # as it is now, told once it is written
        call.pending_write = self._write_behind(
            call.pending_write,
            lambda: self._store.inbound_queued(arrival.call_id, event.ivr_choice),
            f"queueing of {event.linkedid}",
            then=lambda: self._notify.call(None, queued))

    async def _effect(self, call: LiveInbound, effect: Effect) -> None:
        match effect:
            case Pop(interface=interface, at=at):
                user_id = await durably(lambda: self._extensions.user_of(interface),
                                        f"user of {interface}")
                if user_id is None:
                    log.error("queue rang %s but no console user has extension %s: "
                              "no screen-pop shown", interface, _extension(interface))
                    return
                call.users[interface] = user_id
                # The IVR choice may arrive with the ring rather than the queue join.
                call.pop["ivr_choice"] = call.state.ivr_choice
                self._notify.pop(user_id, call.pop, at)
            case Withdraw(interface=interface, reason=reason):
                if interface in call.users:
                    self._notify.pop_withdrawn(call.users[interface], call.call_id,
                                               call.state.linkedid, reason)
            case Answered(interface=interface, at=at):
                s = call.state
                if interface not in call.users:  # rung while no server watched
                    user_id = await durably(lambda: self._extensions.user_of(interface),
                                            f"user of {interface}")
                    if user_id is not None:
                        call.users[interface] = user_id
                await _after(call.pending_write)
                await durably(lambda: self._store.inbound_answered(
                    call.call_id, call.users.get(interface), at, interface,
                    s.agent_uniqueid), f"answer of {s.linkedid}")
                self._notify.call(call.agent_id, call.view("answered"))
            case Ended(disposition=disposition, at=at):
                await self._finish_inbound(call, disposition, at)

    async def _finish_inbound(self, call: LiveInbound, disposition: str, at: float, *,
                              answered_at: float | None = None, unseen: bool = False) -> None:
        s = call.state
        s.ended_at = s.ended_at or at
        await _after(call.pending_write)
        await durably(lambda: self._store.finish_inbound(
            call.call_id, s, disposition, at, answered_at=answered_at, unseen=unseen),
            f"end of {s.linkedid}")
        self._inbound.pop(s.linkedid, None)
        if s.answered_by is None and answered_at is None:
            self._notify.call(None, call.view("ended"))  # abandoned: only the board cares
            return
        self._recordings.link_soon(call.call_id, s.linkedid, s.started_at,
                                   call.recording_file)
        user_id = call.agent_id
        if user_id is not None:
            self._notify.call(user_id, call.view("ended"))
            await self._call_closed(user_id)

    # -- after an AMI (re)login --------------------------------------------------------

    async def _reconcile(self, snapshot: LiveSnapshot) -> None:
        await self.settled()  # the rows compared must hold what was seen
        live = snapshot.linkedids
        records = await durably(self._store.open_calls, "open calls")
        open_ids = {r.linkedid for r in records}
        for record in records:
            if record.started_at >= snapshot.at:
                continue  # placed after the snapshot was taken: not in it yet
            if record.linkedid in live:
                if not self._holds(record.linkedid):
                    await self._adopt(record, snapshot)
                continue
            await self._end_unseen(record)
        # What we held whose row is closed (finished elsewhere) or that left unseen
        # before it had a row.
        for linkedid in [*self._outbound, *self._inbound, *self._arrivals]:
            if linkedid not in open_ids and linkedid not in live:
                self._outbound.pop(linkedid, None)
                self._inbound.pop(linkedid, None)
                task = self._arrivals.pop(linkedid, None)
                if task is not None:
                    task.cancel()

    def _holds(self, linkedid: str) -> bool:
        return (linkedid in self._outbound or linkedid in self._inbound
                or linkedid in self._arrivals)

    async def _adopt(self, record: CallRecord, snapshot: LiveSnapshot) -> None:
        """A live call this server did not see begin (it restarted): rebuilt from its row,
        brought forward by what the snapshot shows, and followed from here on."""
        log.info("call %s is still up: followed again from its row", record.linkedid)
        channels = [c for c in snapshot.channels if c.linkedid == record.linkedid]
        if record.direction == "outbound":
            call = LiveOutbound(record.id, record.agent_id, record.followup_id,
                                record.customer_id, record.phone,
                                _caught_up(record.outbound(), channels, snapshot.at),
                                record.recording_file)
            self._outbound[record.linkedid] = call
            await durably(lambda: self._store.save_outbound(call.call_id, call.progress),
                          f"state of {record.linkedid}")
            self._notify.call(call.agent_id, call.view())
            return
        if record.direction != "inbound":
            return
        waiting = next((w for w in snapshot.waiting if w.uniqueid == record.linkedid), None)
        agent_leg = next((c for c in channels if c.uniqueid != record.linkedid
                          and c.channel.startswith("PJSIP/")), None)
        state = record.inbound()
        if waiting is None and agent_leg is None and record.state == "ivr":
            # Still in the IVR: prepared again, as if it had just arrived.
            self._arrivals[record.linkedid] = self._tasks.spawn(
                self._arrive(record.linkedid, record.phone, record.started_at),
                name=f"arrival-{record.linkedid}")
            return
        arrival = await self._arrive(record.linkedid, record.phone, record.started_at)
        inbound = self._live_inbound(arrival, state, waiting.queue if waiting else "")
        inbound.recording_file = record.recording_file
        if record.agent_interface and record.agent_id is not None:
            inbound.users[record.agent_interface] = record.agent_id
        if record.state == "ivr":  # it reached the queue while no server watched
            await durably(lambda: self._store.inbound_queued(record.id, record.ivr_choice),
                          f"queueing of {record.linkedid}")
        if state.answered_by is None and agent_leg is not None:
            # Answered while no server watched: by the phone whose leg is bridged to it.
            interface = agent_leg.channel.rpartition("-")[0]
            for effect in state.apply(AgentAnswered(snapshot.at, "", interface,
                                                    record.linkedid, agent_leg.uniqueid)):
                await self._effect(inbound, effect)

    async def _end_unseen(self, record: CallRecord) -> None:
        """A call that ended while nobody watched: its recording (closed at the hang-up,
        as long as the bridge lasted) gives its times; without one, the last fact its row
        holds is the best there is, and the row says the end was inferred."""
        path = await self._folder.locate(record.recording_file, record.linkedid,
                                         record.started_at)
        heard = None if path is None else await self._folder.heard(path)
        ended_at = heard.ended_at if heard else max(record.updated_at, record.started_at)
        answered_at = None if heard is None else heard.answered_at
        if record.direction == "outbound":
            held = self._outbound.get(record.linkedid)
            progress = held.progress if held is not None else record.outbound()
            progress.close_unseen(ended_at, answered_at)
            call = held or LiveOutbound(record.id, record.agent_id, record.followup_id,
                                        record.customer_id, record.phone, progress,
                                        record.recording_file)
            log.warning("call %s ended unseen: closed as %s", record.linkedid,
                        progress.disposition)
            await self._finish_outbound(call, unseen=True)
            return
        held_in = self._inbound.get(record.linkedid)
        state = held_in.state if held_in is not None else record.inbound()
        disposition = inbound_disposition(record, answered_at)
        task = self._arrivals.pop(record.linkedid, None)
        if task is not None:
            task.cancel()
        inbound = held_in or LiveInbound(
            record.id, state, classify(record.phone, self._region), record.customer_id, {},
            {record.agent_interface: record.agent_id}
            if record.agent_interface and record.agent_id is not None else {},
            record.recording_file)
        log.warning("inbound call %s ended unseen: closed as %s", record.linkedid,
                    disposition)
        await self._finish_inbound(inbound, disposition, ended_at,
                                   answered_at=answered_at, unseen=True)


def _caught_up(progress: OutboundCall, channels: list[LiveChannel],
               now: float) -> OutboundCall:
    """What the snapshot shows that the row could not know yet (it happened while no
    server watched): the agent answered, the customer's leg exists, it is up."""
    agent = next((c for c in channels if c.uniqueid == progress.linkedid), None)
    customer = next((c for c in channels if c.uniqueid != progress.linkedid), None)
    if agent is not None and agent.state == "up" and progress.agent_answered_at is None:
        progress.agent_answered_at = now
        progress.state = CallState.AGENT_ANSWERED
    if customer is not None and not progress.customer_uniqueid:
        progress.customer_uniqueid, progress.customer_channel = (customer.uniqueid,
                                                                 customer.channel)
        progress.state = CallState.CUSTOMER_RINGING
    if customer is not None and customer.state == "up" and progress.answered_at is None:
        progress.answered_at = now
        progress.outcome = progress.state = CallState.ANSWERED
    return progress
