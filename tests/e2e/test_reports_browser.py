"""The reports section (#/reports) in headless Chromium under the server's
Content-Security-Policy: a supervisor opens it from the navigation, each report of the scripted
November (tests/integration/test_reports.py) shows its tables with the known figures
(the agents' pauses from queue_log too) and draws its ECharts canvases without a page
error, in English and in Chinese; the export link downloads the same report as xlsx; the
days and filters live in the address. An agent has no such entry and is told the reports
are for supervisors.

No Asterisk is needed: the server talks to the loopback AMI peer. Screenshots in both
languages go to the ``shots`` folder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.console import AGENT_PASSWORD, ConsoleServer, center_server
from tests.e2e.browser import console_page
from tests.integration.fake_ami import FakeAmi
from tests.integration.test_reports import seed_month

NOVEMBER = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    async with center_server(db_url, fake_ami.port) as srv:
        await seed_month(srv.pool)
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


async def _charts_drawn(page: Page, *testids: str) -> None:
    for testid in testids:
        await expect(page.get_by_test_id(testid).locator("canvas")).to_have_count(1)
    assert await page.evaluate("window.cspViolations") == []


async def _no_raw_keys(page: Page) -> None:
    text = await page.locator("main").inner_text()
    assert "reports." not in text and "kind." not in text, text


async def test_both_reports_with_charts_in_both_languages(
        server: ConsoleServer, browser: Browser, shots: Path) -> None:
    async with console_page(browser, server.base_url, width=1400, height=1000) as tab, \
            console_page(browser, server.base_url) as agent_tab:
        page = tab.page
        await _log_in(page, "chen")
        await page.get_by_test_id("nav-reports").click()
        await page.get_by_test_id("report-link-followups").click()
        await expect(page.get_by_test_id("report-followups")).to_be_visible()
        # without days: the 1st of this month to today, in the address after a Show
        await expect(page.get_by_test_id("report-from")).not_to_have_value("")

        # -- follow-up completion, by kind, November ----------------------------------
        await page.goto(f"/#/reports/followups?{NOVEMBER}&by=kind")
        rows = page.get_by_test_id("report-table-row")
        await expect(rows).to_have_count(2)
        await expect(rows.nth(0)).to_contain_text("Sales")
        total = page.get_by_test_id("report-table-total")
        # due 7, completed 3, in time 2, late 1, unreachable 1, SMS 1, not done 2, overdue 2
        await expect(total.locator("[data-figure=due]")).to_have_text("7")
        await expect(total.locator("[data-figure=in_time]")).to_have_text("2")
        await expect(total.locator("[data-figure=overdue]")).to_have_text("2")
        await expect(total.locator("[data-figure=reach_rate]")).to_have_text("36.4%")
        await expect(total.locator("[data-figure=attempts_per_completed]")).to_have_text("2")
        await _charts_drawn(page, "report-chart")
        await _no_raw_keys(page)
        # a filter from the form goes into the address
        await page.get_by_test_id("report-filter-by").select_option("week")
        await page.get_by_test_id("report-filter-kind").select_option("service")
        await page.get_by_test_id("report-show").click()
        await expect(page).to_have_url(f"{server.base_url}/#/reports/followups?"
                                       f"{NOVEMBER}&by=week&kind=service")
        await expect(total.locator("[data-figure=due]")).to_have_text("3")
        await expect(rows.first).to_contain_text("Week of")
        href = await page.get_by_test_id("report-export").get_attribute("href")
        assert href == f"/api/reports/followups.xlsx?{NOVEMBER}&by=week&kind=service"
        export = await page.request.get(href)
        assert export.status == 200 and export.headers["content-type"].startswith(
            "application/vnd.openxmlformats")
        await tab.screenshot(shots / "report-followups-en.png")

        # -- calls and agents ---------------------------------------------------------
        await page.goto(f"/#/reports/calls?{NOVEMBER}")
        agents = page.get_by_test_id("report-agents-table-row")
        await expect(agents).to_have_count(4)
        await expect(agents.nth(0)).to_contain_text('=HYPERLINK("x")')
        await expect(agents.nth(0).locator("[data-figure=average_score_percent]")
                     ).to_have_text("85")
        await expect(agents.nth(1).locator("[data-figure=pause_seconds]")).to_have_text("4,200")
        await expect(agents.nth(1).locator("[data-figure=average_wrap_up_seconds]")
                     ).to_have_text("45")
        await expect(agents.nth(2)).to_contain_text("No agent")
        await expect(agents.nth(3)).to_contain_text("Zhao")  # a queue member, no user
        pauses = page.get_by_test_id("report-pauses-table-row")
        await expect(pauses).to_have_count(3)
        await expect(pauses.nth(0)).to_contain_text("Li · break")
        await expect(pauses.nth(2)).to_contain_text("Zhao · No reason given")
        direction = page.get_by_test_id("report-by-direction-table-total")
        await expect(direction.locator("[data-figure=calls]")).to_have_text("5")
        await expect(direction.locator("[data-figure=average_talk_seconds]")).to_have_text("160.2")
        await _charts_drawn(page, "report-chart-hour", "report-chart-weekday")
        await _no_raw_keys(page)
        await tab.screenshot(shots / "report-calls-en.png")

        # -- in Chinese ---------------------------------------------------------------
        await page.get_by_test_id("locale-switch").select_option("zh-CN")
        await expect(page.get_by_role("heading", name="通话与坐席")).to_be_visible()
        weekdays = page.get_by_test_id("report-by-weekday-table-row")
        await expect(weekdays.first).to_contain_text("周一")
        await expect(pauses.nth(2)).to_contain_text("Zhao · 未说明原因")
        await _charts_drawn(page, "report-chart-hour", "report-chart-weekday")
        await _no_raw_keys(page)
        await tab.screenshot(shots / "report-calls-zh.png")
        await page.goto(f"/#/reports/followups?{NOVEMBER}&by=agent")
        await expect(page.get_by_role("heading", name="回访完成情况")).to_be_visible()
        await expect(rows).to_have_count(3)
        await expect(rows.nth(2)).to_contain_text("未分配")
        await _charts_drawn(page, "report-chart")
        await _no_raw_keys(page)
        await tab.screenshot(shots / "report-followups-zh.png")
        assert tab.errors == []

        # -- an agent ---------------------------------------------------------------------
        agent = agent_tab.page
        await _log_in(agent, "li")
        await expect(agent.get_by_test_id("nav-reports")).to_be_hidden()
        await agent.goto(f"/#/reports/calls?{NOVEMBER}")
        await expect(agent.get_by_test_id("reports-forbidden")).to_be_visible()
        assert agent_tab.errors == []
