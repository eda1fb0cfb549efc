"""Tracking the calls the center places: AMI events in, call rows and console states out.

Every click-to-call is a row in ``calls`` before Asterisk hears of it (keyed by the
Linkedid we choose), so a crash or an AMI gap loses no call: after every AMI login the
open rows are compared with Asterisk's live channels and those that ended meanwhile are
closed (answered if a recording exists, since MixMonitor records only while bridged).

When a call ends, one transaction writes the call's outcome, its legs, the follow-up
attempt and what it does to the task (call again / unreachable + SMS), and the entry on
the timeline of the customer's open complaints. The recording is linked right after.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from callcenter.db.queries import load_queries
from callcenter.domain.attempts import after_attempt
from callcenter.domain.call_events import CallEvent
from callcenter.domain.call_progress import CallState, OutboundCall
from callcenter.domain.sms_texts import followup_sms
from callcenter.services.sms import queue_sms

log = logging.getLogger(__name__)
CALLS = load_queries("calls")
FOLLOWUPS = load_queries("followups")

Notify = Callable[[int, dict[str, Any]], None]
# MixMonitor closes its file a moment after the hang-up event.
RECORDING_WAIT = 3.0


@dataclass
class TrackedCall:
    call_id: int
    agent_id: int
    followup_id: int | None
    customer_id: int | None
    phone: str
    progress: OutboundCall

    def to_message(self) -> dict[str, Any]:
        p = self.progress
        return {"type": "call", "call": {
            "id": self.call_id, "linkedid": p.linkedid, "state": p.state.value,
            "direction": "outbound", "followup_id": self.followup_id,
            "customer_id": self.customer_id, "phone": self.phone,
            "started_at": iso_time(p.started_at), "answered_at": iso_time(p.answered_at),
            "ended_at": iso_time(p.ended_at), "duration": p.duration,
            "disposition": p.disposition}}


def iso_time(ts: float | None) -> str | None:
    """An epoch time (Asterisk's event clock) as ISO 8601 in UTC, for the console."""
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


class RecordingLinker:
    """Finds a call's MixMonitor file and links it to the call row, off the event loop."""

    def __init__(self, pool: asyncpg.Pool, recordings_dir: Path) -> None:
        self._pool = pool
        self._dir = recordings_dir
        self._pending: set[asyncio.Task[None]] = set()

    async def find(self, linkedid: str, started_at: float) -> Path | None:
        """<recordings>/<Y>/<m>/<d>/<linkedid>.wav, dated by Asterisk's clock: look
        around the call's start in UTC and in local time."""
        start = datetime.fromtimestamp(started_at, UTC)
        days = {(start + timedelta(days=d)).astimezone(tz).date()
                for d in (-1, 0, 1) for tz in (UTC, None)}
        for day in sorted(days):
            path = self._dir / f"{day:%Y/%m/%d}" / f"{linkedid}.wav"
            if await asyncio.to_thread(path.is_file):
                return path
        return None

    def link_soon(self, call_id: int, linkedid: str, started_at: float) -> None:
        task = asyncio.create_task(self._link(call_id, linkedid, started_at))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def close(self) -> None:
        await asyncio.gather(*self._pending, return_exceptions=True)

    async def _link(self, call_id: int, linkedid: str, started_at: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RECORDING_WAIT
        path = await self.find(linkedid, started_at)
        while path is None and loop.time() < deadline:
            await asyncio.sleep(0.2)
            path = await self.find(linkedid, started_at)
        if path is None:
            log.warning("answered call %s has no recording", linkedid)
            await self._pool.execute(CALLS["insert_recording"], call_id,
                                     f"missing/{linkedid}.wav", "wav", None, None, None,
                                     "missing")
            return
        size, duration_ms, digest = await asyncio.to_thread(_describe_wav, path)
        await self._pool.execute(CALLS["insert_recording"], call_id,
                                 str(path.relative_to(self._dir)), "wav", size, duration_ms,
                                 digest, "ready")


class CallTracker:
    def __init__(self, pool: asyncpg.Pool, notify: Notify,
                 recordings: RecordingLinker) -> None:
        self._pool = pool
        self._notify = notify
        self._recordings = recordings
        self._calls: dict[str, TrackedCall] = {}

    # -- what the rest of the server asks -----------------------------------------------

    def track(self, call: TrackedCall) -> None:
        self._calls[call.progress.linkedid] = call
        self._notify(call.agent_id, call.to_message())

    def forget(self, linkedid: str) -> None:
        self._calls.pop(linkedid, None)

    def calls_of(self, agent_id: int) -> list[dict[str, Any]]:
        return [c.to_message() for c in self._calls.values() if c.agent_id == agent_id]

    # -- events ----------------------------------------------------------------------

    async def on_event(self, event: CallEvent) -> None:
        linkedid = getattr(event, "linkedid", None) or getattr(event, "action_id", "")
        call = self._calls.get(linkedid)
        if call is None or not call.progress.apply(event):
            return
        progress = call.progress
        if progress.ended:
            del self._calls[linkedid]
            await self._finish(call)
        else:
            await self._pool.execute(CALLS["set_state"], call.call_id, progress.state.value)
        self._notify(call.agent_id, call.to_message())

    async def reconcile(self, live_linkedids: set[str]) -> None:
        """After an AMI (re)login: close the calls that ended while we could not see."""
        now = datetime.now(UTC).timestamp()
        for row in await self._pool.fetch(CALLS["open_calls"]):
            linkedid = row["linkedid"]
            if linkedid in live_linkedids:
                if linkedid not in self._calls:  # the server restarted mid-call
                    progress = OutboundCall(linkedid, row["started_at"].timestamp(),
                                            state=CallState(row["state"]))
                    self._calls[linkedid] = TrackedCall(
                        row["id"], row["agent_id"], row["followup_task_id"],
                        row["customer_id"], row["callee_number"] or "", progress)
                continue
            call = self._calls.pop(linkedid, None) or TrackedCall(
                row["id"], row["agent_id"], row["followup_task_id"], row["customer_id"],
                row["callee_number"] or "",
                OutboundCall(linkedid, row["started_at"].timestamp()))
            recorded = await self._recordings.find(linkedid, call.progress.started_at) \
                is not None
            call.progress.close_unseen(now, answered=recorded)
            log.warning("call %s ended while the AMI link was down: closed as %s",
                        linkedid, call.progress.disposition)
            await self._finish(call)
            self._notify(call.agent_id, call.to_message())

    # -- the end of a call ---------------------------------------------------------------

    async def _finish(self, call: TrackedCall) -> None:
        p = call.progress
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(CALLS["finish_call"], call.call_id, p.disposition,
                                      _dt(p.answered_at), _dt(p.ended_at))
            if row is None:  # already finished (a replayed event, a reconcile race)
                return
            await conn.execute(CALLS["insert_leg"], call.call_id, p.linkedid,
                               "agent", "agent", _dt(p.started_at), _dt(p.agent_answered_at),
                               _dt(p.ended_at))
            if p.customer_uniqueid:
                await conn.execute(CALLS["insert_leg"], call.call_id, p.customer_uniqueid,
                                   p.customer_channel, "customer", _dt(p.started_at),
                                   _dt(p.answered_at), _dt(p.ended_at))
            if call.followup_id is not None:
                await self._record_attempt(conn, call)
            if call.customer_id is not None:
                await log_on_complaints(conn, call.customer_id, call.agent_id, call.call_id,
                                        f"outbound call: {p.disposition}",
                                        _dt(p.answered_at))
        if p.answered_at is not None:
            self._recordings.link_soon(call.call_id, p.linkedid, p.started_at)

    async def _record_attempt(self, conn: asyncpg.Connection, call: TrackedCall) -> None:
        p = call.progress
        result = p.disposition or "failed"
        inserted = await conn.fetchval(FOLLOWUPS["insert_attempt"], call.followup_id,
                                       call.call_id, call.agent_id, _dt(p.ended_at), result)
        if inserted is None or result == "agent_no_answer":
            return  # the agent never picked up: the customer's line was not tried
        await conn.execute(FOLLOWUPS["count_attempt"], call.followup_id)
        await apply_failed_attempt(conn, call.followup_id, call.customer_id, result,
                                   datetime.now(UTC))



async def log_on_complaints(conn: asyncpg.Connection, customer_id: int,
                            agent_id: int | None, call_id: int, note: str,
                            answered_at: datetime | None) -> None:
    """A call with a customer goes on the timeline of each of their open complaints; the
    first answered one stamps the complaint's first contact (the 2-hour deadline)."""
    for complaint in await conn.fetch(CALLS["open_complaints_of_customer"], customer_id):
        await conn.execute(CALLS["log_complaint_call"], complaint["id"], agent_id, call_id,
                           note)
        if answered_at is not None:
            await conn.execute(CALLS["stamp_first_contact"], complaint["id"], answered_at)


async def apply_failed_attempt(conn: asyncpg.Connection, task_id: int,
                               customer_id: int | None, result: str, now: datetime) -> None:
    """Move the task after an attempt whose row (with ``result``) is already written:
    call again, or unreachable with an SMS follow-up queued in the same transaction."""
    failed = await conn.fetchval(FOLLOWUPS["failed_attempts"], task_id)
    change = after_attempt(result, failed - 1, now)
    if change is None:
        return
    await conn.execute(FOLLOWUPS["move_task"], task_id, change.status, change.next_attempt_at)
    if change.send_sms and customer_id is not None:
        contact = await conn.fetchrow(FOLLOWUPS["customer_contact"], customer_id)
        task = await conn.fetchrow(FOLLOWUPS["lock_task"], task_id)
        if contact is not None and contact["phone"]:
            await queue_sms(conn, customer_id=customer_id, phone=contact["phone"],
                            kind="followup", body=followup_sms(contact["name"], task["kind"]),
                            dedupe_key=f"followup:{task_id}")


def _describe_wav(path: Path) -> tuple[int, int | None, str]:
    size = path.stat().st_size
    try:
        with wave.open(str(path), "rb") as w:
            duration_ms = int(1000 * w.getnframes() / w.getframerate())
    except (wave.Error, EOFError):
        duration_ms = None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return size, duration_ms, digest


async def call_row(pool: asyncpg.Pool, call_id: int) -> dict[str, Any] | None:
    """One call as the API shows it, with its recording's state."""
    row = await pool.fetchrow(CALLS["get_call"], call_id)
    if row is None:
        return None
    duration = None
    if row["answered_at"] and row["ended_at"]:
        duration = (row["ended_at"] - row["answered_at"]).total_seconds()
    recording = None if row["recording_status"] is None else {
        "status": row["recording_status"], "duration_ms": row["recording_duration_ms"]}
    return {
        "id": row["id"], "linkedid": row["linkedid"], "state": row["state"],
        "direction": row["direction"], "followup_id": row["followup_task_id"],
        "customer_id": row["customer_id"], "agent_id": row["agent_id"],
        "phone": row["callee_number"], "started_at": row["started_at"].isoformat(),
        "answered_at": row["answered_at"] and row["answered_at"].isoformat(),
        "ended_at": row["ended_at"] and row["ended_at"].isoformat(), "duration": duration,
        "disposition": row["disposition"], "recording": recording}
