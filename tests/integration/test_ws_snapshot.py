"""A console that connects while something is published to its user gets it: the hub
sends what was published while the snapshot was being read, after the snapshot."""

from __future__ import annotations

import asyncio
from typing import Any

from callcenter.domain.users import User
from callcenter.keys import HUB
from tests.console import ConsoleServer
from tests.waiting import eventually


async def test_a_message_published_during_the_snapshot_reaches_the_console(
        agent_server: ConsoleServer) -> None:
    await agent_server.add_agent("chen", None, role="supervisor")
    hub = agent_server.app[HUB]
    read_snapshot = hub.snapshot

    async def slow_snapshot(user: User) -> list[dict[str, Any]]:
        messages = await read_snapshot(user)
        hub.publish(user.id, {"type": "agent_state", "state": "available",
                              "paused_reason": "", "wrap_up_call_id": None})
        await asyncio.sleep(0.05)  # the snapshot's reads go on meanwhile
        return messages

    hub.snapshot = slow_snapshot
    chen = await agent_server.login("chen")
    try:
        await chen.open_ws()
        await eventually(lambda: any(not m.get("snapshot") and m["type"] == "agent_state"
                                     for m in chen.messages), 5)
        kinds = [(m["type"], bool(m.get("snapshot"))) for m in chen.messages]
        assert kinds.index(("agent_state", False)) > kinds.index(("board", True))
    finally:
        await chen.close()
