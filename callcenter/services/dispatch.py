"""The one door telephony events come in by: consumers subscribe to event types.

Producers (today the AMI reader, telephony/ami_events.py) hand every domain event to
``deliver``; each consumer registered for its type gets it, in the order events
arrived. Consumers never depend on each other's order for the same event: each owns
its own state (the live calls, the agents' states, Asterisk's channels). A consumer's
failure is logged with its traceback and the others still get the event.

This is the seam for a message bus: a server that does not read an Asterisk's AMI
itself would subscribe the same consumers to a bus subscription that calls
``deliver`` (docs/architecture.md).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

from callcenter.domain.call_events import CallEvent

log = logging.getLogger(__name__)

Consumer = Callable[[CallEvent], Awaitable[None]]


class Dispatcher:
    def __init__(self) -> None:
        self._consumers: dict[type, list[Consumer]] = defaultdict(list)

    def subscribe(self, consumer: Consumer, kinds: tuple[type, ...]) -> None:
        for kind in kinds:
            self._consumers[kind].append(consumer)

    @property
    def kinds(self) -> frozenset[type]:
        """The event types somebody consumes (the reader may drop the others early)."""
        return frozenset(k for k, consumers in self._consumers.items() if consumers)

    async def deliver(self, event: CallEvent) -> None:
        for consumer in self._consumers.get(type(event), ()):
            try:
                await consumer(event)
            except Exception:
                log.exception("%s failed on %s; the other consumers still get it",
                              getattr(consumer, "__qualname__", consumer),
                              type(event).__name__)
