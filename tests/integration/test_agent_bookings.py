"""An agent books an appointment from a call or the pop (loopback AMI; real PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from callcenter.services.appointments import create_slots
from tests.console import AgentSession, ConsoleServer, running_server
from tests.integration.fake_ami import FakeAmi


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        yield srv


@pytest.fixture
async def li(server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await server.login("li")
    yield session
    await session.close()


async def test_book_from_the_pop_until_the_slot_is_full(server: ConsoleServer,
                                                        li: AgentSession) -> None:
    start = server.today + timedelta(days=1)
    await create_slots(server.pool, first_day=start, last_day=start + timedelta(days=7),
                       tz=server.settings.tz, capacity=1)
    status, body = await li.get("/api/appointments/free")
    assert status == 200 and body["days"]
    status, body = await li.get(f"/api/appointments/free?day={body['days'][0]}")
    slot = body["slots"][0]["id"]
    first = await server.seed_followup()
    vehicle = await server.pool.fetchval("SELECT id FROM vehicles WHERE customer_id=$1",
                                         first.customer_id)
    status, body = await li.post("/api/appointments", {
        "customer_id": first.customer_id, "vehicle_id": vehicle, "slot_id": slot})
    assert status == 201, body
    row = await server.pool.fetchrow("SELECT channel, status FROM appointments WHERE id=$1",
                                     body["appointment"]["id"])
    assert (row["channel"], row["status"]) == ("agent", "booked")
    sms = await server.pool.fetchval("SELECT count(*) FROM sms_outbox WHERE customer_id=$1",
                                     first.customer_id)
    assert sms == 1
    # Capacity 1: the next customer is refused with a clear error, nothing written.
    second = await server.seed_followup(phone="+8613900139001")
    other_vehicle = await server.pool.fetchval(
        "SELECT id FROM vehicles WHERE customer_id=$1", second.customer_id)
    status, body = await li.post("/api/appointments", {
        "customer_id": second.customer_id, "vehicle_id": other_vehicle, "slot_id": slot})
    assert (status, body["error_id"]) == (409, "slot_full")
    # Someone else's vehicle, and a bad day, are refused.
    status, body = await li.post("/api/appointments", {
        "customer_id": second.customer_id, "vehicle_id": vehicle, "slot_id": slot})
    assert (status, body["error_id"]) == (400, "invalid_input")
    status, body = await li.get("/api/appointments/free?day=soon")
    assert (status, body["error_id"]) == (400, "invalid_input")
    assert await server.pool.fetchval("SELECT count(*) FROM appointments") == 1
