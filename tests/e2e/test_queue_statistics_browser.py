"""The queue statistics page in Chromium, under the server's Content-Security-Policy: a
supervisor finds it in the navigation, sees a day's figures by agent (names, the callers
no agent answered, the total) and by hour, and the chart draws; an agent has no link
and is told the page is not theirs.

No Asterisk is needed: the queue_log rows are the ones Asterisk would have written, and
the server talks to the loopback AMI peer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, expect

from tests.console import AGENT_PASSWORD, ConsoleServer, center_server
from tests.e2e.browser import console_page
from tests.integration.fake_ami import FakeAmi

INSERT = ("INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data2,"
          " data3) VALUES ($1, $2, 'hotline', $3, $4, $5, $6, $7)")


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    async with center_server(db_url, fake_ami.port, "boss") as srv:
        at = datetime.now(srv.settings.tz).replace(hour=10, minute=0, second=0,
                                                   microsecond=0)
        await srv.pool.executemany(INSERT, [
            (at, "1.1", "PJSIP/1001", "CONNECT", "4", "1.2", "2"),
            (at + timedelta(seconds=40), "1.1", "PJSIP/1001", "COMPLETECALLER", "4", "40", "1"),
            (at, "2.1", "PJSIP/1001", "CONNECT", "30", "2.2", "2"),
            (at, "3.1", "NONE", "ABANDON", "1", "1", "25"),
            (at, "4.1", "NONE", "ABANDON", "1", "1", "2"),
        ])
        yield srv


async def _log_in(page: Page, username: str) -> None:
    await page.goto("/")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(AGENT_PASSWORD)
    await page.get_by_test_id("login-submit").click()


async def test_a_supervisor_reads_the_days_queue_figures(server: ConsoleServer,
                                                         browser: Browser) -> None:
    day = server.today.isoformat()
    async with console_page(browser, server.base_url) as tab:
        page = tab.page
        await page.add_init_script(
            "window.cspViolations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));")
        await _log_in(page, "boss")
        link = page.get_by_test_id("nav-queue-statistics")
        await expect(link).to_be_visible()
        await link.click()
        # today's figures by day first: the form holds the center's today
        await expect(page.get_by_test_id("queue-stats-thresholds")).to_be_visible()
        await expect(page.get_by_test_id("qs-from")).to_have_value(day)
        await page.get_by_test_id("qs-by").select_option("agent")
        await page.get_by_test_id("qs-show").click()
        await expect(page).to_have_url(f"{server.base_url}/#/queue-statistics?from={day}"
                                       f"&to={day}&by=agent")
        rows = page.get_by_test_id("queue-stats-row")
        await expect(rows).to_have_count(2)
        await expect(rows.nth(0)).to_contain_text("Li")
        total = page.get_by_test_id("queue-stats-total")
        await expect(total.get_by_test_id("qs-offered")).to_have_text("4")
        await expect(total.get_by_test_id("qs-answered")).to_have_text("2")
        await expect(total.get_by_test_id("qs-abandoned")).to_have_text("1")
        await expect(total.get_by_test_id("qs-short_abandoned")).to_have_text("1")
        # 1 of the 3 that count answered within 20 s
        await expect(total.get_by_test_id("qs-service_level")).to_have_text("33.3%")
        await expect(page.get_by_test_id("queue-stats-chart").locator("canvas")).to_have_count(1)
        await page.goto(f"/#/queue-statistics?from={day}&to={day}&by=hour")
        await expect(page.get_by_test_id("queue-stats-row")).to_have_count(1)
        await expect(page.get_by_test_id("queue-stats-row")).to_contain_text("10:00")
        assert await page.evaluate("window.cspViolations") == []
        assert tab.errors == []


async def test_an_agent_has_no_queue_statistics(server: ConsoleServer,
                                               browser: Browser) -> None:
    async with console_page(browser, server.base_url) as tab:
        page = tab.page
        await _log_in(page, "li")
        await expect(page.get_by_test_id("ws-status")).to_have_attribute("data-state", "open")
        await expect(page.get_by_test_id("nav-queue-statistics")).to_be_hidden()
        await page.goto("/#/queue-statistics")
        await expect(page.get_by_test_id("queue-stats-forbidden")).to_be_visible()
