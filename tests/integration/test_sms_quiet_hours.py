"""Quiet hours on a real PostgreSQL: at night customers' SMS wait for the morning
(their next attempt moved to the end of the quiet hours), staff alerts still go."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.domain.quiet_hours import QuietHours
from callcenter.services.sms import SmsOutboxWorker, queue_sms

TZ = ZoneInfo("Asia/Shanghai")
NIGHT = QuietHours(time(21, 0), time(8, 0), TZ)


class Sent:
    def __init__(self) -> None:
        self.ids: list[int] = []

    async def send(self, phone: str, body: str, *, message_id: int, kind: str = "") -> None:
        self.ids.append(message_id)


async def _queue(pool: asyncpg.Pool, key: str, customer: bool) -> int:
    async with pool.acquire() as conn, conn.transaction():
        customer_id = await conn.fetchval(
            "INSERT INTO customers (name) VALUES ('张伟') RETURNING id") if customer else None
        message = await queue_sms(conn, customer_id=customer_id, phone="+8613800138000",
                                  kind="greeting" if customer else "complaint_overdue",
                                  body="body", dedupe_key=key)
        assert message is not None
        # Queued the evening before (the table's default is the database's now()).
        await conn.execute("UPDATE sms_outbox SET next_attempt_at = $2 WHERE id = $1",
                           message, datetime(2026, 12, 1, 20, 0, tzinfo=TZ))
        return message


async def test_quiet_hours_hold_customers_messages_until_morning(pool: asyncpg.Pool) -> None:
    customer = await _queue(pool, "greeting:1", customer=True)
    staff = await _queue(pool, "complaint:1", customer=False)
    clock = [datetime(2026, 12, 1, 22, 30, tzinfo=TZ)]
    sender = Sent()
    worker = SmsOutboxWorker(pool, sender, quiet_hours=NIGHT, now=lambda: clock[0])

    assert await worker.run_once() == 1
    assert sender.ids == [staff]
    held = await pool.fetchrow("SELECT status, next_attempt_at, attempts FROM sms_outbox"
                               " WHERE id = $1", customer)
    assert held["status"] == "pending" and held["attempts"] == 0
    assert held["next_attempt_at"] == datetime(2026, 12, 2, 8, 0, tzinfo=TZ)

    clock[0] = datetime(2026, 12, 2, 7, 59, tzinfo=TZ)
    assert await worker.run_once() == 0
    clock[0] = datetime(2026, 12, 2, 8, 0, tzinfo=TZ)
    assert await worker.run_once() == 1
    assert sender.ids == [staff, customer]


async def test_without_quiet_hours_the_night_is_like_the_day(pool: asyncpg.Pool) -> None:
    customer = await _queue(pool, "greeting:1", customer=True)
    sender = Sent()
    worker = SmsOutboxWorker(pool, sender, now=lambda: datetime(2026, 12, 1, 23, 0,
                                                                tzinfo=TZ))
    assert await worker.run_once() == 1
    assert sender.ids == [customer]
