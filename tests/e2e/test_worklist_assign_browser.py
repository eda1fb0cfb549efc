"""A supervisor shares out tasks from the worklist in Chromium: checkboxes, the agents
with their load, round-robin over two agents (the AMI is the loopback fake: no call is
placed here)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, expect

from tests.console import ConsoleServer, running_server
from tests.e2e.browser import console_page
from tests.e2e.test_console_browser import log_in
from tests.integration.fake_ami import FakeAmi


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        await srv.add_agent("wang", "1002")
        await srv.add_agent("zhao", None, role="supervisor")
        yield srv


async def test_a_supervisor_assigns_a_selection_round_robin(server: ConsoleServer,
                                                            browser: Browser) -> None:
    tasks = [(await server.seed_followup(phone=f"+861380013820{n}")).followup_id
             for n in range(3)]
    ids = {name: await server.pool.fetchval("SELECT id FROM users WHERE username = $1",
                                            name) for name in ("li", "wang")}
    async with console_page(browser, server.base_url) as tab:
        page = tab.page
        await log_in(page, "zhao")
        await page.goto("/#/work/today")
        bar = page.get_by_test_id("assign-bar")
        await expect(bar.get_by_test_id("load-row")).to_have_count(2)
        await expect(bar.get_by_test_id("unassigned-count")).to_contain_text("3")
        for task in tasks[:2]:
            await page.locator(f"[data-testid=task-row][data-task-id='{task}']"
                               " [data-testid=task-select]").check()
        for agent in ("li", "wang"):
            await bar.locator(f"[data-testid=load-row][data-agent-id='{ids[agent]}']"
                              " [data-testid=agent-select]").check()
        await bar.get_by_test_id("assign").click()
        await expect(bar.get_by_test_id("assign-done")).to_contain_text("2")
        for agent in ("li", "wang"):
            row = bar.locator(f"[data-testid=load-row][data-agent-id='{ids[agent]}']")
            await expect(row.get_by_test_id("load-open")).to_have_text("1")
        await expect(bar.get_by_test_id("unassigned-count")).to_contain_text("1")
        assert tab.errors == []
    assigned = {r["id"]: r["assigned_to"] for r in await server.pool.fetch(
        "SELECT id, assigned_to FROM followup_tasks")}
    assert assigned == {tasks[0]: ids["li"], tasks[1]: ids["wang"], tasks[2]: None}
