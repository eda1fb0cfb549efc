"""After a call: its category and notes, a nuisance/threat flag, a complaint opened from
the pop, and a new caller's quick-created customer record.

What the agent sends is checked by its model (http/schemas.py); who may wrap up or
complain about a call is checked here, on the call as the repository (db/wrapup.py) holds
it locked, in the same transaction."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.db.wrapup import LockedCall, NewComplaint, WrapUp, WrapUpStore
from callcenter.domain.phones import normalize_phone
from callcenter.domain.users import User
from callcenter.errors import Conflict, Forbidden

CATEGORIES = ("inquiry", "complaint", "appointment", "followup", "other")
FLAGS = ("nuisance", "threat")
SEVERITIES = ("normal", "major")
MAX_NOTES = 4000


class CallInProgress(Conflict):
    error_id = "call_in_progress"


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


async def wrap_up(store: WrapUpStore, user: User, call_id: int, category: str,
                  notes: str | None, flag: str | None, flag_details: str | None,
                  customer_id: int | None) -> None:
    """The fields as http/schemas.py WrapUpBody checked them (details with a flag)."""
    wrap = WrapUp(category, notes, flag, flag_details, customer_id)
    await store.wrap_up(call_id, _ended_own_call(user), wrap, user.id,
                        on_complaints=category == "complaint")


async def open_complaint(store: WrapUpStore, user: User, customer_id: int,
                         call_id: int | None, severity: str, description: str) -> int:
    complaint = NewComplaint(customer_id, call_id, severity, description, user.id)
    return await store.open_complaint(complaint, _own_call(user))


async def quick_create_customer(store: WrapUpStore, name: str, phone: str,
                                region: str) -> int:
    """A new caller's record: a name and the number they called from."""
    return await store.insert_customer(name, normalize_phone(phone, region))
