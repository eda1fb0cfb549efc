"""The satisfaction report (#/reports/satisfaction) in headless Chromium under the
server's Content-Security-Policy: the scripted November of
tests/integration/test_satisfaction.py by question, by staff and month over month, its
ECharts canvas drawn without a page error, in English and in Chinese. No Asterisk is
needed (the loopback AMI peer); screenshots go to the ``shots`` folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.console import ConsoleServer, center_server
from tests.e2e.browser import console_page
from tests.e2e.test_reports_browser import _charts_drawn, _log_in, _no_raw_keys
from tests.integration.fake_ami import FakeAmi
from tests.integration.test_satisfaction import FORMULA_NAME, seed

NOVEMBER = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    async with center_server(db_url, fake_ami.port) as srv:
        await seed(srv.pool)
        yield srv


async def test_the_report_with_its_chart_in_both_languages(
        server: ConsoleServer, browser: Browser, shots: Path) -> None:
    async with console_page(browser, server.base_url, width=1400, height=1000) as tab, \
            console_page(browser, server.base_url) as agent_tab:
        page = tab.page
        await _log_in(page, "chen")
        await page.get_by_test_id("nav-reports").click()
        await page.get_by_test_id("report-link-satisfaction").click()
        await expect(page.get_by_test_id("report-satisfaction")).to_be_visible()

        await page.goto(f"/#/reports/satisfaction?{NOVEMBER}")
        templates = page.get_by_test_id("report-templates-table-row")
        await expect(templates).to_have_count(3)
        await expect(templates.nth(0)).to_contain_text("(version 1)")
        await expect(templates.nth(0).locator("[data-figure=mean_score]")).to_have_text("70")
        await expect(templates.nth(0).locator("[data-figure=satisfied_rate]")).to_have_text("50%")
        await expect(templates.nth(0).locator("[data-figure=strongest]")).to_contain_text("Q1")
        await expect(templates.nth(0).locator("[data-figure=weakest]")).to_contain_text("Q6")
        questions = page.get_by_test_id("report-questions-table-row")
        await expect(questions).to_have_count(8 + 2 + 6)
        await expect(questions.nth(0).locator("[data-figure=mean]")).to_have_text("9.5")
        await expect(questions.nth(0).locator("[data-figure=distribution]")).to_have_text(
            "9 pts × 1 · 10 pts × 1")
        await _charts_drawn(page, "report-chart")
        await _no_raw_keys(page)
        await tab.screenshot(shots / "report-satisfaction-en.png")

        await page.get_by_test_id("report-filter-by").select_option("staff")
        await page.get_by_test_id("report-show").click()
        await expect(page).to_have_url(
            f"{server.base_url}/#/reports/satisfaction?{NOVEMBER}&by=staff")
        rows = page.get_by_test_id("report-table-row")
        await expect(rows).to_have_count(4)
        await expect(rows.nth(0)).to_contain_text(f"{FORMULA_NAME} (Sales)")
        await expect(rows.nth(3)).to_contain_text("Unknown (After-sales service)")
        total = page.get_by_test_id("report-table-total")
        await expect(total.locator("[data-figure=completed]")).to_have_text("5")
        await expect(total.locator("[data-figure=score_percent]")).to_have_text("85.9")
        await _charts_drawn(page, "report-chart")
        href = await page.get_by_test_id("report-export").get_attribute("href")
        assert href == f"/api/reports/satisfaction.xlsx?{NOVEMBER}&by=staff"

        await page.get_by_test_id("locale-switch").select_option("zh-CN")
        await page.goto("/#/reports/satisfaction?from=2026-10-01&to=2026-12-31&by=month")
        await expect(page.get_by_role("heading", name="满意度")).to_be_visible()
        await expect(rows).to_have_count(3)
        await expect(rows.nth(2).locator("[data-figure=satisfied_rate_change]")
                     ).to_have_text("+40%")
        await _charts_drawn(page, "report-chart")
        await _no_raw_keys(page)
        await tab.screenshot(shots / "report-satisfaction-zh.png")
        await page.goto(f"/#/reports/satisfaction?{NOVEMBER}")
        await expect(templates).to_have_count(3)
        await expect(templates.nth(0)).to_contain_text("（第 1 版）")
        await _charts_drawn(page, "report-chart")
        await _no_raw_keys(page)
        assert tab.errors == []

        agent = agent_tab.page
        await _log_in(agent, "li")
        await agent.goto(f"/#/reports/satisfaction?{NOVEMBER}")
        await expect(agent.get_by_test_id("reports-forbidden")).to_be_visible()
        assert agent_tab.errors == []
