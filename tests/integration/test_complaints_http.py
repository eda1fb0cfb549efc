"""The complaint routes over HTTP (real PostgreSQL): the lists, the page, each step by
the owner, another agent and a supervisor (403, 409, 400), the statistics for
supervisors only. The rules themselves: tests/integration/test_complaints.py."""

from __future__ import annotations

from tests.console import AgentSession, ConsoleServer


async def test_steps_over_http_in_and_out_of_order(agent_server: ConsoleServer,
                                                   li: AgentSession) -> None:
    await agent_server.add_agent("zhao", "1002")
    await agent_server.add_agent("chen", None, role="supervisor")
    zhao, chen = await agent_server.login("zhao"), await agent_server.login("chen")
    seeded = await agent_server.seed_followup()
    li_id = await agent_server.pool.fetchval("SELECT id FROM users WHERE username = 'li'")
    try:
        status, body = await li.post("/api/complaints", {
            "customer_id": seeded.customer_id, "description": "维修后异响",
            "severity": "major"})
        assert status == 201, body
        cid = body["complaint"]["id"]
        steps = f"/api/complaints/{cid}/steps"

        status, body = await li.post(steps, {"action": "first_contact"})
        assert (status, body["error_id"]) == (403, "forbidden")  # nobody's yet
        status, body = await zhao.post(steps, {"action": "assign", "owner_id": li_id})
        assert status == 403  # an agent only takes a complaint for themselves
        status, body = await chen.post(steps, {"action": "assign", "owner_id": li_id,
                                               "department": "service"})
        assert status == 200, body
        status, body = await li.post(steps, {"action": "reply", "note": "x"})
        assert (status, body["error_id"]) == (409, "step_out_of_order")
        status, body = await li.post(steps, {"action": "reply"})
        assert (status, body["details"]["field"]) == (400, "note")
        status, body = await li.post(steps, {"action": "resolved"})
        assert (status, body["details"]["field"]) == (400, "action")
        assert (await li.post(steps, {"action": "first_contact"}))[0] == 200
        assert (await zhao.post(steps, {"action": "reply", "note": "x"}))[0] == 403
        assert (await li.post(steps, {"action": "reply", "note": "replied"}))[0] == 200
        status, body = await li.post(steps, {"action": "resolve", "resolution": "done"})
        assert (status, body["details"]["missing"]) == (409, "management_reply")
        assert (await chen.post(steps, {"action": "management_reply",
                                        "note": "manager called"}))[0] == 200
        status, body = await li.post(steps, {"action": "resolve", "resolution": "fixed"})
        assert status == 200, body
        page = body["complaint"]
        assert page["status"] == "resolved"
        assert [(e["kind"], e["actor_name"]) for e in page["timeline"]] == [
            ("opened", "Li"), ("assign", "Chen"), ("first_contact", "Li"), ("reply", "Li"),
            ("management_reply", "Chen"), ("resolve", "Li")]
        assert (await zhao.post(steps, {"action": "note", "note": "called again"}))[0] == 200
        assert (await li.post("/api/complaints/999999/steps", {"action": "note",
                                                               "note": "x"}))[0] == 404

        status, body = await li.get(f"/api/complaints/{cid}")
        assert status == 200 and body["complaint"]["customer_name"] == "张伟"
        status, body = await li.get("/api/complaints?view=all&q=张")
        assert status == 200 and [c["id"] for c in body["items"]] == [cid]
        assert set(body["counts"]) == {"open", "mine", "overdue"}
        status, body = await li.get("/api/complaints?view=everything")
        assert (status, body["details"]["field"]) == (400, "view")

        assert (await li.get("/api/complaints/statistics"))[0] == 403
        status, body = await chen.get("/api/complaints/statistics?period=week")
        assert status == 200 and body["current"]["total"] == 1
        assert body["current"]["by"]["severity"] == {"major": 1}
    finally:
        await zhao.close()
        await chen.close()
