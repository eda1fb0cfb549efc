"""What a customer search box's text means: a name, phone digits, a plate or a VIN.

One box takes everything an agent may have at hand (docs/customers.md):

- **phone digits**: any run of at least 4 digits of one of the customer's numbers, as
  people read it (the national form: ``18903423667``, ``075581351929``), typed with any
  separators; ``+86``/``0086`` in front is dropped. Also the end of a plate (up to 6
  digits) and of a VIN (6 or more), which are digits too;
- **a plate**: an optional province character, a letter, then letters and digits
  (``粤B·12345``, ``粤B 12345``, ``b12345``); without the province it must hold a digit
  (so ``Bob`` stays a name). Six characters or more without the province may also be a
  VIN's end (``B12345``), and are searched as both;
- **a VIN**: 6 to 17 VIN characters (no I, O, Q) with a digit, from its end;
- **a name** from its beginning: anything else.

The patterns kept here mirror the SQL functions of migration 0019 (``plate_key``,
``plate_bare``, ``phone_national_digits``): both sides reduce text the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from callcenter.errors import ValidationError

MAX_QUERY_LENGTH = 64
MIN_DIGITS = 4
MIN_VIN_TAIL = 6
MAX_PLATE_TAIL_DIGITS = 6  # a plate's serial: 5 digits, 6 on new-energy plates
DEFAULT_LIMIT = 20
MAX_LIMIT = 50

# The provinces' one-character abbreviations, as the first character of a plate.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# What people put inside a plate or a number; plate_key() in SQL deletes the same ones.
SEPARATORS = " ·•.-_()/\u3000"
_SEPARATOR_TABLE = str.maketrans("", "", SEPARATORS)
_PLATE = re.compile(rf"([{PROVINCES}]?)([A-Z][A-Z0-9]{{0,6}})")
_VIN_TAIL = re.compile(r"[A-HJ-NPR-Z0-9]{6,17}")
_COUNTRY = re.compile(r"^(?:\+86|0086|86(?=1[3-9][0-9]{9}$))")


class BadSearch(ValidationError):
    """Search text that cannot be searched (empty, too long, control characters, too
    few digits): a 400 naming the ``q`` field."""


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """What to look for; each set field is one search (phone, plate, VIN, name)."""

    digits: str | None = None  # a run of a phone's national digits
    plate_tail: str | None = None  # digits a plate ends with
    plate_bare: str | None = None  # a plate's start without its province, upper case
    plate_province: str | None = None  # with plate_bare: its province character
    vin_tail: str | None = None  # what a VIN ends with (the whole VIN at 17)
    name_prefix: str | None = None

    @property
    def shapes(self) -> tuple[str, ...]:
        """The searches this query makes, in result order."""
        named = (("phone", self.digits), ("plate", self.plate_bare or self.plate_tail),
                 ("vin", self.vin_tail), ("name", self.name_prefix))
        return tuple(shape for shape, value in named if value)


def like_prefix(text: str) -> str:
    """A LIKE pattern for "starts with ``text``" (its own %, _ and \\ taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def parse_query(raw: str) -> CustomerQuery:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise BadSearch("type a name, phone digits, a plate or a VIN", field="q")
    if len(text) > MAX_QUERY_LENGTH:
        raise BadSearch(f"at most {MAX_QUERY_LENGTH} characters", field="q")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text):
        raise BadSearch("the search holds control characters", field="q")
    compact = text.translate(_SEPARATOR_TABLE).upper()
    if re.fullmatch(r"\+?[0-9]+", compact):
        return _digits_query(compact)
    plate = _PLATE.fullmatch(compact)
    if plate and (plate[1] or any(ch.isdigit() for ch in plate[2])):
        bare = plate[2]
        vin = bare if not plate[1] and _VIN_TAIL.fullmatch(bare) else None
        return CustomerQuery(plate_bare=bare, plate_province=plate[1] or None, vin_tail=vin)
    if _VIN_TAIL.fullmatch(compact) and any(ch.isdigit() for ch in compact):
        return CustomerQuery(vin_tail=compact)
    return CustomerQuery(name_prefix=" ".join(text.split()))


def _digits_query(compact: str) -> CustomerQuery:
    digits = _COUNTRY.sub("", compact).lstrip("+")
    if len(digits) < MIN_DIGITS:
        raise BadSearch(f"type at least {MIN_DIGITS} digits of a number", field="q")
    return CustomerQuery(
        digits=digits,
        plate_tail=digits if len(digits) <= MAX_PLATE_TAIL_DIGITS else None,
        vin_tail=digits if MIN_VIN_TAIL <= len(digits) <= 17 else None)


def merge_matches(found: list[list[int]], limit: int) -> tuple[list[int], bool]:
    """The ids of each search in turn, each customer once, at most ``limit``; and
    whether there are more (a search that filled its ``limit + 1``, or more ids)."""
    ids: dict[int, None] = {}
    for matches in found:
        ids.update(dict.fromkeys(matches))
    more = len(ids) > limit or any(len(matches) > limit for matches in found)
    return list(ids)[:limit], more
