"""The call scripts' outcomes in Chromium with real calls: the sandbox Asterisk, a sipp
softphone for agent 1001 (port 16001) and a sipp customer behind the trunk (16100).

- Not convenient now: the agent books a callback a few seconds ahead; the task leaves
  the lists, and when its time comes the console reminds the agent and the task is in
  the callbacks section.
- Not reached: the second call is refused by the server, and the console shows when
  the customer may be called again (the default gap: the next day).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Locator, expect

from tests.console import ConsoleServer, running_server
from tests.e2e.browser import ConsolePage, console_page
from tests.e2e.test_console_browser import call_state, log_in
from tests.harness.sipp import start_phone

AGENT_PORT, CUSTOMER_PORT = 16001, 16100
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the center's zone (the settings' default)
CALLBACK_AHEAD = timedelta(seconds=20)


@pytest.fixture
async def server(db_url: str, sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    env = {**sandbox_env, "CALLCENTER_AGENT_RING_SECONDS": "4",
           "CALLCENTER_CUSTOMER_RING_SECONDS": "4"}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        yield srv


@pytest.fixture
async def tab(browser: Browser, server: ConsoleServer,
              shots: Path) -> AsyncIterator[ConsolePage]:
    async with console_page(browser, server.base_url) as page:
        yield page


def _row(tab: ConsolePage, task_id: int) -> Locator:
    return tab.page.locator(f"[data-testid=task-row][data-task-id='{task_id}']")


async def test_callback_leaves_the_list_and_returns_at_its_time_with_a_reminder(
        server: ConsoleServer, tab: ConsolePage, shots: Path) -> None:
    page = tab.page
    seeded = await server.seed_followup()
    await log_in(page)
    await expect(_row(tab, seeded.followup_id)).to_be_visible()
    await page.goto(f"/#/task/{seeded.followup_id}")
    async with await start_phone(AGENT_PORT, "uas_answer", hold=10) as _, \
            await start_phone(CUSTOMER_PORT, "uas_answer", hold=3) as _:
        await page.locator(f"[data-testid=call-button][data-phone='{seeded.phone}']").click()
        await expect(call_state(page)).to_have_attribute("data-state", "answered",
                                                         timeout=30_000)
        # The customer's wife answered: not convenient now, call back in a moment.
        await page.get_by_test_id("spoke-with").fill("妻子")
        # The outcome is recorded once the call has ended (its disposition is known).
        await expect(call_state(page)).to_have_attribute("data-state", "ended",
                                                         timeout=30_000)
    at = (datetime.now(SHANGHAI) + CALLBACK_AHEAD).replace(microsecond=0)
    await page.get_by_test_id("callback-at").fill(at.strftime("%Y-%m-%dT%H:%M:%S"))
    await page.get_by_test_id("book-callback").click()
    await expect(page.get_by_test_id("outcome-result")).to_be_visible()
    await expect(page.get_by_test_id("task-callback")).to_be_visible()
    await expect(page.get_by_test_id("task-spoke-with")).to_have_text("妻子")
    task = await server.pool.fetchrow("SELECT * FROM followup_tasks WHERE id = $1",
                                      seeded.followup_id)
    assert task["callback_at"] == at and task["status"] == "open"
    attempt = await server.pool.fetchrow(
        "SELECT result, outcome, spoke_with FROM followup_attempts WHERE task_id = $1",
        seeded.followup_id)
    assert dict(attempt) == {"result": "answered", "outcome": "callback", "spoke_with": "妻子"}
    # Gone from today's list and not yet among the callbacks: in the coming days.
    await page.goto("/#/work/today")
    await expect(page.get_by_test_id("worklist-empty")).to_be_visible()
    await page.goto("/#/work/callbacks")
    await expect(page.get_by_test_id("worklist-empty")).to_be_visible()
    await page.goto("/#/work/coming")
    await expect(_row(tab, seeded.followup_id)).to_be_visible()
    # Its time comes: the console reminds the agent, and the task is in the callbacks.
    reminder = page.locator(
        f"[data-testid=callback-reminder][data-task-id='{seeded.followup_id}']")
    wait = (at - datetime.now(SHANGHAI)).total_seconds()
    await expect(reminder).to_be_visible(timeout=(wait + 10) * 1000)
    assert datetime.now(SHANGHAI) >= at
    await tab.screenshot(shots / "callback_reminder.png")
    await page.goto("/#/work/callbacks")
    await expect(_row(tab, seeded.followup_id)).to_be_visible()
    await reminder.get_by_test_id("reminder-open").click()
    await expect(page.get_by_test_id("task-view")).to_be_visible()
    assert tab.errors == []


async def test_the_second_call_is_refused_until_the_next_day(
        server: ConsoleServer, tab: ConsolePage, shots: Path) -> None:
    page = tab.page
    seeded = await server.seed_followup()
    await log_in(page)
    await page.goto(f"/#/task/{seeded.followup_id}")
    button = page.locator(f"[data-testid=call-button][data-phone='{seeded.phone}']")
    async with await start_phone(AGENT_PORT, "uas_answer", hold=10) as _, \
            await start_phone(CUSTOMER_PORT, "uas_busy") as _:
        await button.click()
        await expect(call_state(page)).to_have_attribute("data-state", "ended",
                                                         timeout=30_000)
    await expect(page.get_by_test_id("task-status")).to_have_attribute("data-status",
                                                                       "call_again")
    await expect(page.get_by_test_id("call-again-at")).to_be_visible()
    task = await server.pool.fetchrow("SELECT * FROM followup_tasks WHERE id = $1",
                                      seeded.followup_id)
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    assert task["next_attempt_at"] == datetime.combine(tomorrow, datetime.min.time(),
                                                       SHANGHAI)
    # The agent tries again at once: the server refuses, and the console says when.
    await expect(button).to_be_enabled()
    await button.click()
    error = page.get_by_test_id("call-error")
    await expect(error).to_have_attribute("data-error-id", "too_early")
    when = await page.evaluate(
        """iso => new Intl.DateTimeFormat(document.documentElement.lang, {year: "numeric",
             month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"})
             .format(new Date(iso))""", task["next_attempt_at"].isoformat())
    await expect(error).to_contain_text(when)
    await tab.screenshot(shots / "call_again_too_early.png")
    await asyncio.sleep(0.5)
    assert await server.pool.fetchval("SELECT count(*) FROM calls") == 1
    assert (await server.pool.fetchval(
        "SELECT attempts FROM followup_tasks WHERE id = $1", seeded.followup_id)) == 1
    assert tab.errors == []
