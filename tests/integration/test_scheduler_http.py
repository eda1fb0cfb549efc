"""The scheduler's doors on the running server: the run log, the lost-contact list and a
mileage told during a call, with their refusals (403, 400, 404; never a 500)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tests.console import AgentSession, ConsoleServer


async def eventually_async(check: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
    for _ in range(int(timeout * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not within the timeout")


async def test_mileage_recomputes_the_next_maintenance_at_once(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    seeded = await agent_server.seed_followup()
    vehicle = await agent_server.pool.fetchval(
        "SELECT vehicle_id FROM followup_tasks WHERE id = $1", seeded.followup_id)
    await agent_server.pool.execute(
        "UPDATE vehicles SET delivery_date = (now() AT TIME ZONE 'Asia/Shanghai')::date - 20"
        " WHERE id = $1", vehicle)
    # 4,000 km in 20 days: 5,000 km in 5 more days, long before six months
    status, body = await li.post(f"/api/vehicles/{vehicle}/mileage", {"km": 4000})
    assert status == 200, body
    due = await agent_server.pool.fetchval(
        "SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date + 5")
    assert body["vehicle"] == {"id": vehicle, "mileage_km": 4000,
                               "maintenance_due": due.isoformat()}
    assert body["customer"] == {"id": seeded.customer_id,
                                "next_maintenance_date": due.isoformat()}
    assert await agent_server.pool.fetchval(
        "SELECT km FROM vehicle_mileage_readings WHERE vehicle_id = $1", vehicle) == 4000


async def test_mileage_refusals(agent_server: ConsoleServer, li: AgentSession) -> None:
    seeded = await agent_server.seed_followup()
    other = await agent_server.add_agent("wang", "1002")
    await agent_server.pool.execute("UPDATE followup_tasks SET assigned_to = $1 WHERE id = $2",
                                    other, seeded.followup_id)
    vehicle = await agent_server.pool.fetchval(
        "SELECT vehicle_id FROM followup_tasks WHERE id = $1", seeded.followup_id)
    status, body = await li.post(f"/api/vehicles/{vehicle}/mileage", {"km": 100})
    assert (status, body["error_id"]) == (403, "forbidden")
    for bad in ({"km": -1}, {"km": 2_000_001}, {"km": "100"}, {"km": True}, {}):
        status, body = await li.post(f"/api/vehicles/{vehicle}/mileage", bad)
        assert (status, body["error_id"]) == (400, "invalid_input"), bad
    status, body = await li.post("/api/vehicles/999999/mileage", {"km": 1})
    assert (status, body["error_id"]) == (404, "not_found")
    await agent_server.add_agent("boss", None, role="supervisor")
    boss = await agent_server.login("boss")
    try:
        status, body = await boss.post(f"/api/vehicles/{vehicle}/mileage", {"km": 100})
        assert status == 200, body
    finally:
        await boss.close()


async def test_run_log_and_lost_contact_are_for_supervisors(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    for path in ("/api/scheduler/runs", "/api/lost-contact"):
        status, body = await li.get(path)
        assert (status, body["error_id"]) == (403, "forbidden")
    await agent_server.add_agent("boss", None, role="supervisor")
    boss = await agent_server.login("boss")
    try:
        await agent_server.pool.execute(
            "UPDATE customers SET lost_contact_at = now(), address = '上海市1号'"
            " WHERE id = $1", (await agent_server.seed_followup()).customer_id)
        status, body = await boss.get("/api/lost-contact")
        assert status == 200, body
        assert [(c["name"], c["address"]) for c in body["customers"]] == [("张伟", "上海市1号")]
        # The server's start runs today's rules: the run log shows them.
        async def logged() -> bool:
            status, body = await boss.get("/api/scheduler/runs")
            assert status == 200, body
            return {"lost_contact", "maintenance_reminder", "win_back"} <= {
                r["rule"] for r in body["runs"] if r["finished_at"]}

        await eventually_async(logged)
        status, body = await boss.get("/api/scheduler/runs?from=2025-02-01&to=2025-01-01")
        assert (status, body["error_id"]) == (400, "invalid_input")
        status, body = await boss.get("/api/scheduler/runs?from=2020-01-01&to=2025-01-01")
        assert (status, body["error_id"]) == (400, "invalid_input")
        status, body = await boss.get("/api/scheduler/runs?from=yesterday")
        assert (status, body["error_id"]) == (400, "invalid_input")
    finally:
        await boss.close()


async def test_card_mailed_takes_the_customer_off_the_list(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    seeded = await agent_server.seed_followup()
    path = f"/api/lost-contact/{seeded.customer_id}/card-mailed"
    status, body = await li.post(path, {})
    assert (status, body["error_id"]) == (403, "forbidden")
    await agent_server.add_agent("boss", None, role="supervisor")
    boss = await agent_server.login("boss")
    try:
        status, body = await boss.post(path, {})  # not on the list
        assert (status, body["error_id"]) == (409, "conflict")
        status, body = await boss.post("/api/lost-contact/999999/card-mailed", {})
        assert (status, body["error_id"]) == (404, "not_found")
        await agent_server.pool.execute(
            "UPDATE customers SET lost_contact_at = now() WHERE id = $1", seeded.customer_id)
        status, first = await boss.post(path, {})
        assert status == 200, first
        assert first["id"] == seeded.customer_id
        status, again = await boss.post(path, {})  # twice: the first mark stays
        assert (status, again) == (200, first)
        status, body = await boss.get("/api/lost-contact")
        assert (status, body["customers"]) == (200, [])
        row = await agent_server.pool.fetchrow(
            "SELECT c.lost_contact_at IS NOT NULL AS still_lost, u.username"
            " FROM customers c JOIN users u ON u.id = c.lost_contact_card_mailed_by"
            " WHERE c.id = $1", seeded.customer_id)
        assert (row["still_lost"], row["username"]) == (True, "boss")  # still not called
        assert await agent_server.pool.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'customer.lost_contact_card_mailed'"
            " AND target_id = $1", str(seeded.customer_id)) == 1
    finally:
        await boss.close()
