"""Abandoned callers to call back: today's list, and the call back itself.

The list is read from the calls table each time (no live state of its own): today's
abandoned inbound calls in the center's time zone, one entry per caller number, minus
the numbers reached since by a later answered call, inbound or outbound. Calling back
is click-to-call from the requesting user's own phone (it rings first); the new
outbound row names the abandoned call (``calls.callback_of``) and its customer, and
once that call is answered the number leaves the list by the same rule.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from callcenter.db.callbacks import CallbackStore
from callcenter.db.calls import CallStore
from callcenter.domain.callbacks import AbandonedCaller
from callcenter.domain.users import User
from callcenter.errors import NotFound
from callcenter.services.calls import CallRegistry, LiveOutbound
from callcenter.services.click_to_call import AmiSender, CallTarget, Dialing, place_call


def day_span(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[midnight, next midnight) of ``now``'s day in ``tz`` (a DST day is 23 or 25 h)."""
    day = now.astimezone(tz).date()
    return (datetime.combine(day, time(), tz),
            datetime.combine(day + timedelta(days=1), time(), tz))


async def abandoned_today(store: CallbackStore, tz: ZoneInfo,
                          now: datetime | None = None) -> list[AbandonedCaller]:
    since, until = day_span(now or datetime.now(tz), tz)
    return await store.abandoned_callers(since, until)


async def call_back(callbacks: CallbackStore, calls: CallStore, ami: AmiSender,
                    registry: CallRegistry, user: User, call_id: int,
                    dialing: Dialing) -> LiveOutbound:
    """Ring ``user``'s phone, then the caller of abandoned call ``call_id``. Any user
    with a phone may (supervisors and agents): the refusals are click-to-call's."""
    number = await callbacks.abandoned_number(call_id)
    if number is None:
        raise NotFound(f"call {call_id} is not an abandoned call with a number to call",
                       call_id=call_id)
    return await place_call(calls, ami, registry, user, CallTarget(callback_of=call_id),
                            number, dialing)
