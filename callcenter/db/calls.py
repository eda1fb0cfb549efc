"""The calls repository: call rows, legs, the follow-up attempt a call makes, and the
complaint timeline entries of the customer's calls. Returns domain values; driver
errors leave as domain errors (AgentBusy, DatabaseUnavailable)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.db.sms import insert_sms
from callcenter.domain.attempts import CallAgainGap, after_attempt
from callcenter.domain.calls import CallRecord, InboundCall, Leg, OutboundCall
from callcenter.domain.sms_texts import followup_sms
from callcenter.errors import Conflict, NotFound

CALLS = load_queries("calls")
FOLLOWUPS = load_queries("followups")


class AgentBusy(Conflict):
    error_id = "agent_busy"


@dataclass(frozen=True)
class FollowupCall:
    """A click-to-call's row (a follow-up's or a complaint's), written before Asterisk
    hears of it."""

    call_id: int
    customer_id: int | None
    customer_name: str | None


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _ts(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _record(row: asyncpg.Record) -> CallRecord:
    return CallRecord(
        row["id"], row["linkedid"], row["direction"], row["state"], row["agent_id"],
        row["customer_id"], row["followup_task_id"], row["phone"] or "",
        row["ivr_choice"] or "", row["started_at"].timestamp(),
        _ts(row["agent_answered_at"]), _ts(row["answered_at"]),
        row["customer_uniqueid"] or "", row["customer_channel"] or "",
        row["agent_interface"] or "", row["agent_uniqueid"] or "",
        row["recording_file"] or "", row["updated_at"].timestamp())


class CallStore:
    def __init__(self, pool: asyncpg.Pool, gap: CallAgainGap | None = None) -> None:
        """``gap``: how long a not-reached customer waits for the next attempt (the
        server passes CALLCENTER_CALL_AGAIN_GAP; without one, the next day in UTC)."""
        self._pool = pool
        self._gap = gap or CallAgainGap(ZoneInfo("UTC"))

    # -- outbound ----------------------------------------------------------------------

    async def start_followup_call(
            self, followup_id: int, agent_id: int, linkedid: str, e164: str,
            started_at: datetime, check: Callable[[asyncpg.Record], None]) -> FollowupCall:
        """In one transaction: the task (``check`` refuses it by raising), assigned to
        the agent if free, and the call row. PostgreSQL's one-open-call-per-agent index
        makes a second call of a busy agent AgentBusy."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            task = await conn.fetchrow(FOLLOWUPS["get_task"], followup_id)
            if task is None:
                raise NotFound(f"follow-up {followup_id} does not exist")
            check(task)
            await conn.execute(FOLLOWUPS["assign_if_free"], followup_id, agent_id)
            await conn.execute(FOLLOWUPS["clear_callback"], followup_id)
            call_id = await _insert_call(conn, "insert_call", linkedid,
                                         task["customer_id"], agent_id, e164, started_at,
                                         followup_id)
        return FollowupCall(call_id, task["customer_id"], task["customer_name"])

    async def start_complaint_call(
            self, complaint_id: int, agent_id: int, linkedid: str, e164: str,
            started_at: datetime, check: Callable[[asyncpg.Record], None]) -> FollowupCall:
        """In one transaction: the complaint (``check`` refuses it by raising) and the
        call row to its customer. The call goes on the complaint's timeline when it
        ends, and its answer is the first contact (log_on_complaints)."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            complaint = await conn.fetchrow(CALLS["complaint_to_call"], complaint_id)
            if complaint is None:
                raise NotFound(f"complaint {complaint_id} does not exist")
            check(complaint)
            call_id = await _insert_call(conn, "insert_complaint_call", linkedid,
                                         complaint["customer_id"], agent_id, e164,
                                         started_at)
        return FollowupCall(call_id, complaint["customer_id"], complaint["customer_name"])

    async def start_callback_call(self, abandoned_id: int, agent_id: int, linkedid: str,
                                  e164: str, started_at: datetime) -> FollowupCall:
        """The call row calling back abandoned inbound call ``abandoned_id``, to the
        customer that call was matched to (if any); once it is answered the number
        leaves the callback list (db/queries/callbacks.sql)."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            abandoned = await conn.fetchrow(CALLS["callback_to_call"], abandoned_id)
            if abandoned is None:
                raise NotFound(f"call {abandoned_id} is not an abandoned inbound call",
                               call_id=abandoned_id)
            call_id = await _insert_call(conn, "insert_callback_call", linkedid,
                                         abandoned["customer_id"], agent_id, e164,
                                         started_at, abandoned_id)
        return FollowupCall(call_id, abandoned["customer_id"], abandoned["customer_name"])

    async def start_customer_call(
            self, customer_id: int, agent_id: int, linkedid: str, e164: str,
            started_at: datetime, check: Callable[[asyncpg.Record], None]) -> FollowupCall:
        """The call row to a customer called from their card, without a task (``check``
        refuses it by raising); wrapped up afterwards as an inbound call is."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            customer = await conn.fetchrow(CALLS["customer_to_call"], customer_id)
            if customer is None:
                raise NotFound(f"customer {customer_id} does not exist")
            check(customer)
            call_id = await _insert_call(conn, "insert_customer_call", linkedid,
                                         customer_id, agent_id, e164, started_at)
        return FollowupCall(call_id, customer_id, customer["name"])

    async def save_outbound(self, call_id: int, p: OutboundCall) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(CALLS["save_outbound"], call_id, p.state.value,
                                     _dt(p.agent_answered_at), _dt(p.answered_at),
                                     p.customer_uniqueid or None, p.customer_channel or None)

    async def finish_outbound(self, call_id: int, agent_id: int | None, followup_id: int | None,
                              customer_id: int | None, p: OutboundCall, *,
                              unseen: bool = False, count_attempt: bool = True) -> bool:
        """The call's outcome, its legs, the follow-up attempt (what it does to the task)
        and the complaint timeline, in one transaction; False if already finished."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            row = await conn.fetchrow(CALLS["finish_call"], call_id, p.disposition,
                                      _dt(p.answered_at), _dt(p.ended_at), unseen,
                                      _dt(p.agent_answered_at), p.hangup_cause)
            if row is None:  # already finished (a replayed event, a second reconcile)
                return False
            await _insert_legs(conn, call_id, p.legs())
            if followup_id is not None and count_attempt:
                await _record_attempt(conn, followup_id, call_id, agent_id, customer_id, p,
                                      self._gap)
            if customer_id is not None:
                await log_on_complaints(conn, customer_id, agent_id, call_id,
                                        f"outbound call: {p.disposition}", _dt(p.answered_at))
        return True

    # -- inbound -----------------------------------------------------------------------

    async def insert_inbound(self, linkedid: str, customer_id: int | None, caller: str,
                             arrived_at: float) -> int:
        """The row of a call from the trunk (the same row again if it exists)."""
        async with unavailable_as_domain_error():
            return await self._pool.fetchval(CALLS["insert_inbound_call"], linkedid,
                                             customer_id, caller, _dt(arrived_at))

    async def inbound_queued(self, call_id: int, ivr_choice: str) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(CALLS["inbound_queued"], call_id, ivr_choice or None)

    async def inbound_answered(self, call_id: int, agent_id: int | None, at: float,
                               interface: str, agent_uniqueid: str) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(CALLS["inbound_answered"], call_id, agent_id, _dt(at),
                                     interface, agent_uniqueid or None)

    async def finish_inbound(self, call_id: int, call: InboundCall, disposition: str,
                             ended_at: float, *, answered_at: float | None = None,
                             unseen: bool = False) -> bool:
        """Its end, its legs and the complaint timeline, in one transaction."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            row = await conn.fetchrow(CALLS["inbound_ended"], call_id, _dt(ended_at),
                                      disposition, unseen, _dt(answered_at),
                                      call.hangup_cause)
            if row is None:
                return False
            await _insert_legs(conn, call_id, call.legs())
            if row["customer_id"] is not None and disposition != "ivr":
                await log_on_complaints(conn, row["customer_id"], row["agent_id"], call_id,
                                        f"inbound call: {disposition}", row["answered_at"])
        return True

    # -- both --------------------------------------------------------------------------

    async def open_calls(self) -> list[CallRecord]:
        async with unavailable_as_domain_error():
            return [_record(r) for r in await self._pool.fetch(CALLS["open_calls"])]

    async def set_recording_file(self, call_id: int, relative: str) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(CALLS["set_recording_file"], call_id, relative)

    async def add_recording(self, call_id: int, relative: str, size: int | None,
                            duration_ms: int | None, sha256: str | None, status: str) -> None:
        async with unavailable_as_domain_error():
            await self._pool.execute(CALLS["insert_recording"], call_id, relative, "wav",
                                     size, duration_ms, sha256, status)

    async def user_by_extension(self, extension: str) -> int | None:
        async with unavailable_as_domain_error():
            return await self._pool.fetchval(CALLS["user_by_extension"], extension)

    async def call(self, call_id: int) -> dict[str, Any] | None:
        """One call as the API shows it (services/notifier.py CallView fields)."""
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(CALLS["get_call"], call_id)
        if row is None:
            return None
        recording = None if row["recording_status"] is None else {
            "status": row["recording_status"], "duration_ms": row["recording_duration_ms"]}
        return {"id": row["id"], "linkedid": row["linkedid"], "direction": row["direction"],
                "state": row["state"], "agent_id": row["agent_id"],
                "customer_id": row["customer_id"], "phone": row["phone"],
                "started_at": row["started_at"], "answered_at": row["answered_at"],
                "ended_at": row["ended_at"], "disposition": row["disposition"],
                "followup_id": row["followup_task_id"], "ivr_choice": row["ivr_choice"],
                "recording": recording}


async def _insert_legs(conn: Connection, call_id: int, legs: list[Leg]) -> None:
    for leg in legs:
        await conn.execute(CALLS["insert_leg"], call_id, leg.uniqueid, leg.channel, leg.role,
                           _dt(leg.created_at), _dt(leg.answered_at), _dt(leg.hungup_at))


async def _record_attempt(conn: Connection, followup_id: int, call_id: int,
                          agent_id: int | None, customer_id: int | None, p: OutboundCall,
                          gap: CallAgainGap) -> None:
    result = p.disposition or "failed"
    inserted = await conn.fetchval(FOLLOWUPS["insert_attempt"], followup_id, call_id,
                                   agent_id, _dt(p.ended_at), result)
    if inserted is None or result == "agent_no_answer":
        return  # the agent never picked up: the customer's line was not tried
    await conn.execute(FOLLOWUPS["count_attempt"], followup_id)
    await apply_failed_attempt(conn, followup_id, customer_id, result, datetime.now(UTC), gap)


async def _insert_call(conn: Connection, query: str, *args: object) -> int:
    """A click-to-call's row; PostgreSQL's one-open-call-per-agent index makes a second
    call of a busy agent AgentBusy."""
    try:
        call_id: int = await conn.fetchval(CALLS[query], *args)
    except asyncpg.UniqueViolationError:
        raise AgentBusy("you already have a call in progress") from None
    return call_id


async def log_on_complaints(conn: Connection, customer_id: int, agent_id: int | None,
                            call_id: int, note: str, answered_at: datetime | None) -> None:
    """A call with a customer goes on the timeline of each of their open complaints; the
    first answered one stamps the complaint's first contact (the 2-hour deadline)."""
    for complaint in await conn.fetch(CALLS["open_complaints_of_customer"], customer_id):
        await conn.execute(CALLS["log_complaint_call"], complaint["id"], agent_id, call_id,
                           note)
        if answered_at is not None:
            await conn.execute(CALLS["stamp_first_contact"], complaint["id"], answered_at,
                               agent_id, call_id)


async def apply_failed_attempt(conn: Connection, task_id: int, customer_id: int | None,
                               result: str, now: datetime, gap: CallAgainGap) -> None:
    """Move the task after an attempt whose row (with ``result``) is already written:
    call again (not before ``gap``), or unreachable with an SMS follow-up queued in the
    same transaction. A wrong number's phone is already marked invalid."""
    failed = await conn.fetchval(FOLLOWUPS["failed_attempts"], task_id)
    valid = 1 if customer_id is None else await conn.fetchval(FOLLOWUPS["valid_phones"],
                                                             customer_id)
    change = after_attempt(result, failed - 1, now, gap, other_valid_phones=valid > 0)
    if change is None:
        return
    await conn.execute(FOLLOWUPS["move_task"], task_id, change.status, change.next_attempt_at)
    if change.send_sms and customer_id is not None:
        kind = await conn.fetchval(FOLLOWUPS["task_kind"], task_id)
        await queue_followup_sms(conn, task_id, kind, customer_id)


async def queue_followup_sms(conn: Connection, task_id: int, kind: str,
                             customer_id: int) -> bool:
    """The SMS follow-up replacing task ``task_id``'s call, to the customer's first valid
    number; False when they have none (nothing is queued)."""
    contact = await conn.fetchrow(FOLLOWUPS["customer_contact"], customer_id)
    if contact is None or not contact["phone"]:
        return False
    await insert_sms(conn, customer_id, contact["phone"], "followup",
                     followup_sms(contact["name"], kind), f"followup:{task_id}")
    return True
