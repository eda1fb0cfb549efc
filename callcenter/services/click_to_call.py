"""Click-to-call: the agent's phone rings first; when they answer, the customer is dialed.

Every refusal happens before anything is written. The call row is inserted before the
Originate is sent (with the Linkedid we choose as its ChannelId), inside the same
transaction that assigns the task: PostgreSQL's one-open-call-per-agent index makes a
double click produce exactly one call. The live call is handed to the registry
(services/calls.py) before the Originate goes out; an Originate Asterisk does not take
ends the call at once, visibly on the agent's console.

A follow-up is called no sooner than its ``next_attempt_at`` (the call-again gap after
a customer was not reached, or the callback time the customer named): earlier is 409
``too_early`` with ``details.not_before``. A number found to be a wrong one is never
dialled again, for a follow-up or a complaint (409 ``phone_invalid``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from callcenter.db.calls import CallStore
from callcenter.domain.attempts import too_early
from callcenter.domain.calls import OutboundCall
from callcenter.domain.dialing import dial_digits
from callcenter.domain.phones import InvalidPhone, normalize_phone
from callcenter.domain.users import User
from callcenter.errors import Conflict, Forbidden, TelephonyUnavailable
from callcenter.services.calls import CallRegistry, LiveOutbound

log = logging.getLogger(__name__)

OPEN_STATUSES = ("open", "call_again")


class AmiSender(Protocol):
    """The port to Asterisk's AMI that services send actions through."""

    @property
    def connected(self) -> bool: ...

    async def send(self, action: Mapping[str, str | list[str]], *, as_list: bool = False,
                   timeout: float | None = None) -> object: ...


class DoNotDisturb(Conflict):
    error_id = "do_not_disturb"


class FollowupClosed(Conflict):
    error_id = "followup_closed"


class NoExtension(Conflict):
    error_id = "no_extension"


class TooEarly(Conflict):
    """Not before ``details.not_before``: the call-again gap, or the booked callback."""

    error_id = "too_early"


class PhoneInvalid(Conflict):
    error_id = "phone_invalid"


class InvalidNumber(InvalidPhone):
    error_id = "invalid_number"


@dataclass(frozen=True)
class Dialing:
    """How calls are dialed: the home region and how long each side rings."""

    region: str
    agent_ring_seconds: int
    customer_ring_seconds: int


@dataclass(frozen=True)
class CallTarget:
    """What a click-to-call is for: a follow-up task, a complaint (its customer), an
    abandoned inbound call (its caller: services/callbacks.py), or a customer called from
    their card without a task (``do_not_disturb_ok``: the agent confirmed calling a
    customer who asked not to be called)."""

    followup_id: int | None = None
    complaint_id: int | None = None
    callback_of: int | None = None
    customer_id: int | None = None
    do_not_disturb_ok: bool = False


async def place_call(store: CallStore, ami: AmiSender, registry: CallRegistry, user: User,
                     target: CallTarget, phone: str, dialing: Dialing) -> LiveOutbound:
    if user.extension is None:
        raise NoExtension("your account has no phone extension")
    try:
        e164 = normalize_phone(phone, dialing.region)
    except InvalidPhone:
        raise InvalidNumber(f"{phone!r} is not a valid phone number", field="phone") from None
    if not ami.connected:
        raise TelephonyUnavailable("the phone system (Asterisk) is not connected; "
                                   "try again in a moment")
    linkedid = f"cc-{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    if target.complaint_id is not None:
        row = await store.start_complaint_call(
            target.complaint_id, user.id, linkedid, e164, now,
            lambda complaint: _check_may_call_about(user, complaint, e164))
    elif target.callback_of is not None:
        row = await store.start_callback_call(target.callback_of, user.id, linkedid, e164,
                                              now)
    elif target.customer_id is not None:
        row = await store.start_customer_call(
            target.customer_id, user.id, linkedid, e164, now,
            lambda customer: _check_may_call_customer(customer, e164,
                                                      target.do_not_disturb_ok))
    else:
        assert target.followup_id is not None
        row = await store.start_followup_call(target.followup_id, user.id, linkedid, e164,
                                              now, lambda task: _check_may_call(user, task,
                                                                               e164, now))
    call = LiveOutbound(row.call_id, user.id, target.followup_id, row.customer_id, e164,
                        OutboundCall(linkedid, now.timestamp()))
    registry.track(call)
    try:
        await ami.send({
            "Action": "Originate", "ActionID": linkedid, "ChannelId": linkedid,
            "Channel": f"PJSIP/{user.extension}", "Context": "click-to-call",
            "Exten": dial_digits(e164, dialing.region), "Priority": "1", "Async": "true",
            "Timeout": str(dialing.agent_ring_seconds * 1000),
            "CallerID": f'"{_caller_name(row.customer_name or e164)}" <{e164}>',
            # A list: one Variable header each.
            "Variable": [f"CC_CALL_ID={row.call_id}",
                         f"CC_RING_SECONDS={dialing.customer_ring_seconds}"],
        })
    except TelephonyUnavailable:
        # Asterisk did not take the call: its row is closed and the console told.
        await registry.originate_failed(linkedid)
        raise
    log.info("click-to-call %s: agent %s -> %s", linkedid, user.username, _purpose(target))
    return call


def _purpose(target: CallTarget) -> str:
    if target.complaint_id is not None:
        return f"complaint {target.complaint_id}"
    if target.callback_of is not None:
        return f"call back of call {target.callback_of}"
    if target.customer_id is not None:
        return f"customer {target.customer_id}"
    return f"follow-up {target.followup_id}"


def _check_may_call(user: User, task: Any, e164: str, now: datetime) -> None:
    if task["status"] not in OPEN_STATUSES:
        raise FollowupClosed(f"this follow-up is already {task['status']}",
                             status=task["status"])
    if task["assigned_to"] not in (None, user.id) and not user.supervises:
        raise Forbidden("this follow-up belongs to another agent")
    if task["do_not_disturb"]:
        raise DoNotDisturb("the customer asked not to be called: send the SMS follow-up "
                           "instead")
    phone = next((p for p in task["phones"] if p["e164"] == e164), None)
    if phone is None:
        raise InvalidNumber("that number is not one of the customer's", field="phone")
    if phone.get("invalid"):
        raise PhoneInvalid("that number was found to be a wrong one: call another",
                           field="phone")
    not_before = too_early(task["next_attempt_at"], now)
    if not_before is not None:
        raise TooEarly("too early to call this customer again",
                       not_before=not_before.isoformat())


def _check_may_call_about(user: User, complaint: Any, e164: str) -> None:
    """The owner (or a supervisor, or anyone while it has no owner) calls the customer
    of a complaint that is not closed. Do-not-disturb does not apply: the customer
    asked to be answered."""
    if complaint["status"] == "closed":
        raise Conflict("this complaint is closed: reopen it first", status="closed")
    if complaint["owner_id"] not in (None, user.id) and not user.supervises:
        raise Forbidden("this complaint belongs to another agent")
    phone = next((p for p in complaint["phones"] if p["e164"] == e164), None)
    if phone is None:
        raise InvalidNumber("that number is not one of the customer's", field="phone")
    if phone["invalid"]:
        raise PhoneInvalid("that number was found to be a wrong one: call another",
                           field="phone")


def _check_may_call_customer(customer: Any, e164: str, do_not_disturb_ok: bool) -> None:
    """A call from the card, without a task: any of the customer's valid numbers. A
    customer who asked not to be called may still be called by hand (they may have asked
    for it since), once the agent has confirmed it: the refusal is the warning."""
    phone = next((p for p in customer["phones"] if p["e164"] == e164), None)
    if phone is None:
        raise InvalidNumber("that number is not one of the customer's", field="phone")
    if phone["invalid"]:
        raise PhoneInvalid("that number was found to be a wrong one: call another",
                           field="phone")
    if customer["do_not_disturb"] and not do_not_disturb_ok:
        raise DoNotDisturb("the customer asked not to be called: confirm to call anyway",
                           confirm="do_not_disturb_ok")


def _caller_name(name: str) -> str:
    """The customer's name as the agent's phone shows it (no quotes, bounded)."""
    return name.replace('"', "").replace("\\", "")[:40]
