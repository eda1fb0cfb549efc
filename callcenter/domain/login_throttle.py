"""Login throttling rules: how long a username or a client address waits after failures.

Every login attempt counts as a failure of each of its keys (the username, the client
address) until it succeeds; a success takes its own count back. Counting before the
password is checked is what stops a burst of parallel guesses: each one sees the
failures of those that started before it, not only of those that have finished.

- The first ``free`` failures of a key cost nothing; each one after that blocks the key
  for ``base`` seconds, doubling, up to ``max_delay``: a real user who mistypes a few
  times is not slowed, a guesser gets one try per ``max_delay`` at best.
- An attempt while a key is blocked is refused without looking at the password (429 with
  Retry-After) and changes nothing: hammering does not lengthen the block.
- A key's failures are forgotten after ``forget_after`` without one, and a success
  forgets its username's: nobody is locked out for ever.
- An address gets more free failures than a username: several agents may share one
  (an office behind NAT). IPv6 addresses count per /64, what one customer line gets.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MAX_USERNAME_KEY = 200  # what the login body allows; longer is cut, never stored whole


class KeyKind(enum.StrEnum):
    USERNAME = "username"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    kind: KeyKind
    value: str


@dataclass(frozen=True, slots=True)
class ThrottleState:
    """What is stored per key (a key never seen has ``failures == 0``)."""

    key: ThrottleKey
    failures: int = 0
    last_failure_at: datetime | None = None
    blocked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """The attempt is not looked at: ``key`` is blocked for ``retry_after`` seconds."""

    key: ThrottleKey
    retry_after: float


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int = 5
    address_free: int = 20
    base: float = 1.0
    max_delay: float = 300.0
    forget_after: timedelta = timedelta(hours=1)

    def free_failures(self, kind: KeyKind) -> int:
        return self.free if kind is KeyKind.USERNAME else self.address_free

    def delay(self, kind: KeyKind, failures: int) -> float:
        """Seconds a key is blocked after its ``failures``-th failure."""
        beyond = failures - self.free_failures(kind)
        if beyond <= 0:
            return 0.0
        return min(self.max_delay, self.base * 2 ** min(beyond - 1, 32))


def keys_of(username: str, client: str | None) -> list[ThrottleKey]:
    """The keys an attempt counts against, in the order rows are locked."""
    keys = [ThrottleKey(KeyKind.USERNAME, username.strip().lower()[:MAX_USERNAME_KEY])]
    if client:
        keys.insert(0, ThrottleKey(KeyKind.ADDRESS, address_key(client)))
    return keys


def address_key(client: str) -> str:
    """The address as counted: itself for IPv4, its /64 for IPv6, anything else as is."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def _current(policy: ThrottlePolicy, state: ThrottleState, now: datetime) -> ThrottleState:
    """The state with failures older than ``forget_after`` forgotten."""
    if state.last_failure_at is not None and now - state.last_failure_at >= policy.forget_after:
        return ThrottleState(state.key)
    return state


def attempt(policy: ThrottlePolicy, states: list[ThrottleState],
            now: datetime) -> Refused | list[ThrottleState]:
    """Refused when a key is blocked, else the states to store with this attempt counted."""
    blocked = [(s.blocked_until, s.key) for s in states
               if s.blocked_until is not None and s.blocked_until > now]
    if blocked:
        until, key = max(blocked, key=lambda pair: pair[0])
        return Refused(key, (until - now).total_seconds())
    counted = []
    for state in states:
        failures = _current(policy, state, now).failures + 1
        delay = policy.delay(state.key.kind, failures)
        counted.append(ThrottleState(state.key, failures, now,
                                     now + timedelta(seconds=delay) if delay else None))
    return counted


def succeeded(policy: ThrottlePolicy, state: ThrottleState) -> ThrottleState | None:
    """After a success: the state to store, None to forget the key. The username starts
    afresh; the address takes back the failure this attempt was counted as."""
    if state.key.kind is KeyKind.USERNAME or state.failures <= 1:
        return None
    failures = state.failures - 1
    if policy.delay(state.key.kind, failures) == 0:
        return replace(state, failures=failures, blocked_until=None)
    return replace(state, failures=failures)
