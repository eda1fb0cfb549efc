"""The one door telephony events come in by: consumers subscribe to event types.

Producers (today the AMI reader, telephony/ami_events.py) hand every domain event to
``deliver``; each consumer registered for its type gets it. Consumers never depend on
each other's order for the same event: each owns its own state (the live calls, the
agents' states, Asterisk's channels). A consumer's failure is logged with its traceback
and the others still get the event.

Order is kept where it means something, and only there: the events of one call (its
Linkedid), of one queue member, or of one Originate are handled one after the other in
arrival order, each lane by a task of its own, while different calls' lanes run side by
side. A consumer writes each fact to PostgreSQL before it notifies, so one call's write
never waits for another call's (at 30 calls a second one ordered line fell behind by
seconds; docs/benchmarks.md). ``deliver`` returns once the event is in its lane, so the
AMI reader keeps reading. An event of no lane (Asterisk's snapshot after a login) waits
until every lane is done, is handled alone, and holds back what comes after it. Past
``MAX_PENDING`` events not yet handled, ``deliver`` waits for the lanes to drain.

This is the seam for a message bus: a server that does not read an Asterisk's AMI
itself would subscribe the same consumers to a bus subscription that calls
``deliver`` (docs/architecture.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

from callcenter.domain.call_events import (
    CallEvent,
    LiveSnapshot,
    OriginateFinished,
    QueueMemberRemoved,
    QueueMemberState,
    SupervisionEnded,
)

log = logging.getLogger(__name__)

Consumer = Callable[[CallEvent], Awaitable[None]]
MAX_PENDING = 10_000  # events received, not yet handled: then the reader waits


def lane_of(event: CallEvent) -> str | None:
    """The lane whose order an event keeps; None for an event that sees everything."""
    match event:
        case LiveSnapshot():
            return None
        case QueueMemberState() | QueueMemberRemoved():
            return f"member {event.queue} {event.interface}"
        case OriginateFinished():
            return event.action_id  # the Linkedid the server gave its Originate
        case SupervisionEnded():
            return f"spy {event.spyer_uniqueid}"
    return getattr(event, "linkedid", None)


class Dispatcher:
    def __init__(self) -> None:
        self._consumers: dict[type, list[Consumer]] = defaultdict(list)
        self._lanes: dict[str, deque[CallEvent]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def subscribe(self, consumer: Consumer, kinds: tuple[type, ...]) -> None:
        for kind in kinds:
            self._consumers[kind].append(consumer)

    @property
    def kinds(self) -> frozenset[type]:
        """The event types somebody consumes (the reader may drop the others early)."""
        return frozenset(k for k, consumers in self._consumers.items() if consumers)

    async def deliver(self, event: CallEvent) -> None:
        if type(event) not in self._consumers:
            return
        lane = lane_of(event)
        if lane is None:
            await self.drained()
            await self._handle(event)
            return
        if self._pending >= MAX_PENDING:
            await self.drained()
        self._pending += 1
        self._idle.clear()
        queued = self._lanes.get(lane)
        if queued is not None:
            queued.append(event)
            return
        self._lanes[lane] = deque([event])
        task = asyncio.create_task(self._run(lane), name=f"events of {lane}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drained(self) -> None:
        """Every event delivered so far has been handled."""
        await self._idle.wait()

    async def close(self, grace: float = 1.0) -> None:
        """At shutdown, once the reader stopped: the lanes get ``grace`` seconds to
        finish; what is left is dropped (the next start's snapshot finds the calls
        still up, as after a crash)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drained(), grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, lane: str) -> None:
        events = self._lanes[lane]
        try:
            while events:
                await self._handle(events[0])
                events.popleft()
                self._pending -= 1
        finally:
            # No await since the last popleft: deliver cannot have queued onto it.
            del self._lanes[lane]
            if not self._lanes:
                self._pending = 0
                self._idle.set()

    async def _handle(self, event: CallEvent) -> None:
        for consumer in self._consumers.get(type(event), ()):
            try:
                await consumer(event)
            except Exception:
                log.exception("%s failed on %s; the other consumers still get it",
                              getattr(consumer, "__qualname__", consumer),
                              type(event).__name__)
