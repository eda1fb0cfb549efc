"""The supervisors' live board: every agent, the hotline queue, the calls in progress.

A projection, not an owner. The calls belong to ``CallRegistry`` and the agents' queue
states to ``AgentStates`` (and Asterisk's members to ``LiveState``); the ``Notifier``
hands the board every change those owners announce, after they wrote it. The board adds
the names it shows (agents, customers) and each agent's day so far, and publishes to
every supervisor watching it, through the same ``Publish`` port as everything else.

Changes are handled in arrival order by one task (its name lookups must not delay the
AMI event stream, nor reorder two changes of one call). A supervisor's console that
(re)connects gets ``board``: the whole picture, read from the owners at that moment
(after the hub's replay of what it missed, so the picture wins). Then deltas:

- ``board_call``: one call as ``CallView`` shows it, plus ``agent_name`` and
  ``customer_name``; a call whose state is ``ended`` leaves the board;
- ``board_agent``: one agent's state (``state``, ``paused_reason``) or their day
  (``calls_today``, ``talk_seconds_today``), whichever changed;
- ``board_figures``: the hotline's figures today (queue statistics from Asterisk's
  queue_log), a moment after a caller left the queue so that Asterisk's row is in.

Times are epoch seconds of Asterisk's clock as ISO 8601; ``server_time`` in ``board``
lets a console tick waits and durations on its own clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from callcenter.db.board import BoardAgent, BoardStore
from callcenter.domain.agent_state import HOTLINE_QUEUE, agent_state, interface_of
from callcenter.domain.users import Role, User
from callcenter.errors import CallcenterError
from callcenter.services.live_state import LiveState
from callcenter.services.notifier import CallView, Message, Publish, iso_time
from callcenter.services.periodic import Background

log = logging.getLogger(__name__)

Figures = Callable[[], Awaitable[Message]]
LiveCalls = Callable[[], list[CallView]]
# Asterisk writes the queue_log row of a caller leaving about when it sends the event:
# the figures are read this long after, and one read covers a burst of leavers.
FIGURES_DELAY = 0.3
NAMES_KEPT = 10_000
AGENTS_CACHE_SECONDS = 30.0  # accounts and extensions change rarely
WATCHING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


async def no_figures() -> Message:
    return {}


@dataclass(frozen=True, slots=True)
class _CallChanged:
    view: CallView


@dataclass(frozen=True, slots=True)
class _AgentChanged:
    user_id: int
    message: Message


class _FiguresDue:
    """Time to read the queue's figures again."""


class Board:
    def __init__(self, store: BoardStore, publish: Publish, live: LiveState, tz: ZoneInfo,
                 figures: Figures = no_figures) -> None:
        self._store = store
        self._publish = publish
        self._live = live
        self._tz = tz
        self._figures = figures
        self._live_calls: LiveCalls = list
        self._watchers: set[int] = set()
        self._changes: asyncio.Queue[_CallChanged | _AgentChanged | _FiguresDue] = (
            asyncio.Queue())
        self._worker = Background("supervisors' board", self._work)
        self._figures_due: asyncio.TimerHandle | None = None
        self._names: dict[int, str] = {}  # customer id -> name, of calls seen
        self._agents: dict[int, BoardAgent] = {}
        self._agents_read_at = 0.0

    def read_calls_from(self, live_calls: LiveCalls) -> None:
        """The owner of live calls (the registry), wired after it is built."""
        self._live_calls = live_calls

    def start(self) -> None:
        self._worker.start()

    async def close(self) -> None:
        if self._figures_due is not None:
            self._figures_due.cancel()
        await self._worker.close()

    # -- what the owners announce (through the Notifier) -------------------------------

    def call(self, view: CallView) -> None:
        self._changes.put_nowait(_CallChanged(view))

    def agent(self, user_id: int, message: Message) -> None:
        self._changes.put_nowait(_AgentChanged(user_id, message))

    def figures_changed(self) -> None:
        """Today's queue figures changed other than by a caller leaving (lines of
        Asterisk's queue_log file imported)."""
        self._figures_soon()

    # -- what a supervisor's console asks ----------------------------------------------

    async def snapshot(self, user: User) -> list[Message]:
        """The whole board for a supervisor's console, who watches it from now on."""
        if user.role not in WATCHING_ROLES:
            return []
        self._watchers.add(user.id)
        agents = await self._agent_list()
        ids = [a.id for a in agents]
        days = await self._store.days(ids, self._day_start())
        owing = await self._store.owing_wrap_up(ids)
        figures = await self._figures()
        await self._learn_names(v.customer_id for v in self._live_calls())
        # Read last, with no await after it: a change announced after this read is
        # published after the console is registered, so none falls in between.
        calls = [self._call_row(v) for v in self._live_calls()]
        rows = []
        for a in agents:
            member = self._live.members.get((HOTLINE_QUEUE, interface_of(a.extension)))
            day = days.get(a.id)
            rows.append({"id": a.id, "name": a.display_name, "extension": a.extension,
                         "role": a.role,
                         "state": agent_state(member, a.id in owing).value,
                         "paused_reason": member.paused_reason if member and member.paused
                         else "",
                         "calls_today": day.calls if day else 0,
                         "talk_seconds_today": round(day.talk_seconds) if day else 0})
        return [{"type": "board", "server_time": iso_time(time.time()), "agents": rows,
                 "calls": calls, "figures": figures}]

    # -- the worker ---------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            change = await self._changes.get()
            try:
                match change:
                    case _CallChanged():
                        await self._call_changed(change.view)
                    case _AgentChanged():
                        self._tell({"type": "board_agent", "agent": {
                            "id": change.user_id, "state": change.message["state"],
                            "paused_reason": change.message.get("paused_reason", "")}})
                    case _FiguresDue():
                        self._figures_due = None
                        self._tell({"type": "board_figures", "figures": await self._figures()})
            except CallcenterError as exc:  # PostgreSQL away: the change goes without names
                log.warning("board: %s", exc.message)
                if isinstance(change, _CallChanged):
                    self._tell({"type": "board_call", "call": self._call_row(change.view)})
            except Exception:
                log.exception("board: a change could not be shown")

    async def _call_changed(self, view: CallView) -> None:
        await self._learn_names([view.customer_id])
        if view.agent_id is not None and view.agent_id not in self._agents:
            await self._agent_list(force=True)
        self._tell({"type": "board_call", "call": self._call_row(view)})
        if view.direction == "inbound" and view.state in ("answered", "ended"):
            self._figures_soon()
        if view.state == "ended" and view.agent_id is not None:
            day = (await self._store.days([view.agent_id], self._day_start())).get(
                view.agent_id)
            self._tell({"type": "board_agent", "agent": {
                "id": view.agent_id, "calls_today": day.calls if day else 0,
                "talk_seconds_today": round(day.talk_seconds) if day else 0}})

    def _figures_soon(self) -> None:
        if self._figures_due is None:
            self._figures_due = asyncio.get_running_loop().call_later(
                FIGURES_DELAY, self._changes.put_nowait, _FiguresDue())

    def _tell(self, message: Message) -> None:
        for user_id in self._watchers:
            self._publish(user_id, message)

    # -- names and days -----------------------------------------------------------------

    def _call_row(self, view: CallView) -> Message:
        agent = self._agents.get(view.agent_id) if view.agent_id is not None else None
        return {**view.to_dict(), "queued_at": iso_time(view.queued_at),
                "agent_name": agent.display_name if agent else None,
                "customer_name": self._names.get(view.customer_id)
                if view.customer_id is not None else None}

    async def _learn_names(self, customer_ids: Iterable[int | None]) -> None:
        unknown = {i for i in customer_ids if i is not None and i not in self._names}
        if unknown:
            if len(self._names) > NAMES_KEPT:  # names of calls long gone
                self._names.clear()
            self._names.update(await self._store.customer_names(unknown))

    async def _agent_list(self, force: bool = False) -> list[BoardAgent]:
        now = time.monotonic()
        if force or now - self._agents_read_at > AGENTS_CACHE_SECONDS:
            self._agents = {a.id: a for a in await self._store.agents()}
            self._agents_read_at = now
        return list(self._agents.values())

    def _day_start(self) -> datetime:
        return datetime.now(self._tz).replace(hour=0, minute=0, second=0, microsecond=0)

