"""The agent console in a real browser (Debian's Chromium) against the real server: a
real PostgreSQL, the sandbox Asterisk, and sipp phones for the agent and the customer.

Agent 1001's softphone is a sipp UAS on 16001; the customer behind the trunk a sipp UAS
on 16100 (as in test_followup_calls.py). The browser logs in through the login form,
opens the follow-up from "My work", clicks Call, watches the live states arrive over
the WebSocket, and submits the questionnaire.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, WebSocketRoute, expect

from tests.console import AGENT_PASSWORD, ConsoleServer, running_server
from tests.e2e.browser import ConsolePage, console_page
from tests.harness.sipp import start_phone

AGENT_PORT, CUSTOMER_PORT = 16001, 16100
LIVE_STATES = ["agent_ringing", "agent_answered", "customer_ringing", "answered", "ended"]


@pytest.fixture
async def console_server(db_url: str,
                         sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    """The server with agent "li" on extension 1001, whose console is in Chinese."""
    env = {**sandbox_env, "CALLCENTER_AGENT_RING_SECONDS": "4",
           "CALLCENTER_CUSTOMER_RING_SECONDS": "4"}
    async with running_server(db_url, env) as server:
        await server.add_agent("li", "1001")
        await server.pool.execute("UPDATE users SET locale = 'zh-CN' WHERE username = 'li'")
        yield server


@pytest.fixture
async def tab(browser: Browser, console_server: ConsoleServer,
              tmp_path: Path) -> AsyncIterator[ConsolePage]:
    async with console_page(browser, console_server.base_url) as page:
        try:
            yield page
        finally:
            # What the console looked like at the end: kept with the test's tmp_path.
            await page.screenshot(tmp_path / "console.png")


async def log_in(page: Page, username: str = "li", password: str = AGENT_PASSWORD) -> None:
    await page.goto("/")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(password)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("whoami")).to_be_visible()
    await expect(page.get_by_test_id("ws-status")).to_have_attribute("data-state", "open")


def call_state(page: Page):
    return page.get_by_test_id("call-state")


async def timeline(page: Page) -> list[str]:
    return await page.locator("[data-testid=call-timeline] li").evaluate_all(
        "items => items.map(li => li.dataset.state)")


async def test_agent_calls_from_the_console_and_completes_the_questionnaire(
        console_server: ConsoleServer, tab: ConsolePage) -> None:
    page = tab.page
    seeded = await console_server.seed_followup()
    await log_in(page)
    # The console speaks the user's language; the header switch changes only the view.
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    await expect(page.get_by_test_id("locale-switch")).to_have_value("zh-CN")

    row = page.locator(f"[data-testid=task-row][data-task-id='{seeded.followup_id}']")
    await expect(row).to_be_visible()
    await expect(row.get_by_test_id("badge-vip")).to_be_visible()
    await expect(row.get_by_test_id("task-attempts")).to_have_text("0")
    await row.get_by_test_id("task-link").click()

    await expect(page.get_by_test_id("customer-card")).to_be_visible()
    await expect(page.get_by_test_id("customer-name")).to_have_text("张伟")
    await expect(page.get_by_test_id("card-vehicles")).to_contain_text("Model Y")
    inputs = page.locator("[data-testid=questionnaire] input[type=number]")
    await expect(inputs).to_have_count(8)
    await expect(page.get_by_test_id("submit-outcome")).to_be_disabled()

    async with await start_phone(AGENT_PORT, "uas_answer", hold=10) as _, \
            await start_phone(CUSTOMER_PORT, "uas_answer", hold=4) as _:
        await page.locator(f"[data-testid=call-button][data-phone='{seeded.phone}']").click()
        await expect(call_state(page)).to_have_attribute("data-state", "answered", timeout=30_000)
        # While the call is up no second call can be placed from the console.
        await expect(page.get_by_test_id("call-button").first).to_be_disabled()
        for n in range(await inputs.count()):
            await inputs.nth(n).fill("9")
        await expect(call_state(page)).to_have_attribute("data-state", "ended", timeout=30_000)

    assert await timeline(page) == LIVE_STATES
    await expect(page.get_by_test_id("call-duration")).to_be_visible()
    await page.get_by_test_id("submit-outcome").click()
    result = page.get_by_test_id("outcome-result")
    await expect(result).to_have_attribute("data-result", "satisfied")
    await expect(page.get_by_test_id("task-status")).to_have_attribute("data-status", "completed")
    await expect(page.get_by_test_id("call-button").first).to_be_disabled()

    task = await console_server.pool.fetchrow(
        "SELECT status, result, answers FROM followup_tasks WHERE id = $1", seeded.followup_id)
    assert (task["status"], task["result"]) == ("completed", "satisfied")
    assert task["answers"] == {f"q{n}": 9 for n in range(1, 9)}

    await page.get_by_test_id("locale-switch").select_option("en")
    assert await page.evaluate("document.documentElement.lang") == "en"
    await expect(page.get_by_test_id("task-status")).to_have_text("Completed")
    assert tab.errors == []


async def test_busy_customer_moves_the_task_to_call_again(
        console_server: ConsoleServer, tab: ConsolePage) -> None:
    page = tab.page
    seeded = await console_server.seed_followup()
    await log_in(page)
    await page.goto(f"/#/task/{seeded.followup_id}")
    async with await start_phone(AGENT_PORT, "uas_answer", hold=10) as _, \
            await start_phone(CUSTOMER_PORT, "uas_busy") as _:
        await page.locator(f"[data-testid=call-button][data-phone='{seeded.phone}']").click()
        await expect(call_state(page)).to_have_attribute("data-state", "ended", timeout=30_000)
    states = await timeline(page)
    assert "busy" in states and "answered" not in states, states
    await expect(page.get_by_test_id("task-status")).to_have_attribute("data-status", "call_again")
    await expect(page.get_by_test_id("task-attempts")).to_have_text("1")
    await expect(page.get_by_test_id("submit-outcome")).to_be_disabled()
    await page.get_by_test_id("goto-call-again").click()
    await expect(page.locator(
        f"[data-testid=task-row][data-task-id='{seeded.followup_id}']")).to_be_visible()
    assert tab.errors == []


async def test_do_not_disturb_customer_cannot_be_called(
        console_server: ConsoleServer, tab: ConsolePage) -> None:
    page = tab.page
    seeded = await console_server.seed_followup(do_not_disturb=True)
    await log_in(page)
    row = page.locator(f"[data-testid=task-row][data-task-id='{seeded.followup_id}']")
    await expect(row.get_by_test_id("badge-dnd")).to_be_visible()
    await row.get_by_test_id("task-link").click()
    await expect(page.get_by_test_id("dnd-note")).to_be_visible()
    buttons = page.get_by_test_id("call-button")
    await expect(buttons).to_have_count(1)
    await expect(buttons).to_be_disabled()
    assert tab.errors == []


async def test_a_refused_call_is_shown_with_the_servers_reason(
        console_server: ConsoleServer, tab: ConsolePage) -> None:
    page = tab.page
    # A supervisor without a phone extension: POST /api/calls answers 409 no_extension.
    await console_server.add_agent("wang", None, role="supervisor")
    seeded = await console_server.seed_followup()
    await log_in(page, "wang")
    await page.goto(f"/#/task/{seeded.followup_id}")
    await page.get_by_test_id("call-button").click()
    error = page.get_by_test_id("call-error")
    await expect(error).to_have_attribute("data-error-id", "no_extension")
    await expect(call_state(page)).to_have_attribute("data-state", "idle")
    await expect(page.get_by_test_id("call-button")).to_be_enabled()


async def test_wrong_password_is_refused_with_a_message(tab: ConsolePage) -> None:
    page = tab.page
    await page.goto("/")
    await page.get_by_test_id("login-username").fill("li")
    await page.get_by_test_id("login-password").fill("not-the-password")
    await page.get_by_test_id("login-submit").click()
    error = page.get_by_test_id("login-error")
    await expect(error).to_have_attribute("data-error-id", "bad_credentials")
    await expect(error).not_to_be_empty()
    await expect(page.get_by_test_id("whoami")).to_be_hidden()


async def test_live_updates_reconnect_by_themselves(
        console_server: ConsoleServer, tab: ConsolePage) -> None:
    page = tab.page
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()  # a pass-through the test can cut
        sockets.append(ws)

    await page.route_web_socket(re.compile(r"/api/ws"), through)
    await log_in(page)
    assert len(sockets) == 1
    await sockets[0].close(code=1011, reason="cut by the test")
    status = page.get_by_test_id("ws-status")
    await expect(status).to_have_attribute("data-state", "reconnecting")
    await expect(status).to_have_attribute("data-state", "open", timeout=15_000)
    assert len(sockets) == 2


async def test_every_string_is_in_both_languages(tab: ConsolePage) -> None:
    page = tab.page
    await page.goto("/")
    zh, en = await page.evaluate("""async () => {
        const { STRINGS } = await import("/static/i18n.js");
        return [Object.keys(STRINGS["zh-CN"]).sort(), Object.keys(STRINGS.en).sort()];
    }""")
    assert zh == en
    assert len(zh) > 100
