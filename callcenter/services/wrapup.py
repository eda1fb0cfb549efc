"""After a call: its category and notes, a nuisance/threat flag, a complaint opened from
the pop, and a new caller's quick-created customer record."""

from __future__ import annotations

from typing import Any

import asyncpg

from callcenter.db.connection import Connection
from callcenter.db.queries import load_queries
from callcenter.domain.phones import normalize_phone
from callcenter.domain.users import User
from callcenter.errors import Conflict, Forbidden, NotFound, ValidationError

Q = load_queries("wrapup")
CATEGORIES = ("inquiry", "complaint", "appointment", "followup", "other")
FLAGS = ("nuisance", "threat")
SEVERITIES = ("normal", "major")
MAX_NOTES = 4000


class CallInProgress(Conflict):
    error_id = "call_in_progress"


def _text(body: dict[str, Any], name: str, limit: int, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ValidationError(f"{name} is required", field=name)
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError(f"{name}: text of at most {limit} characters", field=name)
    return value


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...],
            required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if value not in allowed:
        raise ValidationError(f"{name}: one of {', '.join(allowed)}", field=name)
    return value


async def _lock_own_call(conn: Connection, user: User, call_id: int) -> asyncpg.Record:
    call = await conn.fetchrow(Q["lock_call"], call_id)
    if call is None:
        raise NotFound(f"call {call_id} does not exist")
    if call["agent_id"] != user.id and not user.supervises:
        raise Forbidden("another agent's call")
    return call


async def wrap_up(pool: asyncpg.Pool, user: User, call_id: int, body: dict[str, Any]) -> None:
    category = _choice(body, "category", CATEGORIES, required=True)
    notes = _text(body, "notes", MAX_NOTES)
    flag = _choice(body, "flag", FLAGS)
    flag_details = _text(body, "flag_details", MAX_NOTES, required=flag is not None)
    customer_id = body.get("customer_id")
    if customer_id is not None and (not isinstance(customer_id, int)
                                    or isinstance(customer_id, bool)):
        raise ValidationError("customer_id: an integer id", field="customer_id")
    async with pool.acquire() as conn, conn.transaction():
        call = await _lock_own_call(conn, user, call_id)
        if call["ended_at"] is None:
            raise CallInProgress("the call is still in progress: wrap up after it ends")
        if customer_id is not None and not await conn.fetchval(Q["customer_exists"],
                                                               customer_id):
            raise ValidationError("customer_id: no such customer", field="customer_id")
        await conn.execute(Q["wrap_up"], call_id, category, notes, flag, flag_details,
                           customer_id)
        customer = call["customer_id"] or customer_id
        if category == "complaint" and customer is not None:
            for complaint in await conn.fetch(Q["open_complaint_ids"], customer):
                await conn.execute(Q["complaint_note"], complaint["id"], user.id, "wrap_up",
                                   call_id, notes)


async def open_complaint(pool: asyncpg.Pool, user: User, body: dict[str, Any]) -> int:
    description = _text(body, "description", MAX_NOTES, required=True)
    severity = _choice(body, "severity", SEVERITIES) or "normal"
    customer_id, call_id = body.get("customer_id"), body.get("call_id")
    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        raise ValidationError("customer_id: an integer id", field="customer_id")
    async with pool.acquire() as conn, conn.transaction():
        if call_id is not None:
            call = await _lock_own_call(conn, user, call_id)
            source = "hotline" if call["direction"] == "inbound" else "other"
        else:
            source = "other"
        if not await conn.fetchval(Q["customer_exists"], customer_id):
            raise ValidationError("customer_id: no such customer", field="customer_id")
        complaint_id = await conn.fetchval(Q["insert_complaint"], customer_id, call_id,
                                           source, severity, description, user.id)
        await conn.execute(Q["complaint_note"], complaint_id, user.id, "opened", call_id,
                           description)
    return complaint_id


async def quick_create_customer(pool: asyncpg.Pool, body: dict[str, Any],
                                region: str) -> int:
    """A new caller's record: a name and the number they called from."""
    name = _text(body, "name", 100, required=True)
    phone = normalize_phone(_text(body, "phone", 40, required=True) or "", region)
    async with pool.acquire() as conn, conn.transaction():
        customer_id = await conn.fetchval(Q["insert_customer"], name)
        await conn.execute(Q["insert_phone"], customer_id, phone, "caller ID")
    return customer_id
