"""The hotline's menu rules: business hours, the days and slots offered, key parsing and
the strikes rule. Pure: the FastAGI flow (telephony/hotline.py) asks, this module decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

# How many days ahead the IVR offers, starting today.
BOOKING_DAYS = 7
# A slot must start at least this long after the call to be offered: the workshop needs
# time to prepare, and a caller cannot reach a slot that starts while they listen.
BOOKING_LEAD = timedelta(minutes=30)
# One key per option: 1..9.
MAX_OPTIONS = 9
MAX_WRONG_KEYS = 3
MAX_TIMEOUTS = 2
# A registered phone number has at least this many digits; fewer are a plate's digits.
MIN_PHONE_DIGITS = 7
MIN_PLATE_DIGITS = 3

ANY_KEY = "0123456789*#"


class Language(StrEnum):
    """What the hotline speaks: Asterisk's channel language, which picks the folder of
    every prompt and of the files that ``say`` streams (zh: <sounds>/zh/...)."""

    ZH = "zh"
    EN = "en"

    @property
    def other(self) -> Language:
        return Language.EN if self is Language.ZH else Language.ZH


# At the greeting, this key switches to the other language for the rest of the call.
LANGUAGE_KEY = "9"


class Prompt(StrEnum):
    """Every recorded prompt the flow can play (scripts/make-prompts generates them from
    dialplans/sounds/prompts.txt, into the ``callcenter/`` folder of Asterisk's sounds,
    one set per language: docs/ivr.md)."""

    WELCOME = "welcome"
    WELCOME_BACK = "welcome-back"
    OTHER_LANGUAGE = "other-language"
    CLOSED_NOW = "closed-now"
    MAIN_MENU = "main-menu"
    IDENTIFY = "identify"
    NOT_FOUND = "not-found"
    NO_VEHICLE = "no-vehicle"
    CHOOSE_VEHICLE = "choose-vehicle"
    CHOOSE_DAY = "choose-day"
    CHOOSE_TIME = "choose-time"
    PRESS = "press"
    FOR = "for"
    YOUR_CHOICE = "your-choice"
    NO_FREE_TIME = "no-free-time"
    APPOINTMENT = "appointment"
    AT = "at"
    CAR = "car"
    # "两点": Mandarin says 2 o'clock with 两, not with Asterisk's digits/2 (二)
    TWO_OCLOCK = "two-oclock"
    CONFIRM = "confirm"
    BOOKED = "booked"
    SLOT_TAKEN = "slot-taken"
    ALREADY_BOOKED = "already-booked"
    NO_APPOINTMENTS = "no-appointments"
    CANCEL_OR_KEEP = "cancel-or-keep"
    CANCELLED = "cancelled"
    GOODBYE = "goodbye"
    INVALID = "invalid"
    TRANSFER = "transfer"

    @property
    def sound(self) -> str:
        """The name Asterisk plays: relative to its sounds folder, without extension."""
        return f"{PROMPT_FOLDER}/{self.value}"


PROMPT_FOLDER = "callcenter"

# A plate's province character and the prompt that says it (province-NAME): Mandarin
# reads the character, English its name.
PROVINCES = {
    "京": "beijing", "津": "tianjin", "沪": "shanghai", "渝": "chongqing", "冀": "hebei",
    "豫": "henan", "云": "yunnan", "辽": "liaoning", "黑": "heilongjiang", "湘": "hunan",
    "皖": "anhui", "鲁": "shandong", "新": "xinjiang", "苏": "jiangsu", "浙": "zhejiang",
    "赣": "jiangxi", "鄂": "hubei", "桂": "guangxi", "甘": "gansu", "晋": "shanxi",
    "蒙": "neimenggu", "陕": "shaanxi", "吉": "jilin", "闽": "fujian", "贵": "guizhou",
    "粤": "guangdong", "青": "qinghai", "藏": "xizang", "川": "sichuan", "宁": "ningxia",
    "琼": "hainan",
}
PROMPTS = frozenset([p.value for p in Prompt]
                    + [f"province-{name}" for name in PROVINCES.values()])

# The files Asterisk 22's main/say.c streams for language zh that the hotline's readbacks
# can reach (SAY NUMBER of an option, SAY ALPHA of a plate's digits, SAY DATETIME with
# the formats below), relative to <sounds>/zh/. dialplans/sounds/say-zh.txt speaks them.
ZH_SAY_FILES = frozenset(
    [f"digits/{n}" for n in (*range(13), 20, 30, 40, 50, 60, 70, 80, 90)]
    + [f"digits/{w}" for w in ("hundred", "thousand", "wan", "yi", "minus", "star", "pound",
                               "oclock", "day", "year", "a-m", "p-m", "today", "yesterday")]
    + [f"digits/mon-{m}" for m in range(12)] + [f"digits/day-{d}" for d in range(7)]
    + ["minute", "second"])


def province_prompt(plate: str) -> str | None:
    """The prompt name of a plate's province character (粤B12345 -> province-guangdong)."""
    name = PROVINCES.get(plate.strip()[:1])
    return f"province-{name}" if name else None


def date_format(language: Language) -> str:
    """SAY DATETIME's format of a day: "Thursday June 5th"; 六月五号星期四."""
    return "BdA" if language is Language.ZH else "ABd"


def time_format(language: Language, at: time) -> str:
    """SAY DATETIME's format of a wall-clock time: "2 30 p m"; 下午两点三十分 (Asterisk's
    zh hour is digits/N + 点, which says 2 as 二: two-oclock says 两点; no minutes on
    the hour, where zh M would say 零零分)."""
    if language is Language.EN:
        return "IMp"
    hour = f"'{Prompt.TWO_OCLOCK.sound}'" if at.hour % 12 == 2 else "I"
    return "p" + hour + ("M" if at.minute else "")


class MenuChoice(StrEnum):
    BOOK = "1"
    MY_APPOINTMENT = "2"
    COMPLAINT = "3"
    AGENT = "0"


class Result(StrEnum):
    """How a session ended (ivr_sessions.result)."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    HEARD = "heard"
    COMPLAINT = "complaint"
    AGENT = "agent"
    WRONG_KEYS = "agent_wrong_keys"
    NO_INPUT = "agent_no_input"
    NOT_IDENTIFIED = "agent_not_identified"
    NO_VEHICLE = "agent_no_vehicle"
    NO_FREE_TIME = "agent_no_free_time"
    HANGUP = "hangup"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """When the service center works (settings CALLCENTER_SERVICE_HOURS, _CLOSED_DAYS,
    _SLOT_MINUTES): what the IVR calls business hours, and how slots are cut."""

    open_at: time = time(8, 30)
    close_at: time = time(18, 0)
    # date.weekday() numbers: 6 is Sunday.
    closed_weekdays: frozenset[int] = frozenset({6})
    slot_minutes: int = 60

    def is_closed_day(self, day: date) -> bool:
        return day.weekday() in self.closed_weekdays

    def slot_times_fit(self) -> bool:
        """Whether an open day has room for at least one slot."""
        opens = datetime.combine(date.min, self.open_at)
        return opens + timedelta(minutes=self.slot_minutes) <= datetime.combine(
            date.min, self.close_at)

    def is_open(self, now: datetime) -> bool:
        """Whether agents are at work: ``now`` in the center's time zone."""
        return not self.is_closed_day(now.date()) and self.open_at <= now.time() < self.close_at

    def booking_days(self, today: date) -> list[date]:
        """The days whose free slots may be offered: today and the next days, never a
        closed day."""
        days = (today + timedelta(days=offset) for offset in range(BOOKING_DAYS))
        return [day for day in days if not self.is_closed_day(day)]

    def slot_times(self, day: date) -> list[tuple[time, time]]:
        """(start, end) wall-clock times of the slots of an open day; none on a closed day."""
        if self.is_closed_day(day) or self.slot_minutes <= 0:
            return []
        slots = []
        step = timedelta(minutes=self.slot_minutes)
        start = datetime.combine(day, self.open_at)
        close = datetime.combine(day, self.close_at)
        while start + step <= close:
            slots.append((start.time(), (start + step).time()))
            start += step
        return slots


DEFAULT_HOURS = ServiceHours()


def parse_menu(digits: str) -> MenuChoice | None:
    try:
        return MenuChoice(digits)
    except ValueError:
        return None


def parse_option(digits: str, count: int) -> int | None:
    """The 0-based index of the option at key position ``digits`` (1..count), or None."""
    if len(digits) == 1 and digits.isdigit() and 1 <= int(digits) <= min(count, MAX_OPTIONS):
        return int(digits) - 1
    return None


@dataclass(frozen=True, slots=True)
class Identification:
    """What an unknown caller typed: a registered phone number or a plate's digits."""

    kind: str  # "phone" or "plate"
    digits: str


def parse_identification(entered: str) -> Identification | None:
    """GET DATA's digits (the terminating # is not included) as a phone or plate."""
    digits = entered.strip().rstrip("#")
    if not digits.isdigit():
        return None
    if len(digits) >= MIN_PHONE_DIGITS:
        return Identification("phone", digits)
    if len(digits) >= MIN_PLATE_DIGITS:
        return Identification("plate", digits)
    return None


_NOT_DIGIT = re.compile(r"\D")
_NOT_SPEAKABLE = re.compile(r"[^A-Za-z0-9]")


def plate_digits(plate: str) -> str:
    """The digits of a plate, what a caller can type: 京A·12345 -> 12345."""
    return _NOT_DIGIT.sub("", plate)


def speakable_plate(plate: str) -> str:
    """The part of a plate Asterisk can spell (SAY ALPHA): Latin letters and digits;
    the province character has no sound file."""
    return _NOT_SPEAKABLE.sub("", plate).upper()


class Verdict(StrEnum):
    ANSWER = "answer"
    RETRY = "retry"
    AGENT = "agent"


@dataclass(slots=True)
class Strikes:
    """The bad-input rule: a wrong key re-prompts, and the third wrong key of the call
    goes to an agent; no key re-prompts once, and a second silence in a row goes to an
    agent (the caller may not be able to use the keypad)."""

    wrong: int = 0
    silent: int = 0

    def judge(self, valid: bool, timed_out: bool) -> Verdict:
        if timed_out:
            self.silent += 1
            return Verdict.AGENT if self.silent >= MAX_TIMEOUTS else Verdict.RETRY
        self.silent = 0
        if valid:
            return Verdict.ANSWER
        self.wrong += 1
        return Verdict.AGENT if self.wrong >= MAX_WRONG_KEYS else Verdict.RETRY
