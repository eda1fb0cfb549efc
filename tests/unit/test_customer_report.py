"""The customers report's rules without a database: the region of an address or of a
phone's geocoder description, the vehicle age buckets, the visit grades, the lost
months' choices, and the export keeping a formula-like text as text."""

from __future__ import annotations

import io
import time
from datetime import date

import phonenumbers
from openpyxl import load_workbook
from phonenumbers import geocoder

from callcenter.domain.customer_report import (
    LOST_MONTHS,
    PROVINCES,
    age_bucket,
    phone_region_rows,
    province_of,
    vehicle_ages,
    visit_grades,
    years_between,
)
from callcenter.services.customer_report import _months_before, customers_xlsx


def test_the_province_an_address_starts_with_in_full_or_short() -> None:
    assert province_of("广东省深圳市南山区科技园") == "广东"
    assert province_of("广东深圳南山") == "广东"
    assert province_of("  中国 内蒙古自治区呼和浩特市") == "内蒙古"
    assert province_of("中华人民共和国广西壮族自治区南宁市") == "广西"
    assert province_of("北京市朝阳区") == "北京"
    assert province_of("陕西省西安市") == "陕西" and province_of("山西省太原市") == "山西"
    assert province_of("黑龙江省哈尔滨市") == "黑龙江"
    assert province_of("香港特别行政区") == "香港"
    # a city without its province, or no address: the phone decides (PostgreSQL)
    assert province_of("深圳市南山区") is None
    assert province_of("") is None and province_of(None) is None
    assert len(PROVINCES) == len(set(PROVINCES)) == 34


def test_a_phones_province_from_the_geocoder_data() -> None:
    data = {"86755": {"zh": "广东省深圳市", "en": "Shenzhen, Guangdong"},
            "861300001": {"zh": "江苏省常州市"}, "8610": {"zh": "北京市"},
            "86471": {"zh": "内蒙古呼和浩特市"}, "1415": {"zh": "加利福尼亚州"},
            "86999": {"en": "Yili"}}
    assert dict(phone_region_rows(data)) == {"86755": "广东", "861300001": "江苏",
                                             "8610": "北京", "86471": "内蒙古"}


def test_the_geocoder_names_chinese_landlines_and_mobiles_quickly() -> None:
    """What the region rests on: a landline's area code and a mobile's segment give a
    province; the library's lookup is tens of microseconds a number."""
    def described(number: str) -> str:
        return str(geocoder.description_for_number(phonenumbers.parse(number), "zh"))

    assert province_of(described("+862083336666")) == "广东"  # Guangzhou landline
    assert province_of(described("+861065529988")) == "北京"
    assert province_of(described("+864711234567")) == "内蒙古"
    assert province_of(described("+8613800138000")) == "北京"  # a mobile segment
    began = time.perf_counter()
    for n in range(2000):
        described(f"+86139{n * 7919 % 100_000_000:08d}")
    assert (time.perf_counter() - began) / 2000 < 0.001


def test_vehicle_age_in_whole_years_and_its_buckets() -> None:
    as_of = date(2026, 11, 30)
    assert years_between(date(2025, 11, 30), as_of) == 1
    assert years_between(date(2025, 12, 1), as_of) == 0
    assert years_between(date(2024, 2, 29), date(2025, 2, 28)) == 0
    assert years_between(date(2024, 2, 29), date(2025, 3, 1)) == 1
    assert [age_bucket(date.fromisoformat(d), as_of) for d in (
        "2026-11-30", "2025-12-01", "2025-11-30", "2023-12-01", "2023-11-30",
        "2021-12-01", "2021-11-30", "2001-01-01")] == [
        "0-1", "0-1", "1-3", "1-3", "3-5", "3-5", "5+", "5+"]
    assert age_bucket(date(2026, 12, 1), as_of) is None  # not delivered yet that day
    assert vehicle_ages([(date(2026, 6, 1), 2), (None, 3), (date(2027, 1, 1), 5),
                         (date(2019, 1, 1), 1)], as_of) == {
        "0-1": 2, "1-3": 0, "3-5": 0, "5+": 1, "unknown": 3}


def test_visit_grades_put_everyone_else_in_grade_zero() -> None:
    assert visit_grades(10, {"1": 3, "2-3": 2, "4+": 1}) == {"0": 4, "1": 3, "2-3": 2,
                                                            "4+": 1}
    assert visit_grades(0, {}) == {"0": 0, "1": 0, "2-3": 0, "4+": 0}


def test_months_before_as_postgresql_counts_them() -> None:
    assert _months_before(date(2026, 11, 30), 12) == date(2025, 11, 30)
    assert _months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert _months_before(date(2026, 1, 15), 3) == date(2025, 10, 15)
    assert 12 in LOST_MONTHS


def test_the_export_keeps_a_formula_like_model_as_text() -> None:
    reply = {"to": "2026-11-30", "by": "model", "lost_months": 12, "customers": 2,
             "vehicles": 3,
             "rows": [{"value": '=HYPERLINK("x")', "count": 2, "share": 0.6667},
                      {"value": None, "count": 1, "share": 0.3333}],
             "lost": {"customers": 1, "share": 0.5, "win_back_called": 1, "won_back": 0,
                      "won_back_rate": 0.0}}
    sheet = load_workbook(io.BytesIO(customers_xlsx(reply, "en"))).active
    assert sheet["A6"].value == '=HYPERLINK("x")' and sheet["A6"].data_type == "s"
    assert [c.value for c in sheet[7]] == ["Unknown", 1, 0.3333]
    assert sheet["A9"].value == "Lost customers (no visit for 12 months)"
