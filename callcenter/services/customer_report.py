"""The customers report for supervisors (docs/reports.md "Customers"): as of a day, the
customers by value level, temperament and region, their vehicles by model and age, the
customers by visits in the 12 months up to the day, the lost customers (no visit for N
months) and the win-back calls that brought some back; as a plain dict (the HTTP reply's
shape) and as an xlsx workbook.

Reads only the summaries of migration 0016 and the win-back calls' index, whatever the
number of customers. At start, ``prepare`` fills the region tables from the phonenumbers
data and rebuilds the summaries when that data or the center's zone changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from calendar import monthrange
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

from callcenter.db.customer_report import CustomerReportStore
from callcenter.domain.customer_report import (
    LOST_MONTHS,
    PROVINCES,
    VISIT_GRADES,
    CustomersBy,
    phone_region_rows,
    share,
    vehicle_ages,
    visit_grades,
)
from callcenter.domain.reports import ratio
from callcenter.errors import ValidationError
from callcenter.services.workbooks import workbook

log = logging.getLogger(__name__)

BY = tuple(b.value for b in CustomersBy)
VALUE_LEVELS = ("vip", "key", "normal")
TEMPERAMENTS = ("decisive", "sociable", "analytical", "venting", "cautious")
# the breakdowns that count vehicles; the others count customers
VEHICLE_BREAKDOWNS = (CustomersBy.MODEL, CustomersBy.AGE)
# the days a report may be as of: its windows (24 months back, a day on) stay dates
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def regions_version() -> str:
    """What the region tables are made of: the library's data and the province list."""
    names = hashlib.sha256(",".join(PROVINCES).encode()).hexdigest()[:12]
    return f"phonenumbers {phonenumbers.__version__}, provinces {names}"


def _phone_rows() -> list[tuple[str, str]]:
    from phonenumbers.geodata import GEOCODE_DATA  # about 40 MB: loaded only here

    return list(phone_region_rows(GEOCODE_DATA))


async def prepare(store: CustomerReportStore) -> bool:
    """At start, after the reports' zone is set: rebuild the regions and summaries when
    their data or the zone changed (True then)."""
    state, version = await store.state(), regions_version()
    if state.regions == version and state.tz == state.zone:
        return False
    began = asyncio.get_running_loop().time()
    phones = await asyncio.to_thread(_phone_rows)
    await store.rebuild(version, ((p, p) for p in PROVINCES), phones)
    log.info("customers report: regions and summaries rebuilt (%s, zone %s) in %.1f s",
             version, state.zone, asyncio.get_running_loop().time() - began)
    return True


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (that month's last day when it is shorter), as
    PostgreSQL's ``date - interval``."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


async def customers_report(store: CustomerReportStore, as_of: date, by: str,
                           lost_months: int, tz: ZoneInfo) -> dict[str, Any]:
    """The figures as of the day ``as_of`` (center's zone); ``rows`` hold the breakdown
    ``by``; ``lost`` the customers with no visit for ``lost_months`` months."""
    if by not in BY:
        raise ValidationError(f"by must be one of {', '.join(BY)}", field="by")
    if not FIRST_DAY <= as_of <= LAST_DAY:
        raise ValidationError(f"to must be from {FIRST_DAY} to {LAST_DAY}", field="to")
    if lost_months not in LOST_MONTHS:
        raise ValidationError(
            f"lost_months must be one of {', '.join(map(str, LOST_MONTHS))}",
            field="lost_months")
    window_start = _midnight(_months_before(as_of, lost_months) + timedelta(days=1), tz)
    groups, deliveries, states, (called, won_back) = await asyncio.gather(
        store.groups(), store.deliveries(), store.visit_states(as_of, lost_months),
        store.win_backs(window_start, _midnight(as_of + timedelta(days=1), tz)))
    counts: dict[str, dict[str, int]] = {}
    for dimension, value, count in groups:
        counts.setdefault(dimension, {})[value] = count
    customers = counts.get("all", {}).get("", 0)
    vehicles = counts.get("vehicles", {}).get("", 0)
    found: dict[str, int]
    if by == CustomersBy.AGE:
        found = vehicle_ages(deliveries, as_of)
    elif by == CustomersBy.VISITS:
        found = visit_grades(customers, {g: states.get(f"grade:{g}", 0)
                                         for g in VISIT_GRADES[1:]})
    else:
        found = _listed(by, counts.get(by, {}))
    whole = vehicles if by in VEHICLE_BREAKDOWNS else customers
    lost = states.get(f"lost:{lost_months}", 0)
    return {
        "to": as_of.isoformat(), "by": by, "lost_months": lost_months,
        "customers": customers, "vehicles": vehicles,
        "rows": [{"value": None if value == "none" else value, "count": count,
                  "share": share(count, whole)} for value, count in found.items()],
        "lost": {"customers": lost, "share": share(lost, customers),
                 "win_back_called": called, "won_back": won_back,
                 "won_back_rate": ratio(won_back, called)},
    }


def _listed(by: str, found: dict[str, int]) -> dict[str, int]:
    """Value levels and temperaments in their own order (every one listed); regions and
    models by count, the unknown last."""
    if by == CustomersBy.VALUE_LEVEL:
        return {v: found.get(v, 0) for v in VALUE_LEVELS}
    if by == CustomersBy.TEMPERAMENT:
        return {v: found.get(v, 0) for v in (*TEMPERAMENTS, "none")}
    ranked = dict(sorted(found.items(), key=lambda item: (item[0] == "none", -item[1],
                                                          item[0])))
    return ranked


# -- export ---------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "sheet": "客户", "as_of": "截至", "customers": "客户数", "vehicles": "车辆数",
        "count": "数量", "share": "占比", "none": "未知",
        "by.value_level": "客户价值", "by.temperament": "性格类型", "by.region": "地区",
        "by.model": "车型", "by.age": "车龄（年）", "by.visits": "近12个月进厂次数",
        "lost": "流失客户（{months}个月未进厂）", "lost_share": "流失占比",
        "win_back_called": "已完成挽回回访", "won_back": "挽回后回厂",
        "won_back_rate": "挽回率",
    },
    "en": {
        "sheet": "Customers", "as_of": "As of", "customers": "Customers",
        "vehicles": "Vehicles", "count": "Count", "share": "Share", "none": "Unknown",
        "by.value_level": "Value level", "by.temperament": "Temperament",
        "by.region": "Region", "by.model": "Vehicle model", "by.age": "Vehicle age (years)",
        "by.visits": "Visits in the last 12 months",
        "lost": "Lost customers (no visit for {months} months)", "lost_share": "Lost share",
        "win_back_called": "Win-back calls completed", "won_back": "Came back after one",
        "won_back_rate": "Won-back rate",
    },
}


def customers_xlsx(reply: dict[str, Any], locale: str) -> bytes:
    """One sheet: the day, the totals, the breakdown's rows (shares as fractions), and
    the lost customers. Values are written as the API names them."""
    labels = _LABELS.get(locale, _LABELS["zh-CN"])
    lost = reply["lost"]
    rows: list[list[object]] = [
        [labels["as_of"], reply["to"]],
        [labels["customers"], reply["customers"]],
        [labels["vehicles"], reply["vehicles"]],
        [],
        [labels[f"by.{reply['by']}"], labels["count"], labels["share"]],
        *([labels["none"] if row["value"] is None else row["value"], row["count"],
           row["share"]] for row in reply["rows"]),
        [],
        [labels["lost"].format(months=reply["lost_months"]), lost["customers"]],
        [labels["lost_share"], lost["share"]],
        [labels["win_back_called"], lost["win_back_called"]],
        [labels["won_back"], lost["won_back"]],
        [labels["won_back_rate"], lost["won_back_rate"]],
    ]
    return workbook([(labels["sheet"], rows)])

