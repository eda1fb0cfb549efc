"""The scheduler's greetings rule: each day's birthday and holiday SMS (docs/greetings.md).

``GreetingsRule.run(conn, day)`` follows the scheduler's ``Rule`` contract
(services/scheduler.py): inside the scheduler's transaction it queues the day's
greetings in the SMS outbox and returns how many it queued. Which customer gets which
greeting is domain/greetings.py; here: never a do-not-disturb customer, only to the
customer's first mobile not found to be wrong, once per customer, occasion and year (the
outbox's dedupe key, so a day run again queues nothing), and on a holiday one message per
mobile number (a family sharing one phone gets one). The quiet hours of the outbox worker
hold what is queued at night (the scheduler runs at 02:00) until the morning.

A day the scheduler catches up after the server was down is not greeted: a birthday
wish days late is worse than none. ``late_days`` allows that many days of delay.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date

import asyncpg

from callcenter.db import greetings as repo
from callcenter.domain.greetings import (
    birthdays_celebrated_on,
    greeting_for,
    holidays_on,
    mobile_pattern,
)
from callcenter.domain.sms_texts import DEFAULT_LOCALE, greeting_sms

log = logging.getLogger(__name__)

SMS_KIND = "greeting"


class GreetingsRule:
    name = "greetings"

    def __init__(self, *, dealer: str, hotline: str, region: str,
                 today: Callable[[], date], locale: str = DEFAULT_LOCALE,
                 late_days: int = 0) -> None:
        self._dealer = dealer
        self._hotline = hotline
        self._mobile = re.compile(mobile_pattern(region))
        self._today = today
        self._locale = locale
        self._late_days = late_days

    def _is_mobile(self, phone: str) -> bool:
        return self._mobile.match(phone) is not None

    async def run(self, conn: asyncpg.Connection, day: date) -> int:
        late = (self._today() - day).days
        if late > self._late_days:
            log.info("greetings of %s not sent: %d days late", day, late)
            return 0
        holiday = bool(holidays_on(day))
        recipients = await repo.recipients(conn, everyone=holiday,
                                           born_on=birthdays_celebrated_on(day),
                                           is_mobile=self._is_mobile)
        messages: list[repo.QueuedSms] = []
        holiday_phones: set[str] = set()
        for recipient in recipients:
            greeting = greeting_for(recipient.birthday, day)
            if greeting is None:
                continue
            if not greeting.is_birthday:
                if recipient.phone in holiday_phones:
                    continue
                holiday_phones.add(recipient.phone)
            body = greeting_sms(recipient.name, greeting.occasions, self._locale,
                                dealer=self._dealer, hotline=self._hotline)
            messages.append(repo.QueuedSms(recipient.customer_id, recipient.phone, SMS_KIND,
                                           body, greeting.dedupe_key(recipient.customer_id)))
        return await repo.queue_many(conn, messages)

