"""The recordings view of the console (#/recordings) in headless Chromium, under the
server's Content-Security-Policy: a supervisor opens it from the navigation, chooses an
agent by name, searches, goes back to the search before, plays a recording (HTTP Range,
audited), seeks on the waveform, and switches language while it plays; both languages
show no raw string key, and Chinese no English. An agent has no such entry.

No Asterisk is needed: the recordings are generated WAVs linked as call tracking links
them (tests/integration/test_recordings.py), and the server talks to the loopback AMI
peer. Screenshots in both languages go to the ``shots`` folder.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.console import AGENT_PASSWORD, ConsoleServer, running_server
from tests.e2e.browser import console_page
from tests.integration.fake_ami import FakeAmi
from tests.integration.test_recordings import add_recorded_call, processed

# A string key shown instead of its text ("recordings.filter.q", "direction.inbound").
RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z_]+(?:\.[a-z_]+)*\b")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Every text of the view a person may see or hear: its text and the navigation's, each
# option of each select (a closed select shows one), placeholders and accessible names.
VISIBLE_TEXTS = """() => {
  const view = document.querySelector("[data-testid=recordings-view]");
  const texts = [view.innerText, document.querySelector(".topbar-nav").innerText];
  for (const option of view.querySelectorAll("option")) texts.push(option.textContent);
  for (const el of view.querySelectorAll("[placeholder], [aria-label]")) {
    texts.push(el.getAttribute("placeholder") ?? "", el.getAttribute("aria-label") ?? "");
  }
  return texts.join("\\n");
}"""


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi, tmp_path: Path) -> AsyncIterator[ConsoleServer]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0",
           "CALLCENTER_RECORDINGS_TRANSCRIBER": "none"}
    async with running_server(db_url, env, recordings_dir=tmp_path / "rec") as srv:
        yield srv


async def _log_in(page: Page, username: str) -> None:
    await page.goto("/")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(AGENT_PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("ws-status")).to_have_attribute("data-state", "open")


async def _texts_are_translated(page: Page, *, chinese: bool) -> None:
    texts = await page.evaluate(VISIBLE_TEXTS)
    assert RAW_KEY.findall(texts) == [], texts
    if chinese:  # the data here is Chinese too: any Latin word is an untranslated string
        assert LATIN_WORD.findall(texts) == [], texts


async def test_supervisor_chooses_an_agent_by_name_goes_back_and_plays(
        server: ConsoleServer, browser: Browser, shots: Path) -> None:
    li = await server.add_agent("li", "1001")
    wang = await server.add_agent("wang", "1002")
    await server.add_agent("zhao", None, role="supervisor")
    await server.pool.execute(
        "UPDATE users SET display_name = CASE username WHEN 'li' THEN '李娜' ELSE '王强' END"
        " WHERE id = ANY($1)", [li, wang])
    await server.pool.execute("UPDATE users SET locale = 'zh-CN' WHERE username = 'zhao'")
    root = server.settings.recordings_dir
    _, wanted = await add_recorded_call(server.pool, root, agent_id=li, customer="欧阳娜娜",
                                        phone="+8613700001234", seconds=20,
                                        notes="客户投诉刹车异响")
    _, other = await add_recorded_call(server.pool, root, agent_id=li, customer="李雷")
    _, wangs = await add_recorded_call(server.pool, root, agent_id=wang, customer="张伟",
                                       phone="+8613900001234")
    for recording in (wanted, other, wangs):
        await processed(server.pool, recording)

    async with console_page(browser, server.base_url, width=1400, height=1000) as tab:
        page = tab.page
        ranges: list[str] = []
        page.on("request", lambda r: ranges.append(r.headers.get("range", ""))
                if "/audio" in r.url else None)
        # A server that stopped counting at its bound says so: make it say so on demand.
        bounded = {"on": False}

        async def bound(route: Route) -> None:
            response = await route.fetch()
            body = await response.json()
            if bounded["on"]:
                body["total_is_lower_bound"] = True
            await route.fulfill(response=response, json=body)

        await page.route(re.compile(r"/api/recordings\?"), bound)
        await _log_in(page, "zhao")
        await page.get_by_test_id("nav-recordings").click()
        rows = page.get_by_test_id("recording-row")
        await expect(rows).to_have_count(3)
        await expect(page.get_by_test_id("recordings-total")).to_have_text("共 3 条")
        await _texts_are_translated(page, chinese=True)

        # -- an agent by name, then words and digits; back returns to the first search --
        agent = page.get_by_test_id("rfilter-agent_id")
        await agent.select_option(label="李娜（分机 1001）")
        await page.get_by_test_id("recording-search").click()
        await expect(rows).to_have_count(2)
        assert f"agent_id={li}" in page.url
        await page.get_by_test_id("rfilter-q").fill("刹车")
        await page.get_by_test_id("rfilter-phone").fill("1234")
        await page.get_by_test_id("recording-search").click()
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("欧阳娜娜")
        await expect(rows.first.get_by_test_id("recording-phone")).to_have_text("137 0000 1234")
        await page.go_back()
        await expect(rows).to_have_count(2)
        await expect(agent).to_have_value(str(li))
        await expect(page.get_by_test_id("rfilter-q")).to_have_value("")
        bounded["on"] = True
        await page.go_forward()
        await expect(rows).to_have_count(1)
        await expect(page.get_by_test_id("rfilter-q")).to_have_value("刹车")
        await expect(page.get_by_test_id("recordings-total")).to_have_text("多于 1 条")

        # -- play, seek on the waveform, change language while it plays ----------------
        await rows.first.click()
        audio = page.get_by_test_id("recording-audio")
        await expect(page.get_by_test_id("recording-details")).to_contain_text("客户投诉刹车异响")
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=recording-audio]').readyState >= 1")
        assert abs(await audio.evaluate("a => a.duration") - 20) < 1
        await audio.evaluate("a => a.play()")  # the click above was the user's gesture
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=recording-audio]').currentTime > 0.2")
        box = await page.get_by_test_id("recording-waveform").bounding_box()
        assert box is not None
        await page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=recording-audio]').currentTime > 14")
        await _texts_are_translated(page, chinese=True)
        await page.screenshot(path=str(shots / "recordings-zh.png"), full_page=True)

        await page.get_by_test_id("locale-switch").select_option("en")
        await expect(page.get_by_test_id("recordings-total")).to_have_text(
            "More than 1 recordings")
        await expect(page.get_by_test_id("recording-details")).to_contain_text("Customer")
        assert await audio.evaluate("a => !a.paused && a.currentTime > 14")  # still playing
        await _texts_are_translated(page, chinese=False)
        await page.screenshot(path=str(shots / "recordings-en.png"), full_page=True)
        assert tab.errors == []

    assert any(r.startswith("bytes=") for r in ranges), ranges
    plays = await server.pool.fetch(
        "SELECT a.action, u.username FROM audit_log a JOIN users u ON u.id = a.actor_id"
        " WHERE a.target_id = $1", str(wanted))
    assert ("recording.play", "zhao") in [(p["action"], p["username"]) for p in plays]


async def test_an_agent_has_no_recordings_entry_and_may_not_list_agents(
        server: ConsoleServer, browser: Browser) -> None:
    li = await server.add_agent("li", "1001")
    wang = await server.add_agent("wang", "1002")
    root = server.settings.recordings_dir
    _, own = await add_recorded_call(server.pool, root, agent_id=li, customer="欧阳娜娜")
    await add_recorded_call(server.pool, root, agent_id=wang, customer="张伟")

    async with console_page(browser, server.base_url) as tab:
        page = tab.page
        await _log_in(page, "li")
        await expect(page.get_by_test_id("nav-complaints")).to_be_visible()
        await expect(page.get_by_test_id("nav-recordings")).to_be_hidden()
        assert (await page.request.get("/api/agents")).status == 403
        # The address still works for an agent: their own calls, and no agent to choose.
        await page.goto("/#/recordings")
        await expect(page.get_by_test_id("recordings-own-only")).to_be_visible()
        rows = page.get_by_test_id("recording-row")
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_have_attribute("data-recording-id", str(own))
        await expect(page.get_by_test_id("rfilter-agent_id")).to_have_count(0)
        await _texts_are_translated(page, chinese=False)
        assert tab.errors == []
