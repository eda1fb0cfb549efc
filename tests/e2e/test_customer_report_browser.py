"""The customers report (#/reports/customers) and the hotline beside "calls and agents"
in headless Chromium under the server's Content-Security-Policy: the six scripted
customers of tests/integration/test_customer_report.py by region, visits and vehicle
age, the lost customers, their ECharts canvases drawn without a page error, in English
and in Chinese; an agent is told the reports are for supervisors. No Asterisk is needed
(the loopback AMI peer); screenshots go to the ``shots`` folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.console import ConsoleServer, center_server
from tests.e2e.browser import console_page
from tests.e2e.test_reports_browser import _charts_drawn, _log_in, _no_raw_keys
from tests.integration.fake_ami import FakeAmi
from tests.integration.test_customer_report import seed

DAY = "to=2026-11-30"


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    async with center_server(db_url, fake_ami.port) as srv:
        await seed(srv.pool)
        for when, event, data3 in [("2026-11-09 09:00:12+08", "CONNECT", ""),
                                   ("2026-11-10 11:00:40+08", "ABANDON", "40")]:
            await srv.pool.execute(
                "INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data3)"
                " VALUES ($1, 'c1', 'hotline', 'PJSIP/1001', $2, '12', $3)",
                datetime.fromisoformat(when), event, data3)
        yield srv


async def test_the_customers_report_and_the_hotline_in_both_languages(
        server: ConsoleServer, browser: Browser, shots: Path) -> None:
    async with console_page(browser, server.base_url, width=1400, height=1000) as tab, \
            console_page(browser, server.base_url) as agent_tab:
        page = tab.page
        await _log_in(page, "chen")
        await page.get_by_test_id("nav-reports").click()
        await page.get_by_test_id("report-link-customers").click()
        await expect(page.get_by_test_id("report-customers")).to_be_visible()
        await expect(page.get_by_test_id("report-to")).not_to_have_value("")
        await expect(page.get_by_test_id("report-from")).to_have_count(0)  # as of one day

        await page.goto(f"/#/reports/customers?{DAY}&by=region")
        rows = page.get_by_test_id("report-table-row")
        await expect(rows).to_have_count(4)
        await expect(rows.nth(0)).to_contain_text("广东")
        await expect(rows.nth(0).locator("[data-figure=count]")).to_have_text("2")
        await expect(rows.nth(0).locator("[data-figure=share]")).to_have_text("33.3%")
        await expect(rows.nth(3)).to_contain_text("Unknown region")
        total = page.get_by_test_id("report-table-total")
        await expect(total.locator("[data-figure=count]")).to_have_text("6")
        lost = page.get_by_test_id("report-lost-table-row")
        await expect(lost.locator("[data-figure=lost_customers]")).to_have_text("2")
        await expect(lost.locator("[data-figure=win_back_called]")).to_have_text("3")
        await expect(lost.locator("[data-figure=won_back]")).to_have_text("1")
        await _charts_drawn(page, "report-chart")
        await _no_raw_keys(page)
        href = await page.get_by_test_id("report-export").get_attribute("href")
        assert href == f"/api/reports/customers.xlsx?{DAY}&by=region&lost_months=12"
        await tab.screenshot(shots / "report-customers-en.png")

        await page.get_by_test_id("report-filter-by").select_option("visits")
        await page.get_by_test_id("report-filter-lost_months").select_option("3")
        await page.get_by_test_id("report-show").click()
        await expect(page).to_have_url(
            f"{server.base_url}/#/reports/customers?{DAY}&by=visits&lost_months=3")
        await expect(rows).to_have_count(4)
        await expect(rows.nth(3)).to_contain_text("4 visits or more")
        await expect(rows.nth(0).locator("[data-figure=count]")).to_have_text("3")
        await expect(lost.locator("[data-figure=lost_customers]")).to_have_text("3")
        await _charts_drawn(page, "report-chart")

        await page.goto("/#/reports/calls?from=2026-11-01&to=2026-11-30")
        hotline = page.get_by_test_id("report-hotline-table-total")
        await expect(hotline.locator("[data-figure=answered]")).to_have_text("1")
        await expect(hotline.locator("[data-figure=abandoned]")).to_have_text("1")
        await expect(page.get_by_test_id("report-hotline-table-row")).to_have_count(2)
        await _charts_drawn(page, "report-chart-hotline", "report-chart-hour")
        await _no_raw_keys(page)

        await page.get_by_test_id("locale-switch").select_option("zh-CN")
        await page.goto(f"/#/reports/customers?{DAY}&by=age")
        await expect(page.get_by_role("heading", name="客户分析")).to_be_visible()
        await expect(rows).to_have_count(5)
        await expect(rows.nth(0)).to_contain_text("不满1年")
        await expect(rows.nth(4)).to_contain_text("无交车日期")
        await expect(page.get_by_test_id("report-customers-whole")).to_contain_text("车辆共 7 辆")
        await _charts_drawn(page, "report-chart")
        await _no_raw_keys(page)
        await tab.screenshot(shots / "report-customers-zh.png")
        await page.goto("/#/reports/calls?from=2026-11-01&to=2026-11-30")
        await expect(page.get_by_role("heading", name="热线队列（Asterisk）")).to_be_visible()
        await _charts_drawn(page, "report-chart-hotline")
        assert tab.errors == []

        agent = agent_tab.page
        await _log_in(agent, "li")
        await agent.goto(f"/#/reports/customers?{DAY}")
        await expect(agent.get_by_test_id("reports-forbidden")).to_be_visible()
        assert agent_tab.errors == []
