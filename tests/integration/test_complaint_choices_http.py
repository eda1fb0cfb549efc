"""What the console's complaint forms read from the server (real PostgreSQL): the choices
(GET /api/complaints/choices: who may own a complaint, the departments, categories,
sources, severities and statuses) and, on the complaint page, the vehicle of the
follow-up it came from and the check call to make once it is resolved."""

from __future__ import annotations

from callcenter.domain.complaints import DEFAULT_DEPARTMENTS, SOURCES
from tests.console import AgentSession, ConsoleServer


async def test_choices_list_every_active_user_as_a_possible_owner(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    chen = await agent_server.add_agent("chen", None, role="supervisor")
    gone = await agent_server.add_agent("gone", "1003")
    await agent_server.pool.execute("UPDATE users SET active = false WHERE id = $1", gone)
    status, body = await li.get("/api/complaints/choices")
    assert status == 200, body
    owners = {owner["display_name"]: owner for owner in body["owners"]}
    assert owners["Chen"] == {"id": chen, "display_name": "Chen", "role": "supervisor"}
    assert owners["Li"]["role"] == "agent"
    assert "Gone" not in owners
    assert body["departments"] == list(DEFAULT_DEPARTMENTS)
    assert body["sources"] == list(SOURCES)
    assert body["severities"] == ["normal", "major"]
    assert body["statuses"] == ["open", "contacted", "replied", "resolved", "closed"]
    assert "service_quality" in body["categories"]


async def test_the_page_names_the_vehicle_and_the_check_call_to_make(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    seeded = await agent_server.seed_followup()
    li_id = await agent_server.pool.fetchval("SELECT id FROM users WHERE username = 'li'")
    cid = await agent_server.pool.fetchval(
        "INSERT INTO complaints (customer_id, followup_task_id, source, description)"
        " VALUES ($1, $2, 'followup', '刹车异响') RETURNING id", seeded.customer_id,
        seeded.followup_id)
    steps = f"/api/complaints/{cid}/steps"
    status, body = await li.post(steps, {"action": "assign", "owner_id": li_id})
    assert status == 200, body
    page = body["complaint"]
    assert page["vehicle"]["model"] == "Model Y" and page["vehicle"]["plate"].startswith("沪A")
    assert page["check_task_id"] is None
    for step in ({"action": "first_contact"}, {"action": "reply", "note": "道歉并预约检查"},
                 {"action": "resolve", "resolution": "更换刹车片"}):
        status, body = await li.post(steps, step)
        assert status == 200, body
    check_task = body["complaint"]["check_task_id"]
    kind = await agent_server.pool.fetchval(
        "SELECT kind FROM followup_tasks WHERE id = $1 AND complaint_id = $2", check_task, cid)
    assert kind == "complaint_check"
    status, body = await li.post(steps, {"action": "reopen", "note": "客户仍不满意"})
    assert status == 200 and body["complaint"]["check_task_id"] is None  # cancelled
