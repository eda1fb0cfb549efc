"""Recordings: the rules that need no I/O — waveform peaks, phone-digit search keys,
search filters and their keyset cursor, and where a recording's file may live."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
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
MIN_PHONE_DIGITS = 3


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


def _int(params: Mapping[str, str], name: str, low: int = 0) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 15 or int(raw) < low:
        raise ValidationError(f"{name}: a whole number >= {low} is required", field=name)
    return int(raw)


def _time(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{name}: an ISO 8601 date or time is required",
                              field=name) from None
    if value.tzinfo is None:
        raise ValidationError(f"{name}: give the time zone (e.g. +08:00)", field=name)
    return value


def _choice(params: Mapping[str, str], name: str, allowed: Sequence[str]) -> str | None:
    raw = params.get(name)
    if not raw:
        return None
    if raw not in allowed:
        raise ValidationError(f"{name}: one of {', '.join(allowed)}", field=name)
    return raw


def parse_filters(params: Mapping[str, str], words: Sequence[str] = ()) -> SearchFilters:
    """Query-string parameters to filters (docs/recordings.md lists them); ``words`` are
    the already segmented free-text words of ``q``."""
    phone = params.get("phone", "").strip()
    digits = "".join(c for c in phone if c.isdigit())
    if phone and (len(digits) < MIN_PHONE_DIGITS or len(digits) != len(
            phone.replace(" ", "").replace("-", "").lstrip("+"))):
        raise ValidationError(f"phone: at least {MIN_PHONE_DIGITS} digits", field="phone")
    if phone.startswith("+86"):
        digits = digits[2:]
    # Few digits are most often the end of the number ("the last 4"); many digits are
    # typed from its start. Both are prefix searches on an index.
    suffix = digits[::-1] if digits and params.get("phone_match", "end") == "end" else None
    prefix = digits if digits and suffix is None else None
    name = params.get("customer", "").strip() or None
    if name is not None and len(name) > 100:
        raise ValidationError("customer: at most 100 characters", field="customer")
    complaint = params.get("complaint", "")
    has_complaint = {"yes": True, "no": False}.get(complaint)
    if complaint and has_complaint is None and not complaint.isdigit():
        raise ValidationError("complaint: yes, no or a complaint id", field="complaint")
    limit = _int(params, "limit", 1) or 50
    return SearchFilters(
        since=_time(params, "from"), until=_time(params, "to"),
        agent_id=_int(params, "agent_id", 1), customer_id=_int(params, "customer_id", 1),
        customer_name=name, phone_prefix=prefix, phone_suffix_rev=suffix,
        direction=_choice(params, "direction", DIRECTIONS),
        disposition=_choice(params, "disposition", DISPOSITIONS),
        min_ms=None if (v := _int(params, "min_seconds")) is None else v * 1000,
        max_ms=None if (v := _int(params, "max_seconds")) is None else v * 1000,
        followup_kind=_choice(params, "followup_kind", FOLLOWUP_KINDS),
        followup_result=_choice(params, "followup_result", FOLLOWUP_RESULTS),
        followup_id=_int(params, "followup_id", 1),
        complaint_id=int(complaint) if complaint.isdigit() else None,
        has_complaint=has_complaint,
        category=_choice(params, "category", CATEGORIES),
        words=tuple(words), limit=min(limit, MAX_LIMIT),
        after=decode_cursor(params["cursor"]) if params.get("cursor") else None)


def like_prefix(text: str) -> str:
    """A LIKE pattern for "starts with ``text``", its wildcards escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
