"""Integration fixtures: a loopback AMI peer standing in for Asterisk (fault injection;
the real Asterisk is in tests/e2e)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.fake_ami import FakeAmi


@pytest.fixture
async def fake_ami() -> AsyncIterator[FakeAmi]:
    peer = FakeAmi()
    await peer.start()
    yield peer
    await peer.close()
