"""SMS texts: Chinese by default, English on request, one table for both."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from callcenter.domain.sms_texts import (
    TEXTS,
    appointment_cancelled,
    appointment_confirmation,
    followup_sms,
)

FOLLOWUP_KINDS = ("sales", "service", "maintenance_reminder", "win_back",
                  "dormant_prospect", "complaint_check")
WHEN = datetime(2026, 3, 5, 14, 30)  # a Thursday


def test_both_locales_have_the_same_keys() -> None:
    assert set(TEXTS["zh-CN"]) == set(TEXTS["en"])


def test_followup_sms_defaults_to_chinese() -> None:
    text = followup_sms("张伟", "service")
    assert text.startswith("尊敬的张伟，您好！")
    assert "售后服务" in text
    assert "回复本短信" in text and "客服热线" in text


@pytest.mark.parametrize("kind", FOLLOWUP_KINDS)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_followup_kind_has_a_text(kind: str, locale: str) -> None:
    text = followup_sms("Li Na", kind, locale, hotline="400-800-1234")
    assert "Li Na" in text and "400-800-1234" in text
    assert "{" not in text and "}" not in text
    # Nothing says "we called you": do-not-disturb customers get this without any call.
    assert not re.search(r"致电未|未能联系|tried to call|could not reach", text)


def test_every_followup_kind_of_the_schema_is_covered() -> None:
    from importlib import resources

    schema = resources.files("callcenter.db").joinpath(
        "migrations", "0001_domain.sql").read_text(encoding="utf-8")
    kinds = re.search(r"CHECK \(kind IN \(\s*('sales'.*?)\)\)", schema, re.DOTALL)
    assert kinds is not None
    assert set(re.findall(r"'(\w+)'", kinds[1])) == set(FOLLOWUP_KINDS)


def test_dealer_signature_and_english() -> None:
    text = followup_sms("张伟", "sales", dealer="广州某某汽车")
    assert text.startswith("【广州某某汽车】尊敬的张伟")
    text = followup_sms("Li Na", "sales", "en", dealer="Acme Motors")
    assert text.startswith("[Acme Motors] Dear Li Na, thank you for buying your car")
    assert "reply to this message or call our hotline." in text


def test_no_name_no_hotline() -> None:
    assert followup_sms("  ", "sales").startswith("尊敬的客户，您好！")
    assert followup_sms("", "sales", "en").startswith("Dear customer, ")
    assert "hotline ." not in followup_sms("", "sales", "en")


def test_unknown_kind_or_locale_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="kind"):
        followup_sms("张伟", "birthday")
    with pytest.raises(ValueError, match="locale"):
        followup_sms("张伟", "sales", "fr")


def test_appointment_confirmation() -> None:
    zh = appointment_confirmation("张伟", WHEN, "粤A12345", hotline="400-800-1234")
    assert zh == ("尊敬的张伟，您好！您的爱车粤A12345已预约于3月5日（周四）14:30到店，请准时光临。"
                  "如需改约或取消，请致电客服热线400-800-1234。")
    en = appointment_confirmation("Li Na", WHEN, "粤A12345", "en")
    assert en == ("Dear Li Na, your car 粤A12345 is booked in for Thu 5 Mar 14:30. "
                  "To change or cancel, please call our hotline.")


def test_appointment_cancelled_without_a_plate() -> None:
    zh = appointment_cancelled("张伟", WHEN, None)
    assert "您的爱车原定于3月5日（周四）14:30的到店预约已取消" in zh
    en = appointment_cancelled("Li Na", datetime(2026, 12, 27, 9, 5), "", "en")
    assert "the visit of your car on Sun 27 Dec 09:05 is cancelled" in en
