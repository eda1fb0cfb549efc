"""The complaint routes over HTTP (real PostgreSQL): the lists, the page, each step by
the owner, another agent and a supervisor (403, 409, 400), the statistics for
supervisors only (and their xlsx), and the escalation sweep of the running server. The
rules themselves: tests/integration/test_complaints.py."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from callcenter.http.handlers.complaints import XLSX
from callcenter.services import complaints as complaint_service
from tests.console import AgentSession, ConsoleServer, running_server
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually


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
                                               "department": "service",
                                               "category": "repair_quality"})
        assert status == 200, body
        assert (body["complaint"]["department"], body["complaint"]["category"]) == (
            "service", "repair_quality")
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
        status, body = await zhao.post(steps, {"action": "note", "note": "x",
                                               "call_id": 68719476735})
        assert (status, body["details"]["field"]) == (404, "call_id")
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
        resp = await chen.http.get("/api/complaints/statistics.xlsx?period=week")
        assert resp.status == 200 and resp.content_type == XLSX
        book = load_workbook(io.BytesIO(await resp.read()), read_only=True)
        assert book.sheetnames == ["Summary", "Breakdown"]  # chen's locale is English
        rows = list(book["Summary"].iter_rows(values_only=True))
        assert rows[1] == ("Complaints", 1, 0)
        assert ("Severity", "major", 1, 0) in list(book["Breakdown"].iter_rows(
            values_only=True))
        assert (await li.http.get("/api/complaints/statistics.xlsx")).status == 403
    finally:
        await zhao.close()
        await chen.close()


async def test_an_overdue_step_reaches_the_supervisors_console_once(
        db_url: str, fake_ami: FakeAmi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(complaint_service, "SWEEP_SECONDS", 0.1)
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as server:
        await server.add_agent("chen", None, role="supervisor")
        chen = await server.login("chen")
        try:
            await chen.open_ws()
            seeded = await server.seed_followup()
            complaint = await server.pool.fetchval(
                "INSERT INTO complaints (customer_id, source, description, opened_at)"
                " VALUES ($1, 'hotline', 'x', now() - interval '3 hours') RETURNING id",
                seeded.customer_id)

            def overdue() -> list[dict[str, Any]]:
                return [m for m in chen.messages if m.get("type") == "complaint_overdue"]

            await eventually(lambda: len(overdue()) == 1, 5)
            assert overdue()[0]["complaint"] == {
                "id": complaint, "customer_name": "张伟", "severity": "normal",
                "step": "first_contact", "due_at": overdue()[0]["complaint"]["due_at"]}
            await asyncio.sleep(0.5)  # several more rounds: still once
            assert len(overdue()) == 1
        finally:
            await chen.close()
