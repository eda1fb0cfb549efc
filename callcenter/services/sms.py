"""Sending SMS through a transactional outbox (docs/followups.md).

``queue_sms`` writes a pending row inside the caller's transaction: a follow-up that
closes as unreachable and the SMS that replaces the call commit together or not at all.
``SmsOutboxWorker`` delivers pending rows through an ``SmsSender`` (the port; the
gateways are adapters in callcenter/gateways/sms.py).

Guarantees: a queued message is never dropped. A failed send stays ``pending`` and is
retried with exponential backoff (capped at one hour) for as long as it takes; the
``failed`` status of the schema is never set automatically. Delivery is at least once:
a crash (or a lost database connection) between a successful send and the row being
marked sent sends the message again, which is why every send carries the message id for
the receiver to de-duplicate on. Several servers may share the outbox: a message is
locked (``FOR UPDATE SKIP LOCKED``) from claim to mark, so two workers never send it
at the same time.

Quiet hours (``CALLCENTER_SMS_QUIET_HOURS``, docs/greetings.md): while they last no
message goes to a customer; the pending ones wait for their end (``next_attempt_at``
is moved there). Messages to staff (no customer: a late complaint step) still go.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

import asyncpg

from callcenter.db import sms as outbox
from callcenter.db.connection import Connection
from callcenter.domain.quiet_hours import QuietHours
from callcenter.errors import CallcenterError
from callcenter.services.periodic import Background

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 500
# When the database itself fails, the worker waits longer and longer (up to this) instead
# of logging the same error every poll interval.
MAX_ERROR_PAUSE = 60.0


class SmsDeliveryError(CallcenterError):
    error_id = "sms_delivery_failed"
    http_status = 502


async def queue_sms(conn: Connection, *, customer_id: int | None, phone: str,
                    kind: str, body: str, dedupe_key: str) -> int | None:
    """Queue a message in the caller's transaction; None if ``dedupe_key`` was queued before.

    ``phone`` is E.164 (the table refuses anything else).
    """
    return await outbox.insert_sms(conn, customer_id, phone, kind, body, dedupe_key)


class SmsSender(Protocol):
    async def send(self, phone: str, body: str, *, message_id: int, kind: str = "") -> None:
        """Hand the message over to the SMS gateway; raise if it was not accepted."""


def mask_phone(phone: str) -> str:
    """A number as it may appear in logs: +8613800138000 -> +86138****8000."""
    if len(phone) < 8:
        return "****"
    head, tail = max(3, len(phone) - 8), 4 if len(phone) >= 12 else 2
    return phone[:head] + "****" + phone[-tail:]


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after ``attempts`` failed ones: base, 2x, 4x ... cap."""
    return min(cap, base * 2 ** min(attempts - 1, 32))


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".removesuffix(": ")
    return text[:MAX_ERROR_LENGTH]


class SmsOutboxWorker:
    """Delivers due messages from the outbox; owns its background task."""

    def __init__(self, pool: asyncpg.Pool, sender: SmsSender, *, poll_interval: float = 1.0,
                 batch: int = 20, retry_base: float = 30.0, retry_max: float = 3600.0,
                 send_timeout: float = 30.0, quiet_hours: QuietHours | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._pool = pool
        self._sender = sender
        self._poll_interval = poll_interval
        self._batch = batch
        self._retry_base = retry_base
        self._retry_max = retry_max
        # Bounds how long a message stays locked by a sender that never returns.
        self._send_timeout = send_timeout
        self._quiet_hours = quiet_hours
        self._now = now
        self._background = Background("sms-outbox", self._run)

    def start(self) -> None:
        self._background.start()

    async def close(self) -> None:
        await self._background.close()

    async def run_once(self) -> int:
        """One round: try each due message at most once; return how many were sent."""
        return (await self._round())[1]

    async def _round(self) -> tuple[int, int]:
        tried: set[int] = set()
        sent = 0
        now = self._now()
        quiet_until = self._quiet_hours.until(now) if self._quiet_hours else None
        if quiet_until is not None:
            async with self._pool.acquire() as conn:
                held = await outbox.hold_until(conn, quiet_until)
            if held:
                log.info("quiet hours: %d SMS to customers wait until %s", held,
                         quiet_until.isoformat(timespec="minutes"))
        while len(tried) < self._batch:
            outcome = await self._send_next(tried, now, quiet=quiet_until is not None)
            if outcome is None:
                break
            sent += outcome
        return len(tried), sent

    async def _send_next(self, tried: set[int], now: datetime, *,
                         quiet: bool) -> bool | None:
        """Send the next due message: True if sent, False if it failed, None if none is due.

        The row stays locked for the whole send, and the mark commits with the release.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            row = await outbox.claim_next(conn, tried, now, quiet=quiet)
            if row is None:
                return None
            tried.add(row["id"])
            try:
                async with asyncio.timeout(self._send_timeout):
                    await self._sender.send(row["phone"], row["body"], message_id=row["id"],
                                            kind=row["kind"])
            except Exception as exc:  # whatever the gateway did, the message is retried
                attempts = row["attempts"] + 1
                delay = retry_delay(attempts, self._retry_base, self._retry_max)
                log.warning("SMS %d (%s) to %s failed, attempt %d; next try in %.0f s: %s",
                            row["id"], row["kind"], mask_phone(row["phone"]), attempts,
                            delay, _describe(exc))
                await outbox.mark_failed(conn, row["id"], _describe(exc), delay)
                return False
            await outbox.mark_sent(conn, row["id"])
            return True

    async def _run(self) -> None:
        errors = 0
        while True:
            try:
                tried, _ = await self._round()
                errors = 0
            except Exception:
                errors += 1
                pause = min(MAX_ERROR_PAUSE, self._poll_interval * 2 ** min(errors, 16))
                log.exception("SMS outbox round failed; next round in %.0f s", pause)
                await asyncio.sleep(pause)
                continue
            # A full round may have left more due messages: go on without waiting.
            if tried < self._batch:
                await asyncio.sleep(self._poll_interval)
