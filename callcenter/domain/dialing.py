"""How a stored E.164 number is dialed through the trunk."""

from __future__ import annotations

import phonenumbers


def dial_digits(e164: str, home_region: str) -> str:
    """Digits for the trunk: national format at home (a landline keeps its trunk 0 and
    area code: +861012345678 -> 01012345678), 00 + country code abroad."""
    number = phonenumbers.parse(e164, None)
    if number.country_code == phonenumbers.country_code_for_region(home_region):
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return "".join(ch for ch in national if ch.isdigit())
    return "00" + e164.lstrip("+")
