"""What an incoming caller ID says: a number to match, a withheld one, or something else."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.domain.phones import InvalidPhone, is_withheld, normalize_phone


@dataclass(frozen=True, slots=True)
class CallerNumber:
    raw: str
    e164: str | None
    withheld: bool

    def to_dict(self) -> dict[str, object]:
        return {"raw": self.raw, "e164": self.e164, "withheld": self.withheld}


def classify(raw: str, region: str) -> CallerNumber:
    """+86, 0086, the trunk 0, area codes, spaces and dashes all reduce to one E.164."""
    if is_withheld(raw):
        return CallerNumber(raw, None, withheld=True)
    try:
        return CallerNumber(raw, normalize_phone(raw, region), withheld=False)
    except InvalidPhone:
        return CallerNumber(raw, None, withheld=False)
