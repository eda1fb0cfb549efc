"""An agent books an appointment from a call or the pop (loopback AMI; real PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from callcenter.services.appointments import create_slots
from tests.console import AgentSession, ConsoleServer


async def test_book_from_the_pop_until_the_slot_is_full(agent_server: ConsoleServer,
                                                        li: AgentSession) -> None:
    start = agent_server.today + timedelta(days=1)
    await create_slots(agent_server.pool, first_day=start, last_day=start + timedelta(days=7),
                       tz=agent_server.settings.tz, capacity=1)
    status, body = await li.get("/api/appointments/free")
    assert status == 200 and body["days"]
    status, body = await li.get(f"/api/appointments/free?day={body['days'][0]}")
    slot = body["slots"][0]["id"]
    first = await agent_server.seed_followup()
    vehicle = await agent_server.pool.fetchval("SELECT id FROM vehicles WHERE customer_id=$1",
                                         first.customer_id)
    status, body = await li.post("/api/appointments", {
        "customer_id": first.customer_id, "vehicle_id": vehicle, "slot_id": slot})
    assert status == 201, body
    row = await agent_server.pool.fetchrow("SELECT channel, status FROM appointments WHERE id=$1",
                                     body["appointment"]["id"])
    assert (row["channel"], row["status"]) == ("agent", "booked")
    sms = await agent_server.pool.fetchval("SELECT count(*) FROM sms_outbox WHERE customer_id=$1",
                                     first.customer_id)
    assert sms == 1
    # Capacity 1: the next customer is refused with a clear error, nothing written.
    second = await agent_server.seed_followup(phone="+8613900139001")
    other_vehicle = await agent_server.pool.fetchval(
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
    assert await agent_server.pool.fetchval("SELECT count(*) FROM appointments") == 1


async def test_the_same_vehicle_twice_in_a_slot_is_refused(agent_server: ConsoleServer,
                                                          li: AgentSession) -> None:
    start = agent_server.today + timedelta(days=1)
    await create_slots(agent_server.pool, first_day=start, last_day=start + timedelta(days=7),
                       tz=agent_server.settings.tz, capacity=2)
    status, body = await li.get("/api/appointments/free")
    status, body = await li.get(f"/api/appointments/free?day={body['days'][0]}")
    slot = body["slots"][0]["id"]
    customer = await agent_server.seed_followup()
    vehicle = await agent_server.pool.fetchval("SELECT id FROM vehicles WHERE customer_id=$1",
                                               customer.customer_id)
    booking = {"customer_id": customer.customer_id, "vehicle_id": vehicle, "slot_id": slot}
    status, body = await li.post("/api/appointments", booking)
    assert status == 201, body
    # A place is left in the slot, but this vehicle has one already.
    status, body = await li.post("/api/appointments", booking)
    assert (status, body["error_id"]) == (409, "already_booked")
    assert await agent_server.pool.fetchval("SELECT count(*) FROM appointments") == 1
