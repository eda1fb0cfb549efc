"""After a call: its category and notes, a nuisance/threat flag, a complaint opened from
the pop, and a new caller's quick-created customer record.

What the agent sends is checked here; who may wrap up or complain about a call is checked
on the call as the repository (db/wrapup.py) holds it locked, in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from callcenter.db.wrapup import LockedCall, NewComplaint, WrapUp, WrapUpStore
from callcenter.domain.phones import normalize_phone
from callcenter.domain.users import User
from callcenter.errors import Conflict, Forbidden, ValidationError

CATEGORIES = ("inquiry", "complaint", "appointment", "followup", "other")
FLAGS = ("nuisance", "threat")
SEVERITIES = ("normal", "major")
MAX_NOTES = 4000


class CallInProgress(Conflict):
    error_id = "call_in_progress"


def _text(body: dict[str, Any], name: str, limit: int) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError(f"{name}: text of at most {limit} characters", field=name)
    return value


def _required_text(body: dict[str, Any], name: str, limit: int) -> str:
    value = _text(body, name, limit)
    if value is None:
        raise ValidationError(f"{name} is required", field=name)
    return value


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = body.get(name)
    if value is not None and value not in allowed:
        raise ValidationError(f"{name}: one of {', '.join(allowed)}", field=name)
    return value


def _required_choice(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = _choice(body, name, allowed)
    if value is None:
        raise ValidationError(f"{name}: one of {', '.join(allowed)}", field=name)
    return value


def _own_call(user: User) -> Callable[[LockedCall], None]:
    def check(call: LockedCall) -> None:
        if call.agent_id != user.id and not user.supervises:
            raise Forbidden("another agent's call")
    return check


def _ended_own_call(user: User) -> Callable[[LockedCall], None]:
    own = _own_call(user)

    def check(call: LockedCall) -> None:
        own(call)
        if not call.ended:
            raise CallInProgress("the call is still in progress: wrap up after it ends")
    return check


def _id(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValidationError(f"{name}: an integer id", field=name)
    return value


async def wrap_up(store: WrapUpStore, user: User, call_id: int, body: dict[str, Any]) -> None:
    category = _required_choice(body, "category", CATEGORIES)
    notes = _text(body, "notes", MAX_NOTES)
    flag = _choice(body, "flag", FLAGS)
    flag_details = (_text(body, "flag_details", MAX_NOTES) if flag is None
                    else _required_text(body, "flag_details", MAX_NOTES))
    wrap = WrapUp(category, notes, flag, flag_details, _id(body, "customer_id"))
    await store.wrap_up(call_id, _ended_own_call(user), wrap, user.id,
                        on_complaints=category == "complaint")


async def open_complaint(store: WrapUpStore, user: User, body: dict[str, Any]) -> int:
    description = _required_text(body, "description", MAX_NOTES)
    severity = _choice(body, "severity", SEVERITIES) or "normal"
    customer_id = _id(body, "customer_id")
    if customer_id is None:
        raise ValidationError("customer_id: an integer id", field="customer_id")
    complaint = NewComplaint(customer_id, _id(body, "call_id"), severity, description,
                             user.id)
    return await store.open_complaint(complaint, _own_call(user))


async def quick_create_customer(store: WrapUpStore, body: dict[str, Any],
                                region: str) -> int:
    """A new caller's record: a name and the number they called from."""
    name = _required_text(body, "name", 100)
    phone = normalize_phone(_required_text(body, "phone", 40), region)
    return await store.insert_customer(name, phone)
