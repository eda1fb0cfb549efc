"""A complaint end to end: the server, the sandbox Asterisk, sipp phones and Chromium.

A dissatisfied follow-up opens the complaint; a supervisor assigns it to agent li; li
calls the customer from the complaint page (POST /api/calls {complaint_id}) and the
answered call stamps the first contact, signed by li; li replies and resolves it; the
resolution's check call (its complaint_check follow-up, called through the follow-up's
own click-to-call) is answered and the questionnaire says satisfied, which closes the
complaint. The complaint page in Chromium then shows every step with its user, and the
calls' recordings play there (each play audited).

Agent 1001's softphone is a sipp UAS on 16001 and the customer behind the trunk one on
16100 (as in test_followup_calls.py), each started once for the three calls (calls=3).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.console import AGENT_PASSWORD, AgentSession, ConsoleServer, running_server
from tests.e2e.browser import ConsolePage, console_page
from tests.harness.sipp import start_phone
from tests.waiting import first_result

AGENT_PORT, CUSTOMER_PORT = 16001, 16100
CALLS = 3  # the follow-up, the complaint's call, the check call
DISSATISFIED = {**{f"q{n}": 9 for n in range(1, 9)}, "q2": 2}
LIVE = 30_000  # ms: a call through Asterisk, from the agent's ring to the hang-up


@pytest.fixture
async def server(db_url: str, sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    env = {**sandbox_env, "CALLCENTER_AGENT_RING_SECONDS": "6",
           "CALLCENTER_CUSTOMER_RING_SECONDS": "6"}
    async with running_server(db_url, env) as srv:
        await srv.quiet_asterisk()
        await srv.add_agent("li", "1001")
        await srv.add_agent("chen", None, role="supervisor")
        try:
            yield srv
        finally:
            await srv.quiet_asterisk()


@pytest.fixture
async def tab(browser: Browser, server: ConsoleServer,
              tmp_path: Path) -> AsyncIterator[ConsolePage]:
    async with console_page(browser, server.base_url, width=1400, height=1000) as page:
        try:
            yield page
        finally:
            await page.screenshot(tmp_path / "complaint.png")


async def _log_in(page: Page) -> None:
    await page.goto("/")
    await page.get_by_test_id("login-username").fill("li")
    await page.get_by_test_id("login-password").fill(AGENT_PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("ws-status")).to_have_attribute("data-state", "open")


async def _opened_by_a_dissatisfied_followup(server: ConsoleServer,
                                             li: AgentSession) -> tuple[int, int]:
    """The follow-up call (answered) and its dissatisfied questionnaire: the complaint."""
    seeded = await server.seed_followup()
    status, body = await li.post("/api/calls", {"followup_id": seeded.followup_id,
                                                "phone": seeded.phone})
    assert status == 202, body
    call_id = body["call"]["id"]
    await li.wait_state(call_id, "ended")
    assert "answered" in li.states(call_id)
    status, body = await li.post(f"/api/followups/{seeded.followup_id}/outcome",
                                 {"call_id": call_id, "answers": DISSATISFIED})
    assert status == 200 and body["task"]["result"] == "dissatisfied", body
    return body["complaint"]["id"], seeded.customer_id


async def test_a_complaint_from_the_dissatisfied_followup_to_the_check_call(
        server: ConsoleServer, tab: ConsolePage) -> None:
    page = tab.page
    li = await server.login("li")
    await li.open_ws()
    chen = await server.login("chen")
    li_id = await server.pool.fetchval("SELECT id FROM users WHERE username = 'li'")
    try:
        async with await start_phone(AGENT_PORT, "uas_answer", hold=10, calls=CALLS) as _, \
                await start_phone(CUSTOMER_PORT, "uas_answer", hold=3, calls=CALLS) as _:
            complaint_id, customer_id = await _opened_by_a_dissatisfied_followup(server, li)
            status, body = await chen.post(f"/api/complaints/{complaint_id}/steps", {
                "action": "assign", "owner_id": li_id, "department": "service"})
            assert status == 200, body

            # -- li calls the customer from the complaint page --------------------------
            await _log_in(page)
            await page.get_by_test_id("nav-complaints").click()
            await expect(page.get_by_test_id("ccount-mine")).to_have_text("1")
            await page.get_by_test_id("ctab-mine").click()
            await page.get_by_test_id("complaint-link").click()
            await expect(page.get_by_test_id("complaint-status")).to_have_attribute(
                "data-status", "open")
            await page.get_by_test_id("complaint-call").click()
            state = page.get_by_test_id("call-state")
            await expect(state).to_have_attribute("data-state", "answered", timeout=LIVE)
            await expect(state).to_have_attribute("data-state", "ended", timeout=LIVE)
            # its answer was the first contact, signed by li, and the call is on record
            await expect(page.get_by_test_id("complaint-status")).to_have_attribute(
                "data-status", "contacted")
            contact = page.locator("[data-testid=timeline-entry][data-kind=first_contact]")
            await expect(contact.get_by_test_id("timeline-actor")).to_have_text("Li")

            # -- reply and resolution through the page ---------------------------------
            await page.get_by_test_id("step-action-reply").check()
            await page.get_by_test_id("step-note").fill("道歉，约定周六返厂检查异响")
            await page.get_by_test_id("step-submit").click()
            await expect(page.get_by_test_id("complaint-status")).to_have_attribute(
                "data-status", "replied")
            await page.get_by_test_id("step-action-resolve").check()
            await page.get_by_test_id("step-resolution").fill("更换减震器并做四轮定位")
            await page.get_by_test_id("step-submit").click()
            await expect(page.get_by_test_id("complaint-status")).to_have_attribute(
                "data-status", "resolved")

            # -- the check call: the follow-up's click-to-call, a real call ------------
            await page.get_by_test_id("check-call-link").click()
            await expect(page.get_by_test_id("task-kind")).to_have_text("Complaint check")
            phone = await server.pool.fetchval(
                "SELECT e164 FROM customer_phones WHERE customer_id = $1", customer_id)
            await page.locator(f"[data-testid=call-button][data-phone='{phone}']").click()
            state = page.get_by_test_id("call-state")
            await expect(state).to_have_attribute("data-state", "answered", timeout=LIVE)
            inputs = page.locator("[data-testid=questionnaire] input[type=number]")
            await expect(inputs).to_have_count(2)
            for n in range(2):
                await inputs.nth(n).fill("9")
            await expect(state).to_have_attribute("data-state", "ended", timeout=LIVE)
        await page.get_by_test_id("submit-outcome").click()
        await expect(page.get_by_test_id("outcome-result")).to_have_attribute(
            "data-result", "satisfied")

        # -- the complaint page: closed, every step with its user, recordings play ------
        await page.goto(f"/#/complaint/{complaint_id}")
        await expect(page.get_by_test_id("complaint-status")).to_have_attribute(
            "data-status", "closed")
        entries = page.get_by_test_id("timeline-entry")
        await expect(entries.last).to_have_attribute("data-kind", "check_satisfied")
        steps = [(await e.get_attribute("data-kind"),
                  await e.get_by_test_id("timeline-actor").inner_text())
                 for e in await entries.all()]
        assert steps == [("opened", "Li"), ("assign", "Chen"), ("first_contact", "Li"),
                         ("call", "Li"), ("reply", "Li"), ("resolve", "Li"),
                         ("check_satisfied", "Li")], steps
        await expect(page.locator("[data-kind=check_satisfied]")).to_contain_text("q1: 9")
        await expect(page.get_by_test_id("complaint-call-row")).to_have_count(CALLS)
        # the recordings, once the pipeline has made them: a reload shows the players
        await first_result(lambda: server.pool.fetchval(
            "SELECT count(*) = $1 FROM recordings WHERE status = 'ready'", CALLS), 20)
        await page.reload()
        players = page.locator("[data-testid=complaint-call-row] audio")
        await expect(players).to_have_count(CALLS)
        await players.first.evaluate("audio => { audio.muted = true; return audio.play(); }")
        # a function, not an expression: the console's CSP allows no eval
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=complaint-call-row] audio')"
            ".currentTime > 0.2")
        plays = await server.pool.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'recording.play' AND actor_id = $1",
            li_id)
        assert plays >= 1

        row = await server.pool.fetchrow("SELECT * FROM complaints WHERE id = $1", complaint_id)
        assert row["status"] == "closed" and row["owner_id"] == li_id
        assert row["first_contact_at"] and row["replied_at"] and row["check_call_at"]
        assert tab.errors == []
    finally:
        await li.close()
        await chen.close()
