"""Which greeting a customer gets on a day: birthdays and the holidays (docs/greetings.md).

The holidays are New Year's Day (1 January), National Day (1 October) and four lunar
ones, computed with lunar-python: Spring Festival (1st of the 1st lunar month),
Lantern Festival (15/1), Dragon Boat (5/5) and Mid-Autumn (15/8).

Rules (the issue left them open; decided here):
- A birthday on 29 February is celebrated on 28 February in common years (as usual
  in China), so such a customer gets one birthday greeting every year.
- One greeting per customer per day. A birthday on a holiday wins: the customer gets
  the birthday greeting, not the holiday's (a second SMS the next day would be a day
  late for the holiday). Two holidays on one day (Mid-Autumn on National Day, as in
  2020) make one greeting naming both.
- A greeting is sent once per customer, occasion and year (``dedupe_key``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from lunar_python import Lunar  # type: ignore[import-untyped]  # ships no types
from phonenumbers import PhoneMetadata


class Occasion(StrEnum):
    BIRTHDAY = "birthday"
    NEW_YEAR = "new_year"
    SPRING_FESTIVAL = "spring_festival"
    LANTERN_FESTIVAL = "lantern_festival"
    DRAGON_BOAT = "dragon_boat"
    MID_AUTUMN = "mid_autumn"
    NATIONAL_DAY = "national_day"


# The holidays in the order their names are written when two fall on one day.
HOLIDAYS = (Occasion.NEW_YEAR, Occasion.SPRING_FESTIVAL, Occasion.LANTERN_FESTIVAL,
            Occasion.DRAGON_BOAT, Occasion.NATIONAL_DAY, Occasion.MID_AUTUMN)
_SOLAR = {Occasion.NEW_YEAR: (1, 1), Occasion.NATIONAL_DAY: (10, 1)}
# (lunar month, lunar day); leap months are never holidays.
_LUNAR = {Occasion.SPRING_FESTIVAL: (1, 1), Occasion.LANTERN_FESTIVAL: (1, 15),
          Occasion.DRAGON_BOAT: (5, 5), Occasion.MID_AUTUMN: (8, 15)}
# lunar-python's range is far wider; this is the range the dates were checked over.
FIRST_YEAR, LAST_YEAR = 1900, 2100


@cache
def holidays(year: int) -> dict[Occasion, date]:
    """The date of each holiday in the Gregorian ``year``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"holidays are known for {FIRST_YEAR}-{LAST_YEAR}, not {year}")
    days = {occasion: date(year, month, day) for occasion, (month, day) in _SOLAR.items()}
    for occasion, (month, day) in _LUNAR.items():
        # Every lunar holiday of these falls inside the Gregorian year its lunar year
        # starts in (Spring Festival is between 21 January and 20 February).
        solar = Lunar.fromYmd(year, month, day).getSolar()
        days[occasion] = date(solar.getYear(), solar.getMonth(), solar.getDay())
    return {occasion: days[occasion] for occasion in HOLIDAYS}


@cache
def holidays_on(day: date) -> tuple[Occasion, ...]:
    """The holidays falling on ``day``, in ``HOLIDAYS`` order (usually none or one)."""
    return tuple(o for o, when in holidays(day.year).items() if when == day)


def birthday_in(birthday: date, year: int) -> date:
    """The day a birthday is celebrated in ``year``: 29 February -> 28 February in a
    common year."""
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birthday.replace(year=year)


def birthdays_celebrated_on(day: date) -> tuple[tuple[int, int], ...]:
    """The (month, day) of the birth dates celebrated on ``day``: for a query that finds
    the day's birthdays without computing every customer's."""
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        return ((2, 28), (2, 29))
    return ((day.month, day.day),)


@dataclass(frozen=True, slots=True)
class Greeting:
    """What one customer gets on one day: a birthday, or the day's holidays."""

    occasions: tuple[Occasion, ...]
    year: int

    @property
    def is_birthday(self) -> bool:
        return self.occasions == (Occasion.BIRTHDAY,)

    @property
    def key(self) -> str:
        """The occasion part of the dedupe key: ``birthday``, ``mid_autumn`` or
        ``national_day+mid_autumn``."""
        return "+".join(self.occasions)

    def dedupe_key(self, customer_id: int) -> str:
        return f"greeting:{customer_id}:{self.key}:{self.year}"


def greeting_for(birthday: date | None, day: date) -> Greeting | None:
    """The greeting a customer born on ``birthday`` (None: unknown) gets on ``day``."""
    if birthday is not None and birthday_in(birthday, day.year) == day:
        return Greeting((Occasion.BIRTHDAY,), day.year)
    holiday = holidays_on(day)
    return Greeting(holiday, day.year) if holiday else None


def mobile_pattern(region: str) -> str:
    """A regular expression (PostgreSQL's and Python's alike) for the E.164 mobile
    numbers of ``region``: greetings go to mobiles, never to a landline."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.mobile is None or not meta.mobile.national_number_pattern:
        raise ValueError(f"no mobile numbers known for region {region!r}")
    return rf"^\+{meta.country_code}(?:{meta.mobile.national_number_pattern})$"
