"""Finding a customer and calling them from their card, in a real browser (Debian's
Chromium) against the real server.

With the sandbox Asterisk and sipp phones (agent 1001's softphone a sipp UAS on 16001,
the customer behind the trunk one on 16100, as in test_console_browser.py): the agent
searches by the last 4 digits of the mobile, opens the card, calls the mobile (a number
marked wrong has no Call button), and wraps the call up as an inbound call; the call is
then on the card. Without Asterisk (a loopback AMI peer): a search the server refuses,
a plate search, and a do-not-disturb customer called only after "call anyway"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.console import ConsoleServer, running_server
from tests.e2e.browser import ConsolePage, console_page
from tests.e2e.test_console_browser import AGENT_PORT, CUSTOMER_PORT, LIVE_STATES, log_in, timeline
from tests.harness.sipp import start_phone
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually

WRONG_NUMBER = "+8675581351929"


@pytest.fixture
async def console_server(db_url: str,
                         sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    """The server with agent "li" on extension 1001, whose console is in English."""
    env = {**sandbox_env, "CALLCENTER_AGENT_RING_SECONDS": "4",
           "CALLCENTER_CUSTOMER_RING_SECONDS": "4"}
    async with running_server(db_url, env) as server:
        await server.add_agent("li", "1001")
        yield server


@pytest.fixture
async def tab(browser: Browser, console_server: ConsoleServer,
              tmp_path: Path) -> AsyncIterator[ConsolePage]:
    async with console_page(browser, console_server.base_url) as page:
        try:
            yield page
        finally:
            await page.screenshot(tmp_path / "console.png")


async def test_search_a_customer_open_the_card_and_call_them(
        console_server: ConsoleServer, tab: ConsolePage) -> None:
    page = tab.page
    seeded = await console_server.seed_followup(name="王伟")  # mobile +8613800138001
    await console_server.pool.execute(
        "INSERT INTO customer_phones (customer_id, e164, label, position, invalid_at)"
        " VALUES ($1, $2, 'home', 1, now())", seeded.customer_id, WRONG_NUMBER)
    await log_in(page)

    await page.get_by_test_id("nav-customers").click()
    await page.get_by_test_id("customer-q").fill("8001")
    await page.get_by_test_id("customer-search-go").click()
    result = page.locator(f"[data-testid=customer-result][data-customer-id='{seeded.customer_id}']")
    await expect(result).to_contain_text("138 0013 8001")  # as people read it
    await expect(result).to_contain_text("0755-8135 1929")
    await expect(result.get_by_test_id("customer-result-tasks")).to_have_text("1")
    assert "#/customers?q=8001" in page.url
    await result.get_by_test_id("customer-result-name").click()

    await expect(page.get_by_test_id("customer-name")).to_have_text("王伟")
    phones = page.get_by_test_id("card-phone")
    await expect(phones).to_have_count(2)
    await expect(phones.nth(0)).to_contain_text("138 0013 8001")
    wrong = page.locator(f"[data-testid=card-phone][data-e164='{WRONG_NUMBER}']")
    await expect(wrong.get_by_test_id("phone-invalid")).to_be_visible()
    await expect(wrong.get_by_test_id("call-button")).to_have_count(0)
    await expect(page.get_by_test_id("card-calls")).to_contain_text("Nothing yet")

    async with await start_phone(AGENT_PORT, "uas_answer", hold=10) as _, \
            await start_phone(CUSTOMER_PORT, "uas_answer", hold=3) as _:
        await page.locator(f"[data-testid=call-button][data-phone='{seeded.phone}']").click()
        state = page.get_by_test_id("call-state")
        await expect(state).to_have_attribute("data-state", "answered", timeout=30_000)
        await expect(page.get_by_test_id("call-button").first).to_be_disabled()
        await expect(page.get_by_test_id("call-phone")).to_have_text("138 0013 8001")
        await expect(state).to_have_attribute("data-state", "ended", timeout=30_000)
    assert await timeline(page) == LIVE_STATES

    form = page.get_by_test_id("wrapup-form")
    await form.locator("label.segment",
                       has=page.get_by_test_id("wrapup-category-inquiry")).click()
    await form.get_by_test_id("wrapup-notes").fill("问保养价格")
    await form.get_by_test_id("wrapup-save").click()
    await expect(page.get_by_test_id("wrapup-saved")).to_be_visible()
    await expect(page.get_by_test_id("card-calls").locator("tbody tr")).to_have_count(1)
    row = await console_server.pool.fetchrow(
        "SELECT customer_id, followup_task_id, category, notes, disposition, callee_number"
        " FROM calls")
    assert tuple(row) == (seeded.customer_id, None, "inquiry", "问保养价格", "answered",
                          seeded.phone)
    # The follow-up was not touched by a call made without it.
    task = await console_server.pool.fetchrow(
        "SELECT status, attempts FROM followup_tasks WHERE id = $1", seeded.followup_id)
    assert tuple(task) == ("open", 0)
    assert tab.errors == []


@pytest.fixture
async def offline_tab(browser: Browser, db_url: str, fake_ami: FakeAmi,
                      tmp_path: Path) -> AsyncIterator[tuple[ConsoleServer, ConsolePage]]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as server:
        await server.add_agent("li", "1001")
        async with console_page(browser, server.base_url) as page:
            try:
                yield server, page
            finally:
                await page.screenshot(tmp_path / "console.png")


async def test_a_refused_search_a_plate_and_a_do_not_disturb_customer(
        offline_tab: tuple[ConsoleServer, ConsolePage], fake_ami: FakeAmi) -> None:
    server, tab = offline_tab
    page = tab.page
    seeded = await server.seed_followup(name="李娜", do_not_disturb=True)  # plate 沪A00001
    await log_in(page)
    await page.goto("/#/customers?q=12")
    await expect(page.get_by_test_id("customer-search-error")).to_be_visible()

    await page.get_by_test_id("customer-q").fill("沪a 00001")
    await page.get_by_test_id("customer-search-go").click()
    result = page.get_by_test_id("customer-result")
    await expect(result).to_have_count(1)
    await expect(result.get_by_test_id("badge-dnd")).to_be_visible()
    await result.get_by_test_id("customer-result-name").click()

    await expect(page.get_by_test_id("dnd-note")).to_be_visible()
    await page.locator(f"[data-testid=call-button][data-phone='{seeded.phone}']").click()
    await expect(page.get_by_test_id("dnd-call-anyway")).to_contain_text("138 0013 8001")
    assert [a for a in fake_ami.received if a["Action"] == "Originate"] == []
    await page.get_by_test_id("dnd-call-anyway").click()
    await expect(page.get_by_test_id("call-state")).to_have_attribute(
        "data-state", "agent_ringing")
    await eventually(lambda: any(a["Action"] == "Originate" for a in fake_ami.received))
    originate = next(a for a in fake_ami.received if a["Action"] == "Originate")
    assert originate["Channel"] == "PJSIP/1001"
    assert tab.errors == []
