"""The customers report's rules (docs/reports.md "Customers"). Pure: no I/O.

- A customer's **region** is a province-level name in its short form (广东, 内蒙古,
  北京): the one their address starts with, else the one of their first phone, which
  the phonenumbers geocoder names for a Chinese number (a landline's area code, a
  mobile's number segment: "广东省深圳市" is 广东). PostgreSQL applies the rule as the
  rows are written (migration 0016) from the two tables this module's rows fill.
- **Vehicle age**: whole years from the delivery day (the sale day when there is none)
  to the report's day, in the buckets of ``AGE_BUCKETS``.
- **Visit grades** (visits in the 12 months up to the day) and **lost for N months**
  are kept as day events by PostgreSQL; N is one of ``LOST_MONTHS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from enum import StrEnum

# Every province-level division by the short form people write first in an address;
# a full name (广东省, 广西壮族自治区, 北京市) starts with it.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南",
    "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏",
    "宁夏", "新疆", "香港", "澳门",
)
# What an address may begin with before its province.
_COUNTRY = ("中华人民共和国", "中国")

# The N of "no visit for N months" a report may ask for: each is a summary PostgreSQL
# keeps (report_lost_months() in migration 0016 lists the same).
LOST_MONTHS = (3, 6, 9, 12, 18, 24)
DEFAULT_LOST_MONTHS = 12

# Visits in the last 12 months: the grades, from none to frequent.
VISIT_GRADES = ("0", "1", "2-3", "4+")


class CustomersBy(StrEnum):
    VALUE_LEVEL = "value_level"
    TEMPERAMENT = "temperament"
    REGION = "region"
    MODEL = "model"
    AGE = "age"
    VISITS = "visits"


# (name, the youngest age in whole years it holds); the last one holds every older one
AGE_BUCKETS = (("0-1", 0), ("1-3", 1), ("3-5", 3), ("5+", 5))
UNKNOWN_AGE = "unknown"  # neither delivery nor sale day


def province_of(text: str | None) -> str | None:
    """The province an address or a geocoder's description starts with."""
    rest = (text or "").strip()
    for country in _COUNTRY:
        if rest.startswith(country):
            rest = rest[len(country):].lstrip()
            break
    return next((p for p in PROVINCES if rest.startswith(p)), None)


def phone_region_rows(descriptions: Mapping[str, Mapping[str, str]]) -> Iterator[tuple[str, str]]:
    """(prefix, province) for each Chinese prefix (digits after the +, "86755") the
    geocoder's data (``phonenumbers.geodata.GEOCODE_DATA``: prefix -> language ->
    description) describes in Chinese with a province."""
    for prefix, by_language in descriptions.items():
        if prefix.startswith("86"):
            province = province_of(by_language.get("zh"))
            if province:
                yield prefix, province


def years_between(start: date, end: date) -> int:
    """Whole years from ``start`` to ``end`` (a birthday-style count: 29 February counts
    its year on 1 March)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_bucket(delivered: date, as_of: date) -> str | None:
    """The age bucket of a vehicle delivered on ``delivered``; None when it was delivered
    after ``as_of`` (not on the road yet that day)."""
    if delivered > as_of:
        return None
    age = years_between(delivered, as_of)
    return next(name for name, youngest in reversed(AGE_BUCKETS) if age >= youngest)


def vehicle_ages(delivered: Iterable[tuple[date | None, int]], as_of: date) -> dict[str, int]:
    """Vehicles by age bucket on ``as_of`` from counts by delivery day (None: unknown);
    every bucket listed, ``unknown`` last; vehicles delivered later are left out."""
    out = {name: 0 for name, _ in AGE_BUCKETS} | {UNKNOWN_AGE: 0}
    for day, count in delivered:
        bucket = UNKNOWN_AGE if day is None else age_bucket(day, as_of)
        if bucket is not None:
            out[bucket] += count
    return out


def visit_grades(customers: int, graded: Mapping[str, int]) -> dict[str, int]:
    """Customers by grade: ``graded`` has the customers of grades 1, 2-3 and 4+ on the
    day; grade 0 is every other customer on record."""
    rest = customers - sum(graded.get(g, 0) for g in VISIT_GRADES[1:])
    return {"0": rest, **{g: graded.get(g, 0) for g in VISIT_GRADES[1:]}}


def share(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)
