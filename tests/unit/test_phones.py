import random

import phonenumbers
import pytest

from callcenter.domain.phones import InvalidPhone, is_withheld, normalize_phone
from callcenter.errors import ValidationError


@pytest.mark.parametrize(("raw", "e164"), [
    ("13800138000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("+86-138-0013-8000", "+8613800138000"),
    ("0086 13800138000", "+8613800138000"),
    ("008613800138000", "+8613800138000"),
    ("8613800138000", "+8613800138000"),
    ("013800138000", "+8613800138000"),  # national trunk 0 in front of a mobile
    ("138.0013.8000", "+8613800138000"),
    ("  138 0013 8000  ", "+8613800138000"),
    ("１３８００１３８０００", "+8613800138000"),  # full-width digits
    ("＋８６　１３８－００１３－８０００", "+8613800138000"),
    ("010-12345678", "+861012345678"),
    ("(021) 1234 5678", "+862112345678"),
    ("（０２１）１２３４５６７８", "+862112345678"),
    ("0755-8888 6666", "+8675588886666"),
    ("+86 10 1234 5678", "+861012345678"),
    ("400-820-8820", "+864008208820"),
    ("+1 650 253 0000", "+16502530000"),
])
def test_normalize_phone(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


def test_region_applies_to_numbers_without_country_code() -> None:
    assert normalize_phone("(650) 253-0000", "US") == "+16502530000"
    assert normalize_phone("+8613800138000", "US") == "+8613800138000"


@pytest.mark.parametrize("raw", [
    "", "abc", "12345678",  # a landline without its area code
    "1380013800",  # one digit short
    "138001380001",  # one digit long
    "10086-", "++86", "138-0013-800O",
])
def test_invalid_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(raw)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.error_id == "invalid_phone"


@pytest.mark.parametrize("region", ["CN", "US", "GB", "DE", "HK"])
def test_fast_path_agrees_with_a_full_parse(region: str) -> None:
    """Random numbers in every shape: the same verdict as phonenumbers itself."""
    rng = random.Random(7)
    for _ in range(4000):
        digits = rng.choice("0123456789") + "".join(
            rng.choice("0123456789") for _ in range(rng.randint(6, 11)))
        raw = rng.choice([digits, f"+86{digits}", f"0086 {digits}", f"0{digits}",
                          f"{digits[:3]}-{digits[3:]}", f"({digits[:3]}) {digits[3:]}",
                          f"+{digits}", f"00{digits}"])
        try:
            parsed = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            parsed = None
        expected = (phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
                    if parsed is not None and phonenumbers.is_valid_number(parsed) else None)
        try:
            got = normalize_phone(raw, region)
        except InvalidPhone:
            got = None
        assert got == expected, raw


@pytest.mark.parametrize("raw", [
    None, "", "  ", "anonymous", "Anonymous", "UNKNOWN", "<unknown>", "restricted",
    "Private", "withheld", "0", "0000000", "+000", "００００",
])
def test_withheld_caller_ids(raw: str | None) -> None:
    assert is_withheld(raw)


@pytest.mark.parametrize("raw", ["13800138000", "+8613800138000", "010-12345678", "1000"])
def test_real_numbers_are_not_withheld(raw: str) -> None:
    assert not is_withheld(raw)
