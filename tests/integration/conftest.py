"""Integration fixtures: the server on the loopback AMI peer (``fake_ami``, in
tests/conftest.py) with agent "li" (extension 1001) logged in to the console; a
connection as Asterisk's insert-only queue_log role (``as_asterisk``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from callcenter.db.queue_statistics import QueueLogStore
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


@pytest.fixture
async def as_asterisk(pool: asyncpg.Pool, db_url: str) -> AsyncIterator[asyncpg.Connection]:
    """Connected as res_config_pgsql connects: a role that may insert queue_log lines and
    nothing else (the role is dropped afterwards)."""
    role, password = f"asterisk_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await QueueLogStore(pool).grant_writer(role, password)
    head, _, query = db_url.partition("?")
    scheme, _, rest = head.partition("://")
    conn = await asyncpg.connect(f"{scheme}://{role}:{password}@{rest.split('@')[-1]}"
                                 + (f"?{query}" if query else ""))
    try:
        yield conn
    finally:
        await conn.close()
        await pool.execute(f'DROP OWNED BY "{role}"')
        await pool.execute(f'DROP ROLE "{role}"')
