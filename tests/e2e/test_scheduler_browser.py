"""The scheduler's console in headless Chromium under the server's Content-Security-Policy
(docs/scheduler.md): a supervisor opens #/scheduler from the navigation and sees the run
log of the server's own start (today's rules) and a seeded failed run with its error,
then the lost-contact page with the address for the card and the phones as people read
them, marks a card mailed and the customer leaves the list; in English and in Chinese,
without a page error. An agent has no such entry; on a follow-up they record the mileage
the customer tells and see the next maintenance at once.

No Asterisk is needed: the server talks to the loopback AMI peer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from tests.console import AGENT_PASSWORD, ConsoleServer, center_server
from tests.e2e.browser import console_page
from tests.integration.fake_ami import FakeAmi

RULES = ("lost_contact", "maintenance_reminder", "win_back")


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    async with center_server(db_url, fake_ami.port) as srv:
        # The server's start runs today's rules; once they are logged, a failed run of
        # an earlier day is added (this server will not look at that day again).
        for _ in range(200):
            done = await srv.pool.fetchval(
                "SELECT count(*) FROM scheduler_runs WHERE day = $1 AND rule = ANY($2)"
                " AND finished_at IS NOT NULL", srv.today, list(RULES))
            if done == len(RULES):
                break
            await asyncio.sleep(0.1)
        await srv.pool.execute(
            "INSERT INTO scheduler_runs (rule, day, started_at, error, failures)"
            " VALUES ('win_back', $1, now(), 'RuntimeError: seeded failure', 2)",
            srv.today - timedelta(days=3))
        customer = await srv.pool.fetchval(
            "INSERT INTO customers (name, address, lost_contact_at)"
            " VALUES ('王芳', '深圳市南山区科技园南区1栋', now()) RETURNING id")
        await srv.pool.execute(
            "INSERT INTO customer_phones (customer_id, e164, position)"
            " VALUES ($1, '+8613800138001', 0), ($1, '+8675581351929', 1)", customer)
        yield srv


async def _log_in(page: Page, username: str) -> None:
    await page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));")
    await page.goto("/")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(AGENT_PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("ws-status")).to_have_attribute("data-state", "open")


async def _no_raw_keys(page: Page) -> None:
    text = await page.locator("main").inner_text()
    assert "scheduler." not in text, text
    assert await page.evaluate("window.cspViolations") == []


def _run(page: Page, rule: str, day: str):
    return page.locator(f"[data-testid=scheduler-run][data-rule={rule}][data-day='{day}']")


async def test_a_supervisor_reads_the_run_log_and_mails_a_lost_contact_card(
        server: ConsoleServer, browser: Browser) -> None:
    today = server.today.isoformat()
    failed_day = (server.today - timedelta(days=3)).isoformat()
    async with console_page(browser, server.base_url) as tab:
        page = tab.page
        await _log_in(page, "chen")
        await page.get_by_test_id("nav-scheduler").click()
        await expect(page).to_have_url(f"{server.base_url}/#/scheduler")
        for rule in RULES:
            await expect(_run(page, rule, today).get_by_test_id("scheduler-run-state")
                         ).to_have_text("Done")
        await expect(_run(page, "maintenance_reminder", today)).to_contain_text(
            "Maintenance reminders")
        failed = _run(page, "win_back", failed_day)
        await expect(failed.get_by_test_id("scheduler-run-state")).to_have_text(
            "Failed, to be retried")
        await expect(failed.get_by_test_id("scheduler-run-error")).to_have_text(
            "RuntimeError: seeded failure")
        await _no_raw_keys(page)

        # Another range lives in the address; a range without runs says so.
        await page.get_by_test_id("scheduler-from").fill("2020-01-01")
        await page.get_by_test_id("scheduler-to").fill("2020-01-31")
        await page.get_by_test_id("scheduler-show").click()
        await expect(page).to_have_url(
            f"{server.base_url}/#/scheduler?from=2020-01-01&to=2020-01-31")
        await expect(page.get_by_test_id("scheduler-runs-empty")).to_be_visible()

        await page.get_by_test_id("locale-switch").select_option("zh-CN")
        await page.goto("/#/scheduler")
        await expect(failed.get_by_test_id("scheduler-run-state")).to_have_text("失败，待重试")
        await expect(_run(page, "maintenance_reminder", today)).to_contain_text("保养提醒")
        await _no_raw_keys(page)

        await page.get_by_test_id("scheduler-tab-lost-contact").click()
        row = page.get_by_test_id("lost-contact-row")
        await expect(row).to_have_count(1)
        await expect(row).to_contain_text("王芳")
        await expect(row.get_by_test_id("lost-contact-address")).to_have_text(
            "深圳市南山区科技园南区1栋")
        await expect(row.get_by_test_id("lost-contact-phones")).to_have_text(
            "138 0013 8001 · 0755-8135 1929")
        await _no_raw_keys(page)

        await page.get_by_test_id("locale-switch").select_option("en")
        await expect(page.get_by_test_id("lost-contact-mailed")).to_have_text("Card mailed")
        await page.get_by_test_id("lost-contact-mailed").click()
        await expect(page.get_by_test_id("lost-contact-notice")).to_contain_text("王芳")
        await expect(page.get_by_test_id("lost-contact-empty")).to_be_visible()
        await _no_raw_keys(page)
        assert tab.errors == []


async def test_an_agent_records_the_mileage_told_during_a_call(
        server: ConsoleServer, browser: Browser) -> None:
    seeded = await server.seed_followup()
    async with console_page(browser, server.base_url) as tab:
        page = tab.page
        await _log_in(page, "li")
        await expect(page.get_by_test_id("nav-scheduler")).to_be_hidden()
        await page.goto("/#/scheduler")
        await expect(page.locator("main")).to_contain_text("Only supervisors")

        await page.goto(f"/#/task/{seeded.followup_id}")
        panel = page.get_by_test_id("mileage-panel")
        await expect(panel).to_be_visible()
        await panel.get_by_test_id("mileage-km").fill("6000")
        await panel.get_by_test_id("mileage-save").click()
        # 6,000 km on the day of delivery: past the first service's 5,000 km, due today
        await expect(panel.get_by_test_id("mileage-result")).to_contain_text("Saved 6,000 km")
        await page.get_by_test_id("locale-switch").select_option("zh-CN")
        await expect(panel.get_by_test_id("mileage-result")).to_contain_text("已保存 6,000 公里")
        await expect(panel).to_contain_text("客户告知的里程")
        assert await server.pool.fetchval(
            "SELECT km FROM vehicle_mileage_readings") == 6000
        assert await server.pool.fetchval(
            "SELECT next_maintenance_date FROM customers WHERE id = $1",
            seeded.customer_id) == server.today
        assert tab.errors == []
