"""The complaint pages in Chromium, under the server's Content-Security-Policy: the lists
with their counts and a search, the complaint page with its timeline (each step with its
user), steps taken through the page (one refused, shown as the error's text), the live
notice of an overdue step, the printable sheet, and the supervisors' statistics with
their tables and charts (ECharts, served from web/vendor/).

No Asterisk is needed: the server talks to the loopback AMI peer (the call from the
complaint page is in tests/e2e/test_complaints.py, with the real Asterisk). Screenshots
in both languages go to CALLCENTER_SCREENSHOTS when it is set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from callcenter.db.complaints import ComplaintStore
from callcenter.keys import HUB
from callcenter.services import complaints as complaint_service
from tests.console import AGENT_PASSWORD, ConsoleServer, center_server
from tests.e2e.browser import ConsolePage, console_page
from tests.integration.fake_ami import FakeAmi


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    async with center_server(db_url, fake_ami.port) as srv:
        await srv.pool.execute("UPDATE users SET locale = 'zh-CN' WHERE username = 'li'")
        yield srv


async def _complaint(server: ConsoleServer, *, name: str, phone: str, severity: str,
                     opened: datetime, status: str = "open", from_followup: bool = False
                     ) -> int:
    """A complaint of a new customer (with a vehicle and a follow-up) opened at
    ``opened``, with its 'opened' entry on the timeline."""
    seeded = await server.seed_followup(name=name, phone=phone, status="cancelled")
    return await server.pool.fetchval(
        "WITH c AS (INSERT INTO complaints (customer_id, followup_task_id, source, severity,"
        " category, description, status, opened_at) VALUES ($1, $2, $3, $4,"
        " 'repair_quality', $5, $6, $7) RETURNING id)"
        " INSERT INTO complaint_events (complaint_id, kind, note, at)"
        " SELECT id, 'opened', $5, $7 FROM c RETURNING complaint_id",
        seeded.customer_id, seeded.followup_id if from_followup else None,
        "followup" if from_followup else "hotline", severity,
        f"{name}：保养后发动机异响，要求返修", status, opened)


async def _log_in(page: Page, username: str) -> None:
    await page.goto("/")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(AGENT_PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("ws-status")).to_have_attribute("data-state", "open")


async def _watch_csp(tab: ConsolePage) -> None:
    await tab.page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));")


async def _step(page: Page, action: str, **fields: str) -> None:
    await page.get_by_test_id(f"step-action-{action}").check()
    for name, value in fields.items():
        field = page.get_by_test_id(f"step-{name}")
        if name in ("owner", "department"):
            await field.select_option(value)
        else:
            await field.fill(value)
    await page.get_by_test_id("step-submit").click()
    await expect(page.get_by_test_id("step-done")).to_be_visible()


async def _timeline(page: Page) -> list[tuple[str, str]]:
    entries = page.get_by_test_id("timeline-entry")
    return [(await e.get_attribute("data-kind") or "",
             await e.get_by_test_id("timeline-actor").inner_text())
            for e in await entries.all()]


async def test_complaints_lists_page_steps_sheet_and_statistics(
        server: ConsoleServer, browser: Browser, shots: Path) -> None:
    li_id = await server.pool.fetchval("SELECT id FROM users WHERE username = 'li'")
    now = datetime.now(UTC)
    await _complaint(server, name="张伟", phone="+8613800138001", severity="major",
                     opened=now - timedelta(minutes=10), from_followup=True)
    late = await _complaint(server, name="李雷", phone="+8613900001234", severity="normal",
                            opened=now - timedelta(hours=3))
    # the middle of last month in the center's zone: the month before, on the statistics
    last_month = (server.today.replace(day=1) - timedelta(days=1)).replace(day=15)
    await _complaint(server, name="王芳", phone="+8613700005678", severity="normal",
                     opened=datetime.combine(last_month, time(12), server.settings.tz),
                     status="closed")

    async with console_page(browser, server.base_url, width=1400, height=1000) as chen_tab, \
            console_page(browser, server.base_url, width=1400, height=1000) as li_tab:
        await _watch_csp(chen_tab)
        await _watch_csp(li_tab)
        chen, li = chen_tab.page, li_tab.page
        await _log_in(chen, "chen")
        await expect(chen.get_by_test_id("nav-statistics")).to_be_visible()

        # -- the lists: counts on the tabs, the clock of each row, a search --------------
        await chen.get_by_test_id("nav-complaints").click()
        await expect(chen.get_by_test_id("ccount-open")).to_have_text("2")
        await expect(chen.get_by_test_id("ccount-overdue")).to_have_text("1")
        await expect(chen.get_by_test_id("ccount-mine")).to_have_text("0")
        rows = chen.get_by_test_id("complaint-row")
        await expect(rows).to_have_count(2)
        late_row = chen.locator(f"[data-testid=complaint-row][data-complaint-id='{late}']")
        await expect(late_row.get_by_test_id("complaint-clock")).to_have_attribute(
            "data-state", "overdue")
        await expect(late_row.get_by_test_id("complaint-owner")).to_have_text("Unassigned")
        await chen.get_by_test_id("ctab-all").click()
        await expect(rows).to_have_count(3)
        await chen.get_by_test_id("complaint-search").fill("1234")  # a phone's last digits
        await chen.get_by_test_id("complaint-search-submit").click()
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("李雷")
        assert "q=1234" in chen.url and "/complaints/all" in chen.url
        await chen.get_by_test_id("complaint-search").fill("张")  # a name's beginning
        await chen.get_by_test_id("cfilter-severity").select_option("major")
        await chen.get_by_test_id("complaint-search-submit").click()
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("张伟")
        await chen.screenshot(path=str(shots / "complaints-list-en.png"), full_page=True)

        # -- the live notice of an overdue step (the sweep, run now) ---------------------
        escalated = await complaint_service.escalate_overdue(
            ComplaintStore(server.pool), server.app[HUB].publish,
            complaint_service.policy_of(server.settings.tz, server.settings.hours,
                                        server.settings.complaint_clock),
            datetime.now(UTC), [])
        assert escalated == 1
        notice = chen.get_by_test_id("overdue-notice")
        await expect(notice).to_have_attribute("data-complaint-id", str(late))
        await expect(notice).to_contain_text("李雷")
        await expect(notice).to_contain_text("Contact within 2 h")
        await chen.get_by_test_id("overdue-open").click()
        await expect(chen.get_by_test_id("complaint-customer-name")).to_have_text("李雷")
        await expect(chen.get_by_test_id("overdue-notice")).to_have_count(0)
        await chen.go_back()

        # -- the supervisor assigns the major complaint to li ----------------------------
        await rows.first.get_by_test_id("complaint-link").click()
        await expect(chen.get_by_test_id("complaint-status")).to_have_attribute(
            "data-status", "open")
        await expect(chen.get_by_test_id("complaint-phone")).to_have_text("138 0013 8001")
        await expect(chen.get_by_test_id("complaint-vehicle")).to_contain_text("Model Y")
        await expect(chen.get_by_test_id("complaint-deadlines").get_by_test_id(
            "deadline-row")).to_have_count(3)  # contact, reply, management reply (major)
        await _step(chen, "assign", owner=str(li_id), department="service")
        await expect(chen.get_by_test_id("complaint-owner")).to_have_text("Li")

        # -- the owner's page: one step refused (the page was out of date), then the rest
        await _log_in(li, "li")
        await li.get_by_test_id("nav-complaints").click()
        await expect(li.get_by_test_id("ccount-mine")).to_have_text("1")
        await li.get_by_test_id("ctab-mine").click()
        await li.get_by_test_id("complaint-link").click()
        await expect(li.get_by_test_id("step-action-first_contact")).to_be_checked()
        await li.get_by_test_id("step-note").fill("电话联系客户，已安抚")
        await _step(chen, "first_contact", note="主管已先致电客户")  # meanwhile
        await li.get_by_test_id("step-submit").click()
        refused = li.get_by_test_id("step-error")
        await expect(refused).to_have_attribute("data-error-id", "step_out_of_order")
        await expect(refused).to_contain_text("请按顺序处理")
        await expect(li.get_by_test_id("complaint-status")).to_have_attribute(
            "data-status", "contacted")
        await li.screenshot(path=str(shots / "complaint-refused-zh.png"), full_page=True)
        await _step(li, "reply", note="已向客户说明，安排周六返厂检查")
        await expect(li.get_by_test_id("resolve-waits")).to_be_visible()
        await expect(li.get_by_test_id("step-action-resolve")).to_be_disabled()

        await chen.reload()
        await _step(chen, "management_reply", note="服务经理致电客户并致歉")
        await li.reload()
        await _step(li, "resolve", resolution="免费更换发动机支架", compensation="赠送一次保养")
        await expect(li.get_by_test_id("complaint-status")).to_have_attribute(
            "data-status", "resolved")
        await expect(li.get_by_test_id("check-call-link")).to_be_visible()
        assert await _timeline(li) == [
            ("opened", "系统"), ("assign", "Chen"), ("first_contact", "Chen"),
            ("reply", "Li"), ("management_reply", "Chen"), ("resolve", "Li")]
        resolve = li.locator("[data-testid=timeline-entry][data-kind=resolve]")
        await expect(resolve).to_contain_text("免费更换发动机支架")
        await expect(resolve).to_contain_text("赠送一次保养")
        await li.screenshot(path=str(shots / "complaint-zh.png"), full_page=True)
        await li.get_by_test_id("locale-switch").select_option("en")
        await expect(li.get_by_test_id("complaint-status")).to_have_text("Resolved")
        await li.screenshot(path=str(shots / "complaint-en.png"), full_page=True)

        # -- the uniform sheet ----------------------------------------------------------
        await li.get_by_test_id("open-sheet").click()
        sheet = li.get_by_test_id("complaint-sheet")
        await expect(sheet).to_be_visible()
        await expect(li.get_by_test_id("sheet-vehicle")).to_contain_text("Model Y")
        await expect(li.get_by_test_id("sheet-phone")).to_have_text("138 0013 8001")
        actors = await li.get_by_test_id("sheet-step-actor").all_inner_texts()
        assert actors == ["System", "Chen", "Chen", "Li", "Chen", "Li"]
        await expect(li.get_by_test_id("sheet-resolution")).to_have_text("免费更换发动机支架")
        await expect(li.get_by_test_id("sheet-print")).to_be_visible()
        await li.emulate_media(media="print")
        assert await li.evaluate(
            "getComputedStyle(document.querySelector('.topbar')).display") == "none"
        assert await li.get_by_test_id("sheet-print").is_hidden()
        await li.screenshot(path=str(shots / "complaint-sheet-print-en.png"), full_page=True)
        await li.emulate_media(media="screen")
        await li.get_by_test_id("locale-switch").select_option("zh-CN")
        await li.screenshot(path=str(shots / "complaint-sheet-zh.png"), full_page=True)
        await li.goto("/#/complaint-statistics")
        await expect(li.get_by_test_id("stats-forbidden")).to_be_visible()

        # -- the statistics: tables and charts, week and month ------------------------
        await chen.get_by_test_id("nav-statistics").click()
        month = await (await chen.request.get("/api/complaints/statistics?period=month")).json()
        current, before = month["current"]["total"], month["previous"]["total"]
        assert current + before == 3 and before >= 1
        await expect(chen.get_by_test_id("stats-summary").get_by_role(
            "row", name=f"Complaints {current} {before} ")).to_be_visible()
        await expect(chen.get_by_test_id("stats-on-time")).to_be_visible()
        await expect(chen.get_by_test_id("stats-hours")).to_be_visible()
        severity = chen.get_by_test_id("stats-by-severity-table")
        await expect(severity).to_contain_text("Major")
        await expect(chen.get_by_test_id("chart-counts").locator("canvas")).to_have_count(1)
        await expect(chen.get_by_test_id("chart-on-time").locator("canvas")).to_have_count(1)
        label = await chen.get_by_test_id("stats-label").inner_text()
        export = await chen.get_by_test_id("stats-export").get_attribute("href")
        assert export is not None and export.startswith(
            "/api/complaints/statistics.xlsx?period=month&day=")
        workbook = await chen.request.get(export)
        assert workbook.ok and workbook.headers["content-type"].startswith(
            "application/vnd.openxmlformats")
        await chen.get_by_test_id("chart-counts-by").select_option("category")
        await chen.screenshot(path=str(shots / "complaint-statistics-en.png"), full_page=True)
        await chen.get_by_test_id("stats-period-week").click()
        await expect(chen.get_by_test_id("stats-label")).to_contain_text("-W")
        await chen.get_by_test_id("stats-previous").click()
        await expect(chen.get_by_test_id("stats-label")).not_to_contain_text(label)
        await expect(chen.get_by_test_id("stats-summary")).to_be_visible()
        await chen.get_by_test_id("locale-switch").select_option("zh-CN")
        await expect(chen.get_by_test_id("stats-period-week")).to_have_text("按周")
        await chen.screenshot(path=str(shots / "complaint-statistics-zh.png"), full_page=True)

        for tab in (chen_tab, li_tab):
            assert tab.errors == []
            assert await tab.page.evaluate("window.cspViolations") == []
