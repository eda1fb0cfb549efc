from datetime import date, datetime
from zoneinfo import ZoneInfo

from callcenter.domain.followups import (
    CREATION_LOOKBACK_DAYS,
    sales_followup_due,
    sales_source_key,
    service_followup_due,
    service_source_key,
    should_create,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_sales_followup_counts_from_delivery() -> None:
    assert sales_followup_due(date(2025, 3, 1), date(2025, 3, 5)) == date(2025, 3, 12)


def test_sales_followup_counts_from_sale_without_delivery() -> None:
    assert sales_followup_due(date(2025, 3, 1), None) == date(2025, 3, 8)
    assert sales_followup_due(None, date(2025, 12, 28)) == date(2026, 1, 4)


def test_sales_followup_needs_a_date() -> None:
    assert sales_followup_due(None, None) is None


def test_service_followup_is_three_local_days_after_settlement() -> None:
    settled = datetime(2025, 3, 1, 10, 0, tzinfo=SHANGHAI)
    assert service_followup_due(settled, SHANGHAI) == date(2025, 3, 4)


def test_service_followup_uses_the_local_calendar() -> None:
    # 23:30 in Shanghai is already 15:30 UTC of the same day; 01:00 Shanghai is the
    # previous day in UTC. Both count from the local date.
    late = datetime(2025, 3, 1, 23, 30, tzinfo=SHANGHAI)
    early = datetime(2025, 3, 1, 1, 0, tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC"))
    assert early.date() == date(2025, 2, 28)
    assert service_followup_due(late, SHANGHAI) == date(2025, 3, 4)
    assert service_followup_due(early, SHANGHAI) == date(2025, 3, 4)


def test_source_keys() -> None:
    assert sales_source_key("LSVAU2180N2183294") == "sales:LSVAU2180N2183294"
    assert service_source_key("V2025-0001") == "service:V2025-0001"


def test_creation_rule() -> None:
    today = date(2025, 6, 30)
    assert should_create(date(2025, 7, 7), today)  # due in the future
    assert should_create(today, today)
    assert should_create(date(2025, 5, 31), today)  # exactly the lookback ago
    assert CREATION_LOOKBACK_DAYS == 30
    assert not should_create(date(2025, 5, 30), today)
    assert not should_create(date(2020, 1, 8), today)  # a car sold years ago
    assert should_create(date(2025, 5, 30), today, lookback_days=31)
