"""IVR sessions on record: who called, who they turned out to be, the path they took
through the menu and how it ended (ivr_sessions, linked to the call by its linkedid)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from callcenter.db.queries import load_queries

Q = load_queries("ivr")


@dataclass(slots=True)
class IvrSession:
    uniqueid: str
    linkedid: str | None = None
    caller_number: str | None = None
    customer_id: int | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Steps as "what:value" text, e.g. "menu:1", "day:2025-06-05", "booked:17".
    path: list[str] = field(default_factory=list)
    result: str | None = None
    # The language the caller was spoken to in at the end (zh, en).
    language: str | None = None
    # What the caller was told, in order: prompt names ("welcome"), readbacks
    # ("date:2026-03-05", "time:14:30", "number:1", "plate:B12345"); "missing:NAME" when
    # Asterisk had no file to play. A prompt cut short by a key counts as said.
    said: list[str] = field(default_factory=list)

    def step(self, what: str, value: object = "") -> None:
        self.path.append(f"{what}:{value}" if value != "" else what)


async def record_session(pool: asyncpg.Pool, session: IvrSession) -> None:
    await pool.execute(Q["record_session"], session.uniqueid, session.linkedid,
                       session.caller_number, session.customer_id, session.started_at,
                       session.path, session.result, session.language, session.said)
