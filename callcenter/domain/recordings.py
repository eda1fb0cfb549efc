"""Recordings: the rules that need no I/O — waveform peaks, phone-digit search keys,
search filters and their keyset cursor, and where a recording's file may live."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
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
