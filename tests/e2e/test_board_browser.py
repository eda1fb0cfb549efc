"""The supervisors' live board in a real browser (Debian's Chromium) against the real
server, the sandbox Asterisk and sipp phones and callers.

A supervisor logs in and lands on the board. Agent "li" (extension 1001, a sipp phone
that rings a few seconds before answering) joins the queue and pauses with a reason
through the API, as their console would: the board shows each state. A known caller
presses 0 and waits: their row appears with the customer's name and a ticking wait;
li answers and the call moves to li's row. A second caller waits behind it and gives up:
the row leaves the queue, the abandoned figure (Asterisk's queue_log, imported here from
its file every second) and the callback list change without a reload. Last, the
supervisor pauses li with a reason and logs li out from li's row. Screenshots in
both languages go to the ``shots`` folder.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.console import AGENT_PASSWORD, ConsoleServer
from tests.e2e.browser import ConsolePage, console_page
from tests.e2e.test_inbound_browser import (
    AGENT_PORT,
    HOTLINE,
    KNOWN_NUMBER,
    seed_known_caller,
    start_slow_phone,
)
from tests.harness.sipp import start_caller

RING_BEFORE_ANSWER = 8.0  # long enough to watch the caller's wait tick on the board
WAIT_TIMEOUT = 20_000  # ms: the IVR greeting, the key, the transfer prompt, the queue
SECOND_CALLER = "13900139000"


@pytest.fixture
async def tab(browser: Browser, board_server: ConsoleServer,
              shots: Path, request: pytest.FixtureRequest) -> AsyncIterator[ConsolePage]:
    async with console_page(browser, board_server.base_url, width=1500, height=1200) as page:
        try:
            yield page
        finally:
            await page.screenshot(path=str(shots / f"{request.node.name}-end.png"))


async def log_in_as_supervisor(page: Page) -> None:
    await page.goto("/")
    await page.get_by_test_id("login-username").fill("boss")
    await page.get_by_test_id("login-password").fill(AGENT_PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("board")).to_be_visible()
    await expect(page.get_by_test_id("board-agents")).to_be_visible()


async def test_the_board_follows_agents_and_callers_live(
        board_server: ConsoleServer, tab: ConsolePage, shots: Path) -> None:
    page = tab.page
    await seed_known_caller(board_server)
    await log_in_as_supervisor(page)
    li = page.get_by_test_id("agent-1001")
    await expect(li).to_have_attribute("data-state", "logged_out")

    agent = await board_server.login("li")
    try:
        assert (await agent.post("/api/agent/login", {}))[0] == 204
        await expect(li).to_have_attribute("data-state", "available")
        assert (await agent.post("/api/agent/pause", {"reason": "lunch"}))[0] == 204
        await expect(li).to_have_attribute("data-state", "paused")
        await expect(li.get_by_test_id("state")).to_contain_text("Lunch")
        assert (await agent.post("/api/agent/unpause", {}))[0] == 204
        await expect(li).to_have_attribute("data-state", "available")

        queue = page.get_by_test_id("board-queue")
        async with await start_slow_phone(AGENT_PORT, RING_BEFORE_ANSWER, hold=60) as _, \
                await start_caller(*HOTLINE, caller_id=KNOWN_NUMBER.removeprefix("+86"),
                                   keys="0", hold=30) as first:
            waiting = queue.locator("tr", has_text="王芳")
            await expect(waiting).to_be_visible(timeout=WAIT_TIMEOUT)
            wait = waiting.get_by_test_id("wait")
            before = await wait.text_content()
            await asyncio.sleep(2.1)
            assert await wait.text_content() != before, "the wait does not tick"
            await page.screenshot(path=str(shots / "board-waiting-en.png"))

            # Answered: the caller leaves the queue and is li's call, by name.
            await expect(li).to_have_attribute("data-state", "on_call", timeout=WAIT_TIMEOUT)
            await expect(li.get_by_test_id("call")).to_contain_text("王芳")
            await expect(waiting).to_have_count(0)

            # A second caller waits behind li's call, then gives up.
            abandoned = page.get_by_test_id("figure-abandoned").locator(".figure-value")
            abandoned_before = int(await abandoned.text_content() or "0")
            async with await start_caller(*HOTLINE, caller_id=SECOND_CALLER, keys="0",
                                          hold=16) as second:
                behind = queue.locator("tr", has_text="139 0013 9000")
                await expect(behind).to_be_visible(timeout=WAIT_TIMEOUT)
                await page.get_by_test_id("locale-switch").select_option("zh-CN")
                await expect(behind.get_by_test_id("customer")).to_have_text("未识别")
                await page.screenshot(path=str(shots / "board-waiting-zh.png"))
                await page.get_by_test_id("locale-switch").select_option("en")
                await second.wait(40)
            await expect(behind).to_have_count(0, timeout=10_000)
            # Today's figures count every call of the sandbox today: one more abandoned.
            await expect(abandoned).to_have_text(str(abandoned_before + 1), timeout=5_000)
            callback = page.get_by_test_id("board-callbacks").locator(
                "tr", has_text="139 0013 9000")
            await expect(callback).to_be_visible(timeout=5_000)
            await first.wait(45)
        await expect(li).to_have_attribute("data-state", "wrap_up", timeout=15_000)
        await expect(li.get_by_test_id("call")).to_have_text("None")
        await page.screenshot(path=str(shots / "board-after-en.png"))

        # The supervisor pauses li with a reason, then logs li out, from li's row.
        li_id = await board_server.pool.fetchval(
            "SELECT id FROM users WHERE username = 'li'")
        await li.get_by_test_id(f"pause-{li_id}").click()
        await li.get_by_test_id(f"reason-{li_id}").select_option("training")
        await li.get_by_test_id(f"confirm-pause-{li_id}").click()
        await expect(li).to_have_attribute("data-state", "paused")
        await expect(li.get_by_test_id("state")).to_contain_text("Training")
        await li.get_by_test_id(f"logout-{li_id}").click()
        await li.get_by_test_id(f"confirm-logout-{li_id}").click()
        await expect(li).to_have_attribute("data-state", "logged_out")
        assert tab.errors == []
    finally:
        await agent.close()
