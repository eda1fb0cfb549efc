"""The wrap-up repository: a call's category, notes and flag, the complaints an agent
opens from a call or the pop, and a new caller's quick-created customer. Each operation
is one transaction; checks the service makes on the locked call run inside it. Returns
domain values; a lost connection leaves as DatabaseUnavailable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.complaints import complaint_source
from callcenter.errors import NotFound, ValidationError

Q = load_queries("wrapup")


@dataclass(frozen=True, slots=True)
class LockedCall:
    """A call row locked for the rest of the transaction."""

    id: int
    agent_id: int | None
    customer_id: int | None
    direction: str
    ended: bool


@dataclass(frozen=True, slots=True)
class WrapUp:
    category: str
    notes: str | None
    flag: str | None
    flag_details: str | None
    customer_id: int | None  # the customer the agent chose, for a call without one


@dataclass(frozen=True, slots=True)
class NewComplaint:
    customer_id: int
    call_id: int | None
    severity: str
    description: str
    created_by: int


class WrapUpStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def wrap_up(self, call_id: int, check: Callable[[LockedCall], None], wrap: WrapUp,
                      actor_id: int, *, on_complaints: bool) -> None:
        """In one transaction: the call locked and ``check``ed (which refuses by raising),
        the customer chosen checked, the wrap-up written and, ``on_complaints``, its notes
        on each open complaint of the call's customer."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            call = await _lock_call(conn, call_id)
            check(call)
            if wrap.customer_id is not None:
                await _require_customer(conn, wrap.customer_id)
            await conn.execute(Q["wrap_up"], call_id, wrap.category, wrap.notes, wrap.flag,
                               wrap.flag_details, wrap.customer_id)
            customer = call.customer_id or wrap.customer_id
            if on_complaints and customer is not None:
                for complaint in await conn.fetch(Q["open_complaint_ids"], customer):
                    await conn.execute(Q["complaint_note"], complaint["id"], actor_id,
                                       "wrap_up", call_id, wrap.notes)

    async def open_complaint(self, complaint: NewComplaint,
                             check: Callable[[LockedCall], None]) -> int:
        """The complaint and its 'opened' event, in one transaction; the call it comes
        from (if any) locked and ``check``ed first. Its id."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            direction = None
            if complaint.call_id is not None:
                call = await _lock_call(conn, complaint.call_id)
                check(call)
                direction = call.direction
            await _require_customer(conn, complaint.customer_id)
            complaint_id: int = await conn.fetchval(
                Q["insert_complaint"], complaint.customer_id, complaint.call_id,
                complaint_source(direction), complaint.severity, complaint.description,
                complaint.created_by)
            await conn.execute(Q["complaint_note"], complaint_id, complaint.created_by,
                               "opened", complaint.call_id, complaint.description)
        return complaint_id

    async def insert_customer(self, name: str, e164: str) -> int:
        """A customer with one number, labelled as the caller ID it came from."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            customer_id: int = await conn.fetchval(Q["insert_customer"], name)
            await conn.execute(Q["insert_phone"], customer_id, e164, "caller ID")
        return customer_id


async def _lock_call(conn: Connection, call_id: int) -> LockedCall:
    row = await conn.fetchrow(Q["lock_call"], call_id)
    if row is None:
        raise NotFound(f"call {call_id} does not exist")
    return LockedCall(row["id"], row["agent_id"], row["customer_id"], row["direction"],
                      row["ended_at"] is not None)


async def _require_customer(conn: Connection, customer_id: int) -> None:
    if not await conn.fetchval(Q["customer_exists"], customer_id):
        raise ValidationError("customer_id: no such customer", field="customer_id")
