"""The greetings' reads and writes: who to greet on a day, and their SMS queued in the
outbox (docs/greetings.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from callcenter.db.connection import Connection
from callcenter.db.queries import load_queries

Q = load_queries("greetings")


@dataclass(frozen=True, slots=True)
class Recipient:
    customer_id: int
    name: str
    birthday: date | None
    phone: str  # E.164, a mobile


@dataclass(frozen=True, slots=True)
class QueuedSms:
    customer_id: int
    phone: str
    kind: str
    body: str
    dedupe_key: str


async def recipients(conn: Connection, *, everyone: bool,
                     born_on: Sequence[tuple[int, int]], mobile_pattern: str
                     ) -> list[Recipient]:
    """Every customer to greet (``everyone``), or those born on the (month, day) pairs."""
    rows = await conn.fetch(Q["recipients"], everyone, [m for m, _ in born_on],
                            [d for _, d in born_on], mobile_pattern)
    return [Recipient(r["id"], r["name"], r["birthday"], r["e164"]) for r in rows]


async def queue_many(conn: Connection, messages: Sequence[QueuedSms]) -> int:
    """Queue the messages whose dedupe key is new; how many were queued."""
    if not messages:
        return 0
    status = await conn.execute(
        Q["insert_greetings"], [m.customer_id for m in messages], [m.phone for m in messages],
        [m.kind for m in messages], [m.body for m in messages],
        [m.dedupe_key for m in messages])
    return int(status.split()[-1])
