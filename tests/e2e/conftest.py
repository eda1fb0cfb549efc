"""Fixtures for end-to-end tests against the real Asterisk sandbox.

The sandbox is built (first run: a few minutes) and started once per session; it is
left running afterwards (``scripts/asterisk-sandbox stop`` ends it).  If it cannot
start, the tests fail with the reason: they are never skipped.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import sandbox
from tests.harness.ami import AmiClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami"


@pytest.fixture(scope="session")
def sandbox_env() -> dict[str, str]:
    """The CALLCENTER_* environment of a running sandbox."""
    return sandbox.start()


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


def save_frames(name: str, client: AmiClient, since: int = 0) -> None:
    """With CALLCENTER_RECORD_AMI_FIXTURES=1, write the frames received (from index
    ``since``) to tests/fixtures/ami/<name>.txt exactly as Asterisk sent them."""
    if os.environ.get("CALLCENTER_RECORD_AMI_FIXTURES") != "1":
        return
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / f"{name}.txt").write_bytes(b"".join(f.raw for f in client.frames[since:]))
