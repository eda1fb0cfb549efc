"""What the rung agent sees before answering: who is calling, and what is open for them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.customers import plain_record
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.caller_id import CallerNumber
from callcenter.domain.complaints import ComplaintTimes, complaint_clock
from callcenter.domain.temperaments import tips_for

Q = load_queries("screen_pop")
# A number shared by more customers than this is a switchboard, not a family phone.
MAX_CANDIDATES = 10


async def candidate_card(conn: Connection, customer_id: int,
                         now: datetime) -> dict[str, Any] | None:
    """The customer's card; None when they are gone (deleted since the match)."""
    row = await conn.fetchrow(Q["pop_customer"], customer_id)
    if row is None:
        return None
    card = plain_record(row)
    card["tips"] = tips_for(row["temperament"])
    card["vehicles"] = [plain_record(r) for r in await conn.fetch(Q["pop_vehicles"],
                                                                   customer_id)]
    card["open_followups"] = [plain_record(r) for r in
                              await conn.fetch(Q["pop_open_followups"], customer_id)]
    complaints = []
    for r in await conn.fetch(Q["pop_open_complaints"], customer_id):
        clock = complaint_clock(ComplaintTimes.from_row(r), now)
        complaints.append({**plain_record(r), "deadline_state": clock.overall.value,
                           "deadlines": [{"step": d.step.value, "due_at": d.due_at.isoformat(),
                                          "state": d.state.value} for d in clock.deadlines]})
    card["open_complaints"] = complaints
    appointment = await conn.fetchrow(Q["pop_next_appointment"], customer_id, now)
    card["next_appointment"] = appointment and plain_record(appointment)
    card["last_calls"] = [plain_record(r) for r in await conn.fetch(Q["pop_last_calls"],
                                                                     customer_id)]
    return card


class PopCards:
    """Who a caller may be, and their cards: read while the caller is still in the IVR."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def matching(self, caller: CallerNumber) -> list[int]:
        if caller.e164 is None:
            return []
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["customers_by_phone"], caller.e164)
        return [r["customer_id"] for r in rows]

    async def cards(self, customer_ids: list[int]) -> list[dict[str, Any]]:
        now = datetime.now(UTC)
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction(readonly=True):
            cards = [await candidate_card(conn, cid, now)
                     for cid in customer_ids[:MAX_CANDIDATES]]
        return [card for card in cards if card is not None]


def match_kind(caller: CallerNumber, candidates: list[Any]) -> str:
    """one | several | none | withheld: what the console shows at the top of the pop."""
    if caller.withheld:
        return "withheld"
    return {0: "none", 1: "one"}.get(len(candidates), "several")
