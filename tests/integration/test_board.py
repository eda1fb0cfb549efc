"""The supervisors' board on the calls recorded from the real Asterisk 22, replayed
through the server's pipeline with real PostgreSQL: what a watching supervisor is told,
in order, with the names it shows."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.domain.users import Role, User
from callcenter.http.replies import (
    BoardAgentMessage,
    BoardCallMessage,
    BoardFiguresMessage,
    BoardMessage,
)
from tests.integration.test_call_pipeline import _replayed, _seed
from tests.pipeline import CallPipeline

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the pipeline's center
SUPERVISOR = User(9_999, "boss", "Boss", Role.SUPERVISOR, None, "zh-CN")


MODELS = {"board": BoardMessage, "board_call": BoardCallMessage,
          "board_agent": BoardAgentMessage, "board_figures": BoardFiguresMessage}


async def _board_messages(pipeline: CallPipeline) -> list[dict]:
    """What the supervisor was told, each as the API document describes it (the hub
    adds ``seq`` and, to a snapshot, ``snapshot``)."""
    await pipeline.drained()
    await asyncio.sleep(0.5)  # the board's worker, and its figures a moment later
    messages = pipeline.messages(SUPERVISOR.id)
    for message in messages:
        MODELS[message["type"]].model_validate({**message, "seq": 1})
    return messages


async def test_a_supervisor_sees_a_caller_queue_and_an_agent_answer(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    seeded = await _seed(pool)
    agent = seeded.users["1002"]
    data, capture = _replayed("queue_answered")
    started = datetime.fromtimestamp(min(capture.timestamps("Newchannel")), SHANGHAI)
    today = started.date() == datetime.now(SHANGHAI).date()  # not when run at midnight
    async with CallPipeline(pool, tmp_path) as pipeline:
        [board] = await pipeline.board.snapshot(SUPERVISOR)
        BoardMessage.model_validate({**board, "seq": 1, "snapshot": True})
        assert board["calls"] == []
        assert {a["extension"]: a["state"] for a in board["agents"]} == {
            "1001": "logged_out", "1002": "logged_out", "1003": "logged_out"}
        pipeline.receive(data)
        messages = await _board_messages(pipeline)
    calls = [m["call"] for m in messages if m["type"] == "board_call"]
    assert [c["state"] for c in calls] == ["queued", "answered", "ended"]
    assert calls[0]["agent_id"] is None and calls[0]["customer_name"] == "张伟"
    assert calls[1]["agent_id"] == agent and calls[1]["agent_name"] == "agent1002"
    states = [m["agent"]["state"] for m in messages
              if m["type"] == "board_agent" and "state" in m["agent"]]
    # The member's states in Asterisk's order; the registry's wrap-up state once it has
    # closed the call comes before or after the log-out (another lane).
    assert states[:7] == ["available", "paused", "available", "available", "ringing",
                          "on_call", "available"]
    assert states[7] in ("wrap_up", "logged_out") and states[8:] == ["logged_out"]
    [day] = [m["agent"] for m in messages
             if m["type"] == "board_agent" and "calls_today" in m["agent"]]
    assert day["id"] == agent and day["calls_today"] == (1 if today else 0)
    assert [m["type"] for m in messages].count("board_figures") == 1


async def test_a_caller_who_gives_up_leaves_the_board(pool: asyncpg.Pool,
                                                      tmp_path: Path) -> None:
    await _seed(pool)
    data, _ = _replayed("hotline_agi_down")
    async with CallPipeline(pool, tmp_path) as pipeline:
        await pipeline.board.snapshot(SUPERVISOR)
        pipeline.receive(data)
        messages = await _board_messages(pipeline)
        assert (await pipeline.board.snapshot(SUPERVISOR))[0]["calls"] == []
    calls = [m["call"] for m in messages if m["type"] == "board_call"]
    assert [(c["state"], c["disposition"]) for c in calls] == [
        ("queued", None), ("ended", "abandoned")]
