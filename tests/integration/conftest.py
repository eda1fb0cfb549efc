"""Integration fixtures: the server on the loopback AMI peer (``fake_ami``, in
tests/conftest.py) with agent "li" (extension 1001) logged in to the console."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.console import AgentSession, ConsoleServer, running_server
from tests.integration.fake_ami import FakeAmi


@pytest.fixture
async def agent_server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0"}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        yield srv


@pytest.fixture
async def li(agent_server: ConsoleServer) -> AsyncIterator[AgentSession]:
    session = await agent_server.login("li")
    yield session
    await session.close()
