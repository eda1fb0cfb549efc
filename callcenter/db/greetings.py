"""The greetings' reads and writes: who to greet on a day, and their SMS queued in the
outbox (docs/greetings.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    phone: str  # E.164, the first of the customer's numbers that is a mobile


@dataclass(frozen=True, slots=True)
class QueuedSms:
    customer_id: int
    phone: str
    kind: str
    body: str
    dedupe_key: str


async def recipients(conn: Connection, *, everyone: bool,
                     born_on: Sequence[tuple[int, int]], is_mobile: Callable[[str], bool]
                     ) -> list[Recipient]:
    """Every customer to greet (``everyone``), or those born on the (month, day) pairs
    ``born_on``; each with their first mobile, by id; none without one."""
    rows = (await conn.fetch(Q["everyone"]) if everyone
            else await conn.fetch(Q["born_on"], [m * 100 + d for m, d in born_on]))
    found: list[Recipient] = []
    for row in rows:
        if found and found[-1].customer_id == row["id"]:
            continue  # that customer's mobile was found already
        if is_mobile(row["e164"]):
            found.append(Recipient(row["id"], row["name"], row["birthday"], row["e164"]))
    return found


async def queue_many(conn: Connection, messages: Sequence[QueuedSms]) -> int:
    """Queue the messages whose dedupe key is new; how many were queued."""
    if not messages:
        return 0
    status = await conn.execute(
        Q["insert_greetings"], [m.customer_id for m in messages], [m.phone for m in messages],
        [m.kind for m in messages], [m.body for m in messages],
        [m.dedupe_key for m in messages])
    return int(status.split()[-1])
