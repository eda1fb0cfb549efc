"""The settings of the SMS quiet hours, the DMS sync and the integration token."""

from __future__ import annotations

import hashlib
from datetime import time

import pytest

from callcenter.errors import SettingsError
from callcenter.settings import load_settings


def test_quiet_hours_default_to_the_night() -> None:
    assert load_settings({}).quiet_hours == (time(21, 0), time(8, 0))
    assert load_settings({"CALLCENTER_SMS_QUIET_HOURS": ""}).quiet_hours is None
    assert load_settings({"CALLCENTER_SMS_QUIET_HOURS": "12:00 - 13:30"}).quiet_hours == (
        time(12, 0), time(13, 30))


@pytest.mark.parametrize(("name", "value"), [
    ("SMS_QUIET_HOURS", "21:00"),
    ("SMS_QUIET_HOURS", "25:00-08:00"),
    ("SMS_QUIET_HOURS", "08:00-08:00"),
    ("DMS_IMPORT_TIME", "1am"),
    ("INTEGRATION_TOKEN_SHA256", "the-token-itself"),
])
def test_bad_values_name_their_setting(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({f"CALLCENTER_{name}": value})
    assert refused.value.details["setting"] == f"CALLCENTER_{name}"


def test_the_token_hash_is_masked_when_settings_are_shown() -> None:
    digest = hashlib.sha256(b"secret token").hexdigest()
    settings = load_settings({"CALLCENTER_INTEGRATION_TOKEN_SHA256": digest})
    assert settings.integration_token_sha256 == digest
    assert settings.redacted()["integration_token_sha256"] == "***"
    assert load_settings({}).redacted()["integration_token_sha256"] == ""
