"""The supervisor's recordings page in headless Chromium: search, play, seek."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.console import AGENT_PASSWORD, ConsoleServer, running_server
from tests.integration.fake_ami import FakeAmi
from tests.integration.test_recordings import add_recorded_call, processed

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture
async def server(db_url: str, tmp_path: Path) -> AsyncIterator[ConsoleServer]:
    peer = FakeAmi()
    port = await peer.start()
    env = {"CALLCENTER_AMI_PORT": str(port), "CALLCENTER_AGI_PORT": "0",
           "CALLCENTER_RECORDINGS_TRANSCRIBER": "none"}
    try:
        async with running_server(db_url, env, recordings_dir=tmp_path / "rec") as srv:
            yield srv
    finally:
        await peer.close()


async def test_supervisor_searches_plays_and_seeks(server: ConsoleServer) -> None:
    agent = await server.add_agent("li", "1001")
    await server.add_agent("zhao", None, role="supervisor")
    root = server.settings.recordings_dir
    _, wanted = await add_recorded_call(server.pool, root, agent_id=agent, customer="欧阳娜娜",
                                        phone="+8613700001234", seconds=20,
                                        notes="客户投诉刹车异响")
    _, other = await add_recorded_call(server.pool, root, agent_id=agent, customer="李雷")
    await processed(server.pool, wanted)
    await processed(server.pool, other)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium",
                                           args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            ranges: list[str] = []
            page.on("request", lambda r: ranges.append(r.headers.get("range", ""))
                    if "/audio" in r.url else None)
            resp = await page.request.post(f"{server.base_url}/api/login",
                                           data={"username": "zhao",
                                                 "password": AGENT_PASSWORD})
            assert resp.ok
            await page.goto(f"{server.base_url}/recordings")
            await page.fill("input[name=q]", "刹车")
            await page.fill("input[name=phone]", "1234")
            await page.click("form#search button[type=submit]")
            rows = page.locator("#results tbody tr")
            await rows.first.wait_for()
            assert await rows.count() == 1
            assert "欧阳娜娜" in await rows.first.inner_text()
            await rows.first.click()
            # Predicates as functions: a string would be eval'd, which the CSP refuses.
            await page.wait_for_function(
                "() => document.querySelector('#audio').readyState >= 1")
            duration = await page.evaluate("document.querySelector('#audio').duration")
            assert abs(duration - 20) < 1
            await page.evaluate("document.querySelector('#audio').play()")
            await page.wait_for_function(
                "() => document.querySelector('#audio').currentTime > 0.2")
            # Click three quarters along the waveform: the player seeks there.
            box = await page.locator("#waveform").bounding_box()
            assert box is not None
            await page.mouse.click(box["x"] + box["width"] * 0.75,
                                   box["y"] + box["height"] / 2)
            await page.wait_for_function(
                "() => document.querySelector('#audio').currentTime > 14")
            assert "客户投诉刹车异响" in await page.inner_text("#details")
        finally:
            await browser.close()
    assert any(r.startswith("bytes=") for r in ranges), ranges
    plays = await server.pool.fetch(
        "SELECT a.action, u.username FROM audit_log a JOIN users u ON u.id = a.actor_id"
        " WHERE a.target_id = $1", str(wanted))
    assert ("recording.play", "zhao") in [(p["action"], p["username"]) for p in plays]
