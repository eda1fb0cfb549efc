"""An Originate that Asterisk refuses, or never answers, ends the call on the console.

Fault injection: a loopback AMI peer stands in for Asterisk (the real one neither
refuses nor stalls on demand). The console in Chromium must show the error, leave the
call ended (not "ringing your phone" forever) and offer the Call button again; the
task is untouched (the customer was never dialed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from tests.console import ConsoleServer, running_server
from tests.e2e.browser import console_page
from tests.e2e.test_console_browser import call_state, log_in
from tests.integration.fake_ami import FakeAmi


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0",
           "CALLCENTER_AMI_ACTION_TIMEOUT": "2"}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        yield srv


@pytest.mark.parametrize(("fault", "error_id"), [
    ("refuse", "ami_action_failed"), ("swallow", "ami_action_failed")])
async def test_an_originate_that_fails_ends_the_call_on_the_console(
        server: ConsoleServer, fake_ami: FakeAmi, browser: Browser, fault: str,
        error_id: str) -> None:
    getattr(fake_ami, fault).add("Originate")
    seeded = await server.seed_followup()
    async with console_page(browser, server.base_url) as tab:
        page = tab.page
        await log_in(page)
        await page.goto(f"/#/task/{seeded.followup_id}")
        button = page.locator(f"[data-testid=call-button][data-phone='{seeded.phone}']")
        await button.click()
        await expect(call_state(page)).to_have_attribute("data-state", "ended",
                                                         timeout=10_000)
        error = page.get_by_test_id("call-error")
        await expect(error).to_be_visible()
        await expect(error).to_have_attribute("data-error-id", error_id)
        await expect(button).to_be_enabled()
    row = await server.pool.fetchrow("SELECT disposition, ended_at FROM calls")
    assert row["disposition"] == "failed" and row["ended_at"] is not None
    task = await server.pool.fetchrow("SELECT status, attempts FROM followup_tasks")
    assert (task["status"], task["attempts"]) == ("open", 0)
    assert await server.pool.fetchval("SELECT count(*) FROM followup_attempts") == 0
