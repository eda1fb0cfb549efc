"""The SMS outbox on a real PostgreSQL, delivering to a real loopback HTTP webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import asyncpg
import pytest
from aiohttp import web

from callcenter.gateways.sms import LoggingSender, WebhookSender, sender_from_settings
from callcenter.services.sms import SmsOutboxWorker, mask_phone, queue_sms, retry_delay
from callcenter.settings import Settings
from tests.waiting import first_result

PHONE = "+8613800138000"


async def _queue(pool: asyncpg.Pool, key: str, body: str = "尊敬的张伟，您好！") -> int | None:
    async with pool.acquire() as conn, conn.transaction():
        return await queue_sms(conn, customer_id=None, phone=PHONE, kind="followup",
                               body=body, dedupe_key=key)


async def _row(pool: asyncpg.Pool, message_id: int) -> asyncpg.Record:
    return await pool.fetchrow("SELECT * FROM sms_outbox WHERE id = $1", message_id)


@contextlib.asynccontextmanager
async def _webhook(statuses: list[int]) -> AsyncIterator[tuple[str, list[dict]]]:
    """A loopback SMS gateway answering ``statuses`` in turn, then 200; yields its URL
    and the JSON bodies it received."""
    received: list[dict] = []

    async def handle(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/sms", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/sms", received
    finally:
        await runner.cleanup()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingSender:
    def __init__(self, delay: float = 0.0, fail_ids: frozenset[int] = frozenset()) -> None:
        self.sent: list[int] = []
        self._delay = delay
        self._fail_ids = fail_ids
        self.started = asyncio.Event()

    async def send(self, phone: str, body: str, *, message_id: int, kind: str = "") -> None:
        self.started.set()
        await asyncio.sleep(self._delay)
        if message_id in self._fail_ids:
            raise RuntimeError("gateway refused")
        self.sent.append(message_id)


async def test_queued_in_a_rolled_back_transaction_is_not_queued(pool: asyncpg.Pool) -> None:
    class Rollback(Exception):
        pass

    with pytest.raises(Rollback):
        async with pool.acquire() as conn, conn.transaction():
            assert await queue_sms(conn, customer_id=None, phone=PHONE, kind="followup",
                                   body="x", dedupe_key="followup:1") is not None
            raise Rollback
    assert await pool.fetchval("SELECT count(*) FROM sms_outbox") == 0


async def test_queue_commits_a_pending_row_and_dedupes(pool: asyncpg.Pool) -> None:
    first = await _queue(pool, "followup:7", "第一条")
    assert first is not None
    assert await _queue(pool, "followup:7", "第二条") is None
    rows = await pool.fetch("SELECT * FROM sms_outbox")
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["status"], row["attempts"], row["body"], row["kind"]) == (
        first, "pending", 0, "第一条", "followup")
    assert row["sent_at"] is None


async def test_webhook_failing_twice_then_accepting_sends_once(pool: asyncpg.Pool) -> None:
    message_id = await _queue(pool, "followup:1")
    async with _webhook([500, 503]) as (url, received), aiohttp.ClientSession() as session:
        worker = SmsOutboxWorker(pool, WebhookSender(url, session), retry_base=0)
        assert await worker.run_once() == 0
        row = await _row(pool, message_id)
        assert (row["status"], row["attempts"]) == ("pending", 1)
        assert "500" in row["last_error"]
        assert await worker.run_once() == 0
        assert "503" in (await _row(pool, message_id))["last_error"]
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0  # nothing left: sent once
    assert received == [{"id": message_id, "kind": "followup", "to": PHONE,
                         "body": "尊敬的张伟，您好！"}] * 3
    row = await _row(pool, message_id)
    assert (row["status"], row["attempts"]) == ("sent", 3)
    assert row["sent_at"] is not None


async def test_webhook_down_leaves_the_message_pending_for_later(pool: asyncpg.Pool) -> None:
    message_id = await _queue(pool, "followup:2")
    before = (await _row(pool, message_id))["next_attempt_at"]
    async with aiohttp.ClientSession() as session:
        sender = WebhookSender(f"http://127.0.0.1:{_closed_port()}/sms", session, timeout=2)
        worker = SmsOutboxWorker(pool, sender)
        assert await worker.run_once() == 0
        # Not due again until the backoff has passed.
        assert await worker.run_once() == 0
    row = await _row(pool, message_id)
    assert (row["status"], row["attempts"], row["sent_at"]) == ("pending", 1, None)
    assert "Connect" in row["last_error"]
    assert row["next_attempt_at"] >= before + timedelta(seconds=29)


async def test_one_failure_does_not_stop_the_round(pool: asyncpg.Pool) -> None:
    ids = [await _queue(pool, f"k{i}") for i in range(4)]
    sender = RecordingSender(fail_ids=frozenset({ids[1]}))
    assert await SmsOutboxWorker(pool, sender).run_once() == 3
    assert sender.sent == [ids[0], ids[2], ids[3]]
    assert (await _row(pool, ids[1]))["last_error"] == "RuntimeError: gateway refused"


async def test_a_hanging_sender_is_cut_off(pool: asyncpg.Pool) -> None:
    message_id = await _queue(pool, "k")
    worker = SmsOutboxWorker(pool, RecordingSender(delay=30), send_timeout=0.2)
    assert await worker.run_once() == 0
    row = await _row(pool, message_id)
    assert (row["status"], row["last_error"]) == ("pending", "TimeoutError")


async def test_two_workers_never_send_one_message_twice(pool: asyncpg.Pool) -> None:
    ids = {await _queue(pool, f"k{i}") for i in range(30)}
    senders = [RecordingSender(delay=0.005), RecordingSender(delay=0.005)]
    workers = [SmsOutboxWorker(pool, s, batch=100) for s in senders]
    counts = await asyncio.gather(*(w.run_once() for w in workers))
    assert sum(counts) == 30
    sent = senders[0].sent + senders[1].sent
    assert sorted(sent) == sorted(ids)  # each exactly once
    assert all(s.sent for s in senders)  # both took part
    assert await pool.fetchval("SELECT count(*) FROM sms_outbox WHERE status = 'sent'") == 30


async def test_batch_limits_one_round(pool: asyncpg.Pool) -> None:
    for i in range(5):
        await _queue(pool, f"k{i}")
    assert await SmsOutboxWorker(pool, RecordingSender(), batch=3).run_once() == 3


async def test_the_background_worker_delivers_and_closes(pool: asyncpg.Pool) -> None:
    sender = RecordingSender()
    worker = SmsOutboxWorker(pool, sender, poll_interval=0.05)
    worker.start()
    try:
        message_id = await _queue(pool, "k")
        sent = await first_result(
            lambda: pool.fetchval("SELECT sent_at FROM sms_outbox WHERE id = $1", message_id))
        assert sent is not None and sender.sent == [message_id]
    finally:
        await worker.close()
    await worker.close()  # a second close is harmless


async def test_closing_mid_send_leaves_the_message_pending(pool: asyncpg.Pool) -> None:
    message_id = await _queue(pool, "k")
    sender = RecordingSender(delay=30)
    worker = SmsOutboxWorker(pool, sender)
    worker.start()
    async with asyncio.timeout(5):
        await sender.started.wait()
    await worker.close()
    row = await _row(pool, message_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 0, None)


async def test_logging_sender_masks_the_number_and_leaves_out_the_body(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="callcenter.gateways.sms"):
        await LoggingSender().send(PHONE, "尊敬的张伟，您好！", message_id=5, kind="followup")
    assert "+86138****8000" in caplog.text and "followup" in caplog.text
    assert PHONE not in caplog.text and "张伟" not in caplog.text
    assert "9 characters" in caplog.text


@pytest.mark.parametrize(("phone", "masked"), [
    ("+8613800138000", "+86138****8000"),
    ("+12025550123", "+120****0123"),
    ("+3312345", "+33****45"),
    ("123", "****"),
])
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_retry_delay_doubles_up_to_the_cap() -> None:
    assert [retry_delay(n, 30, 3600) for n in (1, 2, 3, 7, 8, 100)] == [
        30, 60, 120, 1920, 3600, 3600]


async def test_sender_from_settings() -> None:
    async with aiohttp.ClientSession() as session:
        assert isinstance(sender_from_settings(Settings(), session), LoggingSender)
        webhook = Settings(sms_webhook_url="http://127.0.0.1:9/sms")
        assert isinstance(sender_from_settings(webhook, session), WebhookSender)
