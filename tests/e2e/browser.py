"""Debian's Chromium driven by Playwright (async API), for tests of the web console.

Playwright's own browser download is never used: the tests run the system's
``/usr/bin/chromium`` (Debian package ``chromium``), headless and with nothing that
reaches out to the network by itself.  Every page records its JavaScript errors and
failed requests, so a test can assert the console ran clean.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, ConsoleMessage, Page, Request, async_playwright

CHROMIUM = os.environ.get("CALLCENTER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class ConsolePage:
    """A browser tab on the console, with what went wrong in it."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def watch(self) -> None:
        def on_console(message: ConsoleMessage) -> None:
            # An HTTP error answer is logged by Chromium as "Failed to load resource"; the
            # console shows those itself, so only script errors count here.
            if message.type == "error" and not message.text.startswith("Failed to load"):
                self.errors.append(f"console: {message.text}")

        def on_failed(request: Request) -> None:
            # An <audio preload=none> or a page being left may abort a request: not a fault.
            failure = request.failure or ""
            if "ERR_ABORTED" not in failure:
                self.errors.append(f"request failed: {request.method} {request.url} {failure}")

        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("console", on_console)
        self.page.on("requestfailed", on_failed)

    async def screenshot(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(path), full_page=True)
        return path


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """The system Chromium, headless; fails with a clear message when it is not installed."""
    if shutil.which(CHROMIUM) is None:
        raise RuntimeError(f"{CHROMIUM} not found: install Debian's chromium package "
                           "(apt-get install chromium)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@contextlib.asynccontextmanager
async def console_page(browser: Browser, base_url: str, *, locale: str = "en-US",
                       width: int = 1280, height: int = 900) -> AsyncIterator[ConsolePage]:
    """A fresh browser context (its own cookies) with one page on ``base_url``."""
    context = await browser.new_context(base_url=base_url, locale=locale,
                                        viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    try:
        tab = ConsolePage(await context.new_page())
        tab.watch()
        yield tab
    finally:
        await context.close()
