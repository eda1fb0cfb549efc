"""The login throttle's rules (domain/login_throttle.py), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.login_throttle import (
    KeyKind,
    Refused,
    ThrottleKey,
    ThrottlePolicy,
    ThrottleState,
    address_key,
    attempt,
    keys_of,
    succeeded,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NAME = ThrottleKey(KeyKind.USERNAME, "li")
ADDRESS = ThrottleKey(KeyKind.ADDRESS, "203.0.113.7")
POLICY = ThrottlePolicy()


def test_delays_start_after_the_free_failures_double_and_stop_at_the_cap() -> None:
    delays = [POLICY.delay(KeyKind.USERNAME, n) for n in range(1, 16)]
    assert delays[:5] == [0.0] * 5
    assert delays[5:11] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert max(delays) == POLICY.max_delay == 300.0
    assert POLICY.delay(KeyKind.ADDRESS, 20) == 0.0 and POLICY.delay(KeyKind.ADDRESS, 21) == 1.0
    assert POLICY.delay(KeyKind.USERNAME, 10_000) == 300.0  # no overflow


def test_an_attempt_counts_before_it_is_checked() -> None:
    counted = attempt(POLICY, [ThrottleState(NAME, 5, NOW)], NOW)
    assert counted == [ThrottleState(NAME, 6, NOW, NOW + timedelta(seconds=1))]


def test_a_blocked_key_refuses_without_counting() -> None:
    until = NOW + timedelta(seconds=30)
    states = [ThrottleState(ADDRESS, 3, NOW), ThrottleState(NAME, 9, NOW, until)]
    assert attempt(POLICY, states, NOW) == Refused(NAME, 30.0)


def test_failures_are_forgotten_after_a_quiet_hour() -> None:
    old = NOW - POLICY.forget_after
    counted = attempt(POLICY, [ThrottleState(NAME, 40, old, old + timedelta(seconds=300))],
                      NOW)
    assert counted == [ThrottleState(NAME, 1, NOW, None)]


def test_a_success_forgets_the_name_and_takes_back_its_address_count() -> None:
    assert succeeded(POLICY, ThrottleState(NAME, 7, NOW, NOW)) is None
    assert succeeded(POLICY, ThrottleState(ADDRESS, 1, NOW)) is None
    blocked = NOW + timedelta(seconds=1)
    assert succeeded(POLICY, ThrottleState(ADDRESS, 21, NOW, blocked)) == ThrottleState(
        ADDRESS, 20, NOW, None)  # its own attempt had imposed that block
    assert succeeded(POLICY, ThrottleState(ADDRESS, 25, NOW, blocked)) == ThrottleState(
        ADDRESS, 24, NOW, blocked)  # others' failures still stand


@pytest.mark.parametrize(("client", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.1", "198.51.100.1"),
    ("not-an-address", "not-an-address"),
])
def test_addresses_count_per_host_or_ipv6_slash_64(client: str, key: str) -> None:
    assert address_key(client) == key


def test_the_keys_of_an_attempt() -> None:
    assert keys_of("  LI ", "203.0.113.7") == [ADDRESS, NAME]
    assert keys_of("li", None) == [NAME]
    assert len(keys_of("x" * 500, None)[0].value) == 200
