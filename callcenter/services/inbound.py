"""Inbound calls: caller-ID matching, screen-pops, and the call row.

A call from the trunk gets its row and its prepared pop as soon as it arrives, while
the caller is still in the IVR, off the AMI event stream; so when the queue rings an
agent (AgentCalled) the pop goes out at once, to exactly that agent. It is withdrawn
when that phone stops ringing, another agent answers or the caller hangs up. Delivery is
never silent: a rung interface with no console user is logged as such.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from callcenter.db.queries import load_queries
from callcenter.domain.call_events import CallerQueued, CallEvent, ChannelCreated, ChannelHungUp
from callcenter.domain.caller_id import CallerNumber, classify
from callcenter.domain.inbound_call import Answered, Ended, InboundCall, Pop, Withdraw
from callcenter.services.call_tracking import (
    Notify,
    RecordingLinker,
    iso_time,
    log_on_complaints,
)
from callcenter.services.screen_pop import build_pop, match_kind, matching_customers

log = logging.getLogger(__name__)
Q = load_queries("screen_pop")
TRUNK_CONTEXT = "from-trunk"  # where dialplans/extensions.conf receives callers
USER_CACHE_SECONDS = 30.0  # extension -> console user; accounts change rarely


@dataclass
class Arrival:
    """What is known of a caller before they reach the queue."""

    call_id: int
    caller: CallerNumber
    customer_ids: list[int]
    candidates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class TrackedInbound:
    call_id: int
    state: InboundCall
    caller: CallerNumber
    customer_id: int | None
    pop: dict[str, Any]
    users: dict[str, int]  # interface -> console user rung on it

    def call_message(self, state: str) -> dict[str, Any]:
        s = self.state
        return {"type": "call", "call": {
            "id": self.call_id, "linkedid": s.linkedid, "state": state,
            "direction": "inbound", "customer_id": self.customer_id,
            "phone": self.caller.e164 or self.caller.raw, "ivr_choice": s.ivr_choice,
            "started_at": iso_time(s.queued_at), "answered_at": iso_time(s.answered_at),
            "ended_at": iso_time(s.ended_at),
            "disposition": None if s.ended_at is None
            else ("answered" if s.answered_by else "abandoned")}}


def _extension(interface: str) -> str:
    """PJSIP/1001 -> 1001."""
    return interface.rpartition("/")[2]


class InboundTracker:
    def __init__(self, pool: asyncpg.Pool, notify: Notify, recordings: RecordingLinker,
                 region: str, call_closed: Callable[[int], Awaitable[None]]) -> None:
        self._pool = pool
        self._notify = notify
        self._recordings = recordings
        self._region = region
        # The agent's queue state depends on the closed call (wrap-up): told after it.
        self._call_closed = call_closed
        self._arrivals: dict[str, asyncio.Task[Arrival]] = {}
        self._calls: dict[str, TrackedInbound] = {}
        self._users: dict[str, tuple[float, int | None]] = {}

    def pops_of(self, user_id: int) -> list[dict[str, Any]]:
        """What a (re)connecting console must see: pops ringing it, its answered call."""
        out = []
        for call in self._calls.values():
            if call.state.answered_by and call.users.get(call.state.answered_by) == user_id:
                out.append(call.call_message("answered"))
            elif any(call.users.get(i) == user_id for i in call.state.ringing):
                out.append(call.pop)
        return out

    async def close(self) -> None:
        for task in self._arrivals.values():
            task.cancel()
        await asyncio.gather(*self._arrivals.values(), return_exceptions=True)

    async def on_event(self, event: CallEvent) -> None:
        match event:
            case ChannelCreated() if (event.context == TRUNK_CONTEXT
                                      and event.uniqueid == event.linkedid):
                self._arrivals[event.linkedid] = asyncio.create_task(
                    self._arrive(event), name=f"arrival-{event.linkedid}")
                return
            case CallerQueued() if event.linkedid not in self._calls:
                await self._queued(event)
                return
            case ChannelHungUp() if event.linkedid in self._arrivals \
                    and event.linkedid not in self._calls and event.uniqueid == event.linkedid:
                await self._left_in_ivr(event)
                return
        call = self._calls.get(getattr(event, "linkedid", ""))
        if call is None:
            return
        for effect in call.state.apply(event):
            await self._effect(call, effect)

    async def reconcile(self, live_linkedids: set[str]) -> None:
        """After an AMI (re)login: close the inbound calls that ended while unseen."""
        now = datetime.now(UTC)
        for row in await self._pool.fetch(Q["open_inbound_calls"]):
            if row["linkedid"] in live_linkedids:
                continue
            self._calls.pop(row["linkedid"], None)
            disposition = "answered" if row["answered_at"] else "abandoned"
            await self._pool.execute(Q["inbound_ended"], row["id"], now, disposition)

    async def _arrive(self, event: ChannelCreated) -> Arrival:
        caller = classify(event.caller_number, self._region)
        async with self._pool.acquire() as conn:
            ids = await matching_customers(conn, caller)
        call_id = await self._pool.fetchval(
            Q["insert_inbound_call"], event.linkedid, ids[0] if len(ids) == 1 else None,
            caller.e164 or caller.raw, datetime.fromtimestamp(event.at, UTC))
        return Arrival(call_id, caller, ids, await build_pop(self._pool, caller, ids))

    async def _arrival(self, event: CallerQueued) -> Arrival:
        task = self._arrivals.pop(event.linkedid, None)
        if task is None:  # the call arrived while we were not connected
            created = ChannelCreated(event.at, event.linkedid, event.caller_uniqueid, "",
                                     event.caller_number, "", TRUNK_CONTEXT)
            return await self._arrive(created)
        return await task

    async def _left_in_ivr(self, event: ChannelHungUp) -> None:
        arrival = await self._arrivals.pop(event.linkedid)
        await self._pool.execute(Q["ivr_call_ended"], arrival.call_id,
                                 datetime.fromtimestamp(event.at, UTC))

    async def _queued(self, event: CallerQueued) -> None:
        arrival = await self._arrival(event)
        await self._pool.execute(Q["inbound_queued"], arrival.call_id,
                                 event.ivr_choice or None)
        state = InboundCall(event.linkedid, event.caller_uniqueid, event.caller_number,
                            event.ivr_choice, event.at)
        pop = {"type": "pop", "call_id": arrival.call_id, "linkedid": event.linkedid,
               "queue": event.queue, "caller": arrival.caller.to_dict(),
               "ivr_choice": event.ivr_choice,
               "match": match_kind(arrival.caller, arrival.candidates),
               "candidates": arrival.candidates}
        customer_id = arrival.customer_ids[0] if len(arrival.customer_ids) == 1 else None
        self._calls[event.linkedid] = TrackedInbound(arrival.call_id, state, arrival.caller,
                                                     customer_id, pop, {})

    async def _user_of(self, interface: str) -> int | None:
        extension = _extension(interface)
        cached = self._users.get(extension)
        if cached is not None and time.monotonic() - cached[0] < USER_CACHE_SECONDS:
            return cached[1]
        user_id = await self._pool.fetchval(Q["user_by_extension"], extension)
        self._users[extension] = (time.monotonic(), user_id)
        return user_id

    async def _effect(self, call: TrackedInbound, effect: Pop | Withdraw | Answered | Ended
                      ) -> None:
        match effect:
            case Pop(interface=interface, at=at):
                user_id = await self._user_of(interface)
                if user_id is None:
                    log.error("queue rang %s but no console user has extension %s: "
                              "no screen-pop shown", interface, _extension(interface))
                    return
                call.users[interface] = user_id
                # The IVR choice may arrive with the ring rather than the queue join.
                call.pop["ivr_choice"] = call.state.ivr_choice
                self._notify(user_id, {**call.pop, "rung_at": at})
            case Withdraw(interface=interface, reason=reason):
                if interface in call.users:
                    self._notify(call.users[interface], {
                        "type": "pop_withdrawn", "call_id": call.call_id,
                        "linkedid": call.state.linkedid, "reason": reason})
            case Answered(interface=interface, at=at):
                user_id = call.users.get(interface)
                await self._pool.execute(Q["inbound_answered"], call.call_id, user_id,
                                         datetime.fromtimestamp(at, UTC))
                if user_id is not None:
                    self._notify(user_id, call.call_message("answered"))
            case Ended(disposition=disposition, at=at):
                del self._calls[call.state.linkedid]
                await self._ended(call, disposition, at)

    async def _ended(self, call: TrackedInbound, disposition: str, at: float) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(Q["inbound_ended"], call.call_id,
                                      datetime.fromtimestamp(at, UTC), disposition)
            if row is not None and row["customer_id"] is not None:
                await log_on_complaints(conn, row["customer_id"], row["agent_id"],
                                        call.call_id, f"inbound call: {disposition}",
                                        row["answered_at"])
        if call.state.answered_by is not None:
            self._recordings.link_soon(call.call_id, call.state.linkedid, call.state.queued_at)
            user_id = call.users.get(call.state.answered_by)
            if user_id is not None:
                self._notify(user_id, call.call_message("ended"))
                await self._call_closed(user_id)
