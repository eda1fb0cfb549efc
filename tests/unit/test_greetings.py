"""Greetings: the holidays' dates, birthdays (29 February), one greeting a day."""

from __future__ import annotations

import re
from datetime import date

import pytest

from callcenter.domain.greetings import (
    HOLIDAYS,
    Greeting,
    Occasion,
    birthday_in,
    birthdays_celebrated_on,
    greeting_for,
    holidays,
    holidays_on,
    mobile_pattern,
)
from callcenter.domain.sms_texts import TEXTS, greeting_sms

# The State Council's holiday notices and the Hong Kong Observatory's calendar agree
# with these; lunardate and borax (two other libraries) give the same dates.
EXPECTED = {
    2026: {Occasion.NEW_YEAR: date(2026, 1, 1), Occasion.SPRING_FESTIVAL: date(2026, 2, 17),
           Occasion.LANTERN_FESTIVAL: date(2026, 3, 3), Occasion.DRAGON_BOAT: date(2026, 6, 19),
           Occasion.NATIONAL_DAY: date(2026, 10, 1), Occasion.MID_AUTUMN: date(2026, 9, 25)},
    2027: {Occasion.NEW_YEAR: date(2027, 1, 1), Occasion.SPRING_FESTIVAL: date(2027, 2, 6),
           Occasion.LANTERN_FESTIVAL: date(2027, 2, 20), Occasion.DRAGON_BOAT: date(2027, 6, 9),
           Occasion.NATIONAL_DAY: date(2027, 10, 1), Occasion.MID_AUTUMN: date(2027, 9, 15)},
}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_holiday_dates(year: int) -> None:
    assert holidays(year) == EXPECTED[year]


def test_holidays_known_over_the_checked_range() -> None:
    for year in (1900, 1978, 2089, 2100):
        spring = holidays(year)[Occasion.SPRING_FESTIVAL]
        assert date(year, 1, 21) <= spring <= date(year, 2, 20)
    # The date lunardate gets wrong (it says the 16th).
    assert holidays(1978)[Occasion.MID_AUTUMN] == date(1978, 9, 17)
    with pytest.raises(ValueError):
        holidays(2101)


def test_mid_autumn_on_national_day_is_one_day_of_two_holidays() -> None:
    assert holidays_on(date(2020, 10, 1)) == (Occasion.NATIONAL_DAY, Occasion.MID_AUTUMN)
    assert holidays_on(date(2026, 2, 17)) == (Occasion.SPRING_FESTIVAL,)
    assert holidays_on(date(2026, 2, 18)) == ()


def test_29_february_is_celebrated_on_28_february_in_common_years() -> None:
    leap_born = date(2000, 2, 29)
    assert birthday_in(leap_born, 2027) == date(2027, 2, 28)
    assert birthday_in(leap_born, 2028) == date(2028, 2, 29)
    assert birthday_in(date(1990, 3, 1), 2027) == date(2027, 3, 1)
    assert birthdays_celebrated_on(date(2027, 2, 28)) == ((2, 28), (2, 29))
    assert birthdays_celebrated_on(date(2028, 2, 28)) == ((2, 28),)
    assert birthdays_celebrated_on(date(2028, 2, 29)) == ((2, 29),)


def test_one_greeting_a_day_birthday_first() -> None:
    spring = date(2026, 2, 17)
    assert greeting_for(date(1980, 2, 17), spring) == Greeting((Occasion.BIRTHDAY,), 2026)
    assert greeting_for(date(1980, 5, 1), spring) == Greeting((Occasion.SPRING_FESTIVAL,),
                                                              2026)
    assert greeting_for(None, spring) == Greeting((Occasion.SPRING_FESTIVAL,), 2026)
    assert greeting_for(None, date(2026, 2, 18)) is None
    assert greeting_for(date(2000, 2, 29), date(2026, 2, 28)) == Greeting(
        (Occasion.BIRTHDAY,), 2026)


def test_dedupe_key_per_customer_occasion_and_year() -> None:
    both = Greeting((Occasion.NATIONAL_DAY, Occasion.MID_AUTUMN), 2020)
    assert both.dedupe_key(7) == "greeting:7:national_day+mid_autumn:2020"
    assert Greeting((Occasion.BIRTHDAY,), 2027).dedupe_key(7) == "greeting:7:birthday:2027"


def test_greetings_go_to_mobiles_only() -> None:
    pattern = re.compile(mobile_pattern("CN"))
    assert pattern.match("+8613800138000") and pattern.match("+8619903423667")
    assert not pattern.match("+861012345678")  # a Beijing landline
    assert not pattern.match("+85291234567")


def test_every_holiday_has_its_name_in_both_locales() -> None:
    for locale in TEXTS:
        for occasion in HOLIDAYS:
            assert f"holiday.{occasion}" in TEXTS[locale]


def test_greeting_texts() -> None:
    birthday = greeting_sms("王芳", ["birthday"], dealer="华通汽车", hotline="400-800-1234")
    assert birthday == ("【华通汽车】尊敬的王芳，您好！今天是您的生日，祝您生日快乐，身体健康，"
                        "万事如意！用车如有需要，欢迎致电客服热线400-800-1234。")
    both = greeting_sms("王芳", ["national_day", "mid_autumn"], hotline="400-800-1234")
    assert "值此国庆节、中秋节到来之际" in both and not both.startswith("【")
    english = greeting_sms("Wang Fang", ["spring_festival"], "en", dealer="Huatong",
                           hotline="400-800-1234")
    assert english == ("[Huatong] Dear Wang Fang, our warmest wishes to you and your family "
                       "for the Spring Festival! Whenever your car needs us, call our "
                       "hotline 400-800-1234.")
    with pytest.raises(ValueError):
        greeting_sms("王芳", ["easter"])
    with pytest.raises(ValueError):
        greeting_sms("王芳", [])
