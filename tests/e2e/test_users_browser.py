"""The users screen and the forced password change in Chromium, under the server's
Content-Security-Policy (a page that broke it would log the refusal as an error).

No Asterisk is needed: the server talks to the loopback AMI peer. An admin adds a user,
resets an agent's password and disables them while the agent's console is open; the
agent's console drops back to the login form by itself, and after the reset the agent
must choose a new password before the console opens.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.console import AGENT_PASSWORD, ConsoleServer, running_server
from tests.e2e.browser import ConsolePage, console_page
from tests.harness import log_scan
from tests.integration.fake_ami import FakeAmi

TEMPORARY = "temporary-pass-1"
NEW_PASSWORD = "my-own-new-pass"


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    log_scan.secret(TEMPORARY)
    log_scan.secret(NEW_PASSWORD)
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        await srv.add_agent("boss", None, role="admin")
        yield srv


async def _log_in(page: Page, username: str, password: str) -> None:
    await page.goto("/")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(password)
    await page.get_by_test_id("login-submit").click()


def _row(page: Page, username: str):
    return page.locator(f"[data-testid=user-row][data-username={username}]")


async def test_an_admin_manages_users_and_a_disabled_console_logs_out(
        server: ConsoleServer, browser: Browser) -> None:
    async with console_page(browser, server.base_url) as boss, \
            console_page(browser, server.base_url) as li:
        await _watch_csp(boss)
        await _watch_csp(li)
        await _log_in(li.page, "li", AGENT_PASSWORD)
        await expect(li.page.get_by_test_id("ws-status")).to_have_attribute("data-state",
                                                                            "open")
        await expect(li.page.get_by_test_id("nav-users")).to_be_hidden()

        page = boss.page
        await _log_in(page, "boss", AGENT_PASSWORD)
        await page.get_by_test_id("nav-users").click()
        await expect(_row(page, "li")).to_be_visible()
        await expect(_row(page, "li").get_by_test_id("user-sessions")).to_have_text("1")

        await page.get_by_test_id("new-user-username").fill("wang")
        await page.get_by_test_id("new-user-extension").fill("1002")
        await page.get_by_test_id("new-user-password").fill(AGENT_PASSWORD)
        await page.get_by_test_id("new-user-submit").click()
        await expect(page.get_by_test_id("users-notice")).to_contain_text("wang")
        await expect(_row(page, "wang")).to_be_visible()

        await _row(page, "li").get_by_test_id("user-disable").click()
        await expect(_row(page, "li").get_by_test_id("user-state")).to_have_text("Disabled")
        # li's console learns it at once from its closed WebSocket
        await expect(li.page.get_by_test_id("login-form")).to_be_visible(timeout=5_000)
        await expect(li.page.get_by_test_id("login-error")).to_have_attribute(
            "data-error-id", "unauthorized")

        await _row(page, "li").get_by_test_id("user-enable").click()
        await expect(_row(page, "li").get_by_test_id("user-state")).to_have_text("Active")
        await _row(page, "li").get_by_test_id("user-reset").click()
        await page.get_by_test_id("user-temp-password").fill(TEMPORARY)
        await page.get_by_test_id("user-reset-submit").click()
        await expect(_row(page, "li").get_by_test_id("user-state")).to_contain_text(
            "Must change password")

        # the temporary password opens only the password form
        await _log_in(li.page, "li", TEMPORARY)
        await expect(li.page.get_by_test_id("password-forced")).to_be_visible()
        await li.page.get_by_test_id("password-current").fill(TEMPORARY)
        await li.page.get_by_test_id("password-new").fill(NEW_PASSWORD)
        await li.page.get_by_test_id("password-again").fill(NEW_PASSWORD)
        await li.page.get_by_test_id("password-submit").click()
        await expect(li.page.get_by_test_id("whoami")).to_be_visible()
        await expect(li.page.get_by_test_id("ws-status")).to_have_attribute("data-state",
                                                                            "open")
        assert boss.errors == [] and li.errors == []
        for tab in (boss, li):
            assert await tab.page.evaluate("window.cspViolations") == []
            # the stylesheet applied (a refused one leaves no script error)
            assert await tab.page.evaluate(
                "getComputedStyle(document.querySelector('.topbar')).display") == "flex"


async def _watch_csp(tab: ConsolePage) -> None:
    await tab.page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));")
