"""The composed server on a real PostgreSQL, with a loopback AMI peer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from callcenter.app import build_app
from callcenter.keys import AMI
from callcenter.settings import load_settings
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually


@pytest.fixture
async def client(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[TestClient]:
    settings = load_settings({
        "CALLCENTER_DATABASE_URL": db_url, "CALLCENTER_AMI_PORT": str(fake_ami.port),
        "CALLCENTER_AMI_SECRET": "s3cret", "CALLCENTER_AGI_PORT": "0",
        "CALLCENTER_AMI_PING_INTERVAL": "0.2", "CALLCENTER_AMI_PING_TIMEOUT": "0.3"})
    async with TestClient(TestServer(build_app(settings))) as c:
        yield c


async def _health(client: TestClient) -> tuple[int, dict]:
    resp = await client.get("/healthz")
    return resp.status, await resp.json()


async def test_healthz_reports_database_and_ami(client: TestClient, fake_ami: FakeAmi) -> None:
    ami = client.app[AMI]
    await eventually(lambda: ami.connected)
    status, body = await _health(client)
    assert status == 200, body
    assert body["database"] == "ok" and body["ami"]["state"] == "connected"
    assert body["live"]["queue_members"] == 1  # re-read from QueueStatus at login
    login = next(a for a in fake_ami.received if a["Action"] == "Login")
    assert login["Username"] == "callcenter"

    fake_ami.answer_pings = False
    await eventually(lambda: not ami.connected)
    status, body = await _health(client)
    assert status == 503 and body["status"] == "degraded"
    assert "no Pong" in body["ami"]["last_error"]


async def test_unknown_path_is_a_json_error(client: TestClient) -> None:
    resp = await client.get("/nowhere")
    assert resp.status == 404
    assert (await resp.json())["error_id"] == "http_404"
