"""Recordings: the rules that need no I/O — waveform peaks, phone-digit search keys,
search filters, their keyset cursor and index keys (name prefixes, the periods that
cover a date range), the bounded total, and where a recording's file may live."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath

from callcenter.errors import ValidationError

PEAKS = 200
PEAK_SCALE = 100
DIRECTIONS = ("inbound", "outbound", "internal")
DISPOSITIONS = ("answered", "busy", "no_answer", "unreachable", "failed", "abandoned",
                "agent_no_answer", "wrong_number")
CATEGORIES = ("inquiry", "complaint", "appointment", "followup", "other")
FOLLOWUP_KINDS = ("sales", "service", "maintenance_reminder", "win_back",
                  "dormant_prospect", "complaint_check")
FOLLOWUP_RESULTS = ("satisfied", "dissatisfied")
MAX_LIMIT = 200
# A search's total is counted exactly up to this many matches; past it the page says
# "more than COUNT_BOUND" (counting every match of a broad search would read millions
# of index entries for a figure nobody needs to the unit).
COUNT_BOUND = 1000


def peaks(samples: Sequence[int], full_scale: int, count: int = PEAKS) -> list[int]:
    """The loudest |sample| of each of ``count`` equal slices, scaled to 0..100: enough
    for the page to draw a waveform without decoding the audio."""
    if not samples or full_scale <= 0:
        return [0] * count
    n = len(samples)
    out = []
    for i in range(count):
        start, end = i * n // count, max((i + 1) * n // count, i * n // count + 1)
        chunk = samples[start:min(end, n)]
        loudest = max((abs(s) for s in chunk), default=0)
        out.append(min(PEAK_SCALE, round(PEAK_SCALE * loudest / full_scale)))
    return out


def phone_digits(number: str | None) -> str | None:
    """The national digits of a number as people type them (+8613800138000 ->
    13800138000); other countries keep their code."""
    if not number:
        return None
    digits = "".join(c for c in number if c.isdigit())
    if number.startswith("+86"):
        digits = digits[2:]
    return digits or None


def reversed_digits(number: str | None) -> str | None:
    digits = phone_digits(number)
    return digits[::-1] if digits else None


def inside(root: Path, relative: str) -> Path:
    """The file a row's relative path names, refused unless it stays inside ``root``
    (a row written by hand or a bug must not make the server read /etc/passwd)."""
    rel = PurePosixPath(relative)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValidationError("recording path escapes the recordings folder")
    base = root.resolve()
    target = (base / rel).resolve()
    if not target.is_relative_to(base):
        raise ValidationError("recording path escapes the recordings folder")
    return target


@dataclass(frozen=True)
class SearchFilters:
    """A search as the SQL takes it: None means "any"."""

    since: datetime | None = None
    until: datetime | None = None
    agent_id: int | None = None
    customer_id: int | None = None
    customer_name: str | None = None      # a prefix, e.g. 张 or 张伟
    phone_prefix: str | None = None       # national digits the number starts with
    phone_suffix_rev: str | None = None   # reversed digits the number ends with
    direction: str | None = None
    disposition: str | None = None
    min_ms: int | None = None
    max_ms: int | None = None
    followup_kind: str | None = None
    followup_result: str | None = None
    followup_id: int | None = None
    complaint_id: int | None = None
    has_complaint: bool | None = None
    category: str | None = None
    words: tuple[str, ...] = ()
    limit: int = 50
    after: tuple[datetime, int] | None = None  # keyset: (started_at, id) of the last row

    def restricted_to(self, agent_id: int) -> SearchFilters:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return SearchFilters(**{**values, "agent_id": agent_id})


def encode_cursor(started_at: datetime, recording_id: int) -> str:
    raw = f"{started_at.isoformat()}|{recording_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, rid = raw.partition("|")
        return datetime.fromisoformat(when), int(rid)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError("cursor: not a cursor this server gave", field="cursor") from None


def phone_keys(phone: str | None, match: str = "end") -> tuple[str | None, str | None]:
    """A phone filter as typed to its index keys: (national digits the number starts
    with, reversed digits it ends with), one of them set. Few digits are most often the
    end of the number ("the last 4"); many digits are typed from its start. Both are
    prefix searches on an index."""
    digits = "".join(c for c in phone or "" if "0" <= c <= "9")
    if not digits:
        return None, None
    if (phone or "").strip().startswith("+86"):
        digits = digits[2:]
    return (None, digits[::-1]) if match == "end" else (digits, None)


def like_prefix(text: str) -> str:
    """A LIKE pattern for "starts with ``text``", its wildcards escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def name_keys(prefix: str) -> tuple[str | None, str | None, str | None, str | None]:
    """A customer name prefix as its index keys: (LIKE pattern, first character, first
    two, first three), the unneeded ones None. Up to three characters are an equality
    on an index in page order; a longer prefix keeps its LIKE on the three-character
    range."""
    size = min(len(prefix), 3)
    key = prefix[:3]
    return (like_prefix(prefix) if len(prefix) > 3 else None, key if size == 1 else None,
            key if size == 2 else None, key if size == 3 else None)


def _month_end(day: date) -> date:
    following = day.replace(day=28) + timedelta(days=4)
    return following - timedelta(days=following.day)


def covering_periods(since: datetime, until: datetime | None, now: datetime) -> list[str]:
    """The fewest UTC months and days (as search_tsv pairs them with words: ``~m202605``,
    ``~d20260509``) that together cover [since, until). An open end is covered to the
    end of next year: no call starts later than that."""
    first = since.astimezone(UTC).date()
    last = (until - timedelta(microseconds=1)).astimezone(UTC).date() if until else \
        date(now.astimezone(UTC).year + 1, 12, 31)
    periods, day = [], first
    while day <= last:
        if day.day == 1 and _month_end(day) <= last:
            periods.append(f"~m{day:%Y%m}")
            day = _month_end(day) + timedelta(days=1)
        else:
            periods.append(f"~d{day:%Y%m%d}")
            day += timedelta(days=1)
    return periods


def utc_midnight(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def is_utc_midnight(at: datetime | None) -> bool:
    return at is None or utc_midnight(at) == at


PAGE_WINDOW_DAYS = (1, 7, 49, 343)
# A count reads no table outside the partial days, only postings: a first range of a
# week saves a query for little more reading.
COUNT_WINDOW_DAYS = (7, 49, 343)


def newest_first_windows(since: datetime | None, until: datetime | None, anchor: datetime,
                         edges: tuple[int, ...] = PAGE_WINDOW_DAYS,
                         ) -> list[tuple[datetime | None, datetime | None]]:
    """[since, until) cut into date ranges newest first, ``anchor`` being the newest time
    a match can start at (until, the cursor or now): from ``edges`` days before the UTC
    midnight before it (a page: 1, 7, 49, 343), then the rest. A word search reads them
    in turn and stops once its page (or its count) is full, so a common word costs a day
    or two of calls, not the whole table, and a rare one reads older ranges only if the
    newer ones held too few. Every bound is a UTC midnight except since and until
    themselves, whose partial days are ranges of their own: only there must the exact
    time be read from the table (the words' day and month terms answer the rest)."""
    windows: list[tuple[datetime | None, datetime | None]] = []
    top = until
    if until is not None and not is_utc_midnight(until) and (
            since is None or utc_midnight(until) > since):
        windows.append((utc_midnight(until), until))
        top = utc_midnight(until)
    base = utc_midnight(anchor)
    for days in edges:
        edge = base - timedelta(days=days)
        if top is not None and edge >= top:
            continue
        if since is not None and edge <= since:
            break
        windows.append((edge, top))
        top = edge
    if since is not None and not is_utc_midnight(since):
        first_whole_day = utc_midnight(since) + timedelta(days=1)
        if top is None or first_whole_day < top:
            windows.append((first_whole_day, top))
            top = first_whole_day
    windows.append((since, top))
    return windows


def bounded_total(counted: int) -> tuple[int, bool]:
    """(total, total_is_lower_bound) from a count that stopped at COUNT_BOUND + 1."""
    return (COUNT_BOUND, True) if counted > COUNT_BOUND else (counted, False)
