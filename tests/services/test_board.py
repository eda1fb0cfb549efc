"""The supervisors' board with a fake store: what a supervisor's console is sent on
connect and as calls and agents change; agents are never sent the board."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.db.board import AgentDay, BoardAgent
from callcenter.domain.agent_state import HOTLINE_QUEUE, AgentState
from callcenter.domain.call_events import QueueMemberState
from callcenter.domain.users import Role, User
from callcenter.services import board as board_module
from callcenter.services.board import Board
from callcenter.services.live_state import LiveState
from callcenter.services.notifier import CallView, agent_state_message

SUPERVISOR = User(1, "wang", "Wang", Role.SUPERVISOR, None, "zh-CN")
AGENT = User(7, "li", "Li Na", Role.AGENT, "1001", "zh-CN")


class FakeStore:
    def __init__(self) -> None:
        self.day_reads = 0

    async def agents(self) -> list[BoardAgent]:
        return [BoardAgent(7, "Li Na", "1001", "agent"), BoardAgent(8, "Zhao", "1002", "agent")]

    async def days(self, agent_ids: Iterable[int], since: datetime) -> dict[int, AgentDay]:
        self.day_reads += 1
        return {7: AgentDay(3, 125.4)} if 7 in list(agent_ids) else {}

    async def owing_wrap_up(self, agent_ids: Iterable[int]) -> set[int]:
        return {8}

    async def customer_names(self, ids: Iterable[int]) -> dict[int, str]:
        return {i: "张伟" for i in ids if i == 42}


class Capture:
    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any]]] = []

    def __call__(self, user_id: int, message: dict[str, Any]) -> None:
        self.sent.append((user_id, message))

    def kinds(self) -> list[str]:
        return [m["type"] for _, m in self.sent]


def queued(call_id: int = 5, state: str = "queued", agent_id: int | None = None) -> CallView:
    return CallView(call_id, "1700.1", "inbound", state, agent_id, 42, "+8613800138000",
                    1_700_000_000.0, ivr_choice="agent")


async def figures() -> dict[str, Any]:
    return {"offered": 2, "answered": 1}


def make_board(capture: Capture, calls: list[CallView], store: FakeStore | None = None
               ) -> tuple[Board, LiveState]:
    live = LiveState()
    board = Board(store or FakeStore(), capture, live,  # type: ignore[arg-type]
                  ZoneInfo("Asia/Shanghai"), figures)
    board.read_calls_from(lambda: list(calls))
    return board, live


async def settled(board: Board) -> None:
    for _ in range(50):
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)


async def test_a_supervisor_gets_the_whole_board() -> None:
    capture = Capture()
    board, live = make_board(capture, [queued()])
    live.members[(HOTLINE_QUEUE, "PJSIP/1001")] = QueueMemberState(
        0.0, HOTLINE_QUEUE, "PJSIP/1001", 1, True, "午饭", False)
    [snapshot] = await board.snapshot(SUPERVISOR)
    assert snapshot["type"] == "board"
    assert snapshot["figures"] == {"offered": 2, "answered": 1}
    li, zhao = snapshot["agents"]
    assert li == {"id": 7, "name": "Li Na", "extension": "1001", "role": "agent",
                  "state": "paused", "paused_reason": "午饭", "calls_today": 3,
                  "talk_seconds_today": 125}
    assert zhao["state"] == "logged_out" and zhao["calls_today"] == 0
    [call] = snapshot["calls"]
    assert call["state"] == "queued" and call["customer_name"] == "张伟"
    assert call["ivr_choice"] == "agent"


async def test_agents_are_not_sent_the_board() -> None:
    capture = Capture()
    board, _ = make_board(capture, [])
    assert await board.snapshot(AGENT) == []
    board.start()
    board.call(queued())
    await settled(board)
    await board.close()
    assert capture.sent == []


async def test_changes_reach_every_watching_supervisor_in_order(monkeypatch: Any) -> None:
    monkeypatch.setattr(board_module, "FIGURES_DELAY", 0.01)
    capture = Capture()
    store = FakeStore()
    board, _ = make_board(capture, [], store)
    other = User(2, "chen", "Chen", Role.ADMIN, None, "en")
    await board.snapshot(SUPERVISOR)
    await board.snapshot(other)
    board.start()
    board.call(queued())
    board.call(queued(state="answered", agent_id=7))
    board.agent(7, agent_state_message(AgentState.ON_CALL, "", None))
    board.call(queued(state="ended", agent_id=7))
    await asyncio.sleep(0.05)
    await board.close()
    to_wang = [m for user, m in capture.sent if user == 1]
    assert [m for user, m in capture.sent if user == 2] == to_wang
    assert [m["type"] for m in to_wang] == [
        "board_call", "board_call", "board_agent", "board_call", "board_agent",
        "board_figures"]
    assert [m["call"]["state"] for m in to_wang if m["type"] == "board_call"] == [
        "queued", "answered", "ended"]
    answered = to_wang[1]["call"]
    assert answered["agent_name"] == "Li Na" and answered["customer_name"] == "张伟"
    assert to_wang[2]["agent"] == {"id": 7, "state": "on_call", "paused_reason": ""}
    # The day of the agent is read again once their call ended.
    assert to_wang[4]["agent"] == {"id": 7, "calls_today": 3, "talk_seconds_today": 125}
    # Two callers leaving close together: one read of the figures.
    assert to_wang[5]["figures"] == {"offered": 2, "answered": 1}
