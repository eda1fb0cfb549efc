"""Fixtures for end-to-end tests against the real Asterisk sandbox.

The sandbox is built (first run: a few minutes) and started once per session; it is
left running afterwards (``scripts/asterisk-sandbox stop`` ends it).  If it cannot
start, the tests fail with the reason: they are never skipped.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from callcenter.keys import AMI
from callcenter.telephony.ami import AmiActionFailed, AmiItem
from callcenter.telephony.ami import AmiClient as ServerAmiClient
from callcenter.telephony.keypad import Keypad
from tests.console import ConsoleServer, running_server
from tests.e2e.browser import chromium
from tests.harness import log_scan, sandbox
from tests.harness.ami import AmiClient


@pytest.fixture(scope="package", autouse=True)
def logs_hold_no_secrets() -> Iterator[None]:
    """After the last end-to-end test, no log they produced holds the AMI secret, the
    SIP password or a user's password (tests/harness/log_scan.py)."""
    scan = log_scan.begin()
    try:
        yield
        hits = scan.hits()
    finally:
        log_scan.end(scan)
    if hits:
        raise AssertionError(f"secrets in the logs (all kept in {scan.folder}):\n"
                             + "\n".join(hits[:20]))
    scan.remove()


@pytest.fixture(scope="session")
def sandbox_env() -> Iterator[dict[str, str]]:
    """The CALLCENTER_* environment of a running sandbox, held by this session only
    (a concurrent test session waits: they would share phones and the queue)."""
    with sandbox.exclusive():
        yield sandbox.start()


@pytest.fixture
async def ami(sandbox_env: dict[str, str]) -> AsyncIterator[AmiClient]:
    """A logged-in raw AMI connection that records every frame it receives."""
    client = AmiClient()
    await client.connect(
        sandbox_env["CALLCENTER_AMI_HOST"],
        int(sandbox_env["CALLCENTER_AMI_PORT"]),
        sandbox_env["CALLCENTER_AMI_USERNAME"],
        sandbox_env["CALLCENTER_AMI_SECRET"],
    )
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def keypad(sandbox_env: dict[str, str]) -> AsyncIterator[Keypad]:
    """The hotline's key buffers, fed by the server's own AMI client, logged in."""
    async def ignore(_item: AmiItem) -> None:
        pass

    keys = Keypad()
    client = ServerAmiClient(
        sandbox_env["CALLCENTER_AMI_HOST"], int(sandbox_env["CALLCENTER_AMI_PORT"]),
        sandbox_env["CALLCENTER_AMI_USERNAME"], sandbox_env["CALLCENTER_AMI_SECRET"],
        ignore, events=frozenset(), tap=keys)
    client.start()
    try:
        await client.wait_connected(10)
        yield keys
    finally:
        await client.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the session's browser tests (tests/e2e/browser.py)."""
    async with chromium() as b:
        yield b


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test's screenshots go: CALLCENTER_SCREENSHOTS, or its temporary folder."""
    folder = os.environ.get("CALLCENTER_SCREENSHOTS")
    return Path(folder) if folder else tmp_path


@pytest.fixture
async def board_server(db_url: str,
                       sandbox_env: dict[str, str]) -> AsyncIterator[ConsoleServer]:
    """The server with agent "li" (extension 1001) and supervisor "boss" (no phone),
    nothing up on Asterisk; li out of the queue afterwards. Asterisk writes queue_log
    into the sandbox's own database, not the test's: the server imports the lines of
    its file every second instead (and tells the board)."""
    env = {**sandbox_env, "CALLCENTER_QUEUE_LOG_IMPORT_SECONDS": "1"}
    async with running_server(db_url, env) as server:
        await server.quiet_asterisk()
        await server.add_agent("li", "1001")
        await server.add_agent("boss", None, role="supervisor")
        try:
            yield server
        finally:
            with contextlib.suppress(AmiActionFailed):
                await server.app[AMI].send({"Action": "QueueRemove", "Queue": "hotline",
                                            "Interface": "PJSIP/1001"})
