"""The hotline's key buffers (telephony/keypad.py): keys from AMI frames recorded from the
real Asterisk, handed out once each in the order pressed, and the fall-back to AGI."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.telephony.keypad import KeyBuffer, Keypad, KeysLost
from tests.frames import events

UNIQUEID = "1700000000.1"


def _key(digit: str, uniqueid: str = UNIQUEID, direction: str = "Received") -> dict[str, str]:
    return {"Event": "DTMFEnd", "Uniqueid": uniqueid, "Digit": digit,
            "Direction": direction, "DurationMs": "120"}


def _linked(sync_timeout: float = 0.2) -> Keypad:
    keypad = Keypad(sync_timeout=sync_timeout)
    keypad.on_link(True)
    return keypad


def test_the_key_of_a_recorded_call_reaches_its_buffer() -> None:
    frames = events("hotline_typeahead")
    (pressed,) = [f for f in frames if f["Event"] == "DTMFEnd"]
    keypad = _linked()
    buffer = keypad.open(pressed["Uniqueid"])
    for frame in frames:
        keypad.on_frame(frame)  # the other events of the call are not keys
    assert buffer.live
    assert buffer.typed_ahead() == "5"
    assert buffer.typed_ahead() == ""


def test_keys_of_other_channels_sent_keys_and_junk_are_ignored() -> None:
    keypad = _linked()
    buffer = keypad.open(UNIQUEID)
    for frame in (_key("1", uniqueid="other"), _key("2", direction="Sent"), _key("12"),
                  _key(""), {"Event": "DTMFEnd"}):
        keypad.on_frame(frame)
    assert buffer.typed_ahead() == ""


def test_without_an_ami_link_a_buffer_is_not_live() -> None:
    keypad = Keypad()
    buffer = keypad.open(UNIQUEID)
    keypad.on_frame(_key("1"))
    assert not buffer.live and buffer.typed_ahead() == ""


async def test_a_prompt_cut_by_a_key_gets_the_oldest_key_first() -> None:
    keypad = _linked()
    buffer = keypad.open(UNIQUEID)
    # "1" pressed between two commands (AGI never saw it), then "2" cuts the prompt.
    keypad.on_frame(_key("1"))
    keypad.on_frame(_key("2"))
    assert await buffer.interrupted_by("2") == "1"
    assert buffer.typed_ahead() == "2"


async def test_agi_ahead_of_ami_waits_for_the_key() -> None:
    keypad = _linked()
    buffer = keypad.open(UNIQUEID)
    loop = asyncio.get_running_loop()
    loop.call_later(0.02, keypad.on_frame, _key("7"))
    assert await buffer.interrupted_by("7") == "7"
    assert buffer.live


async def test_a_key_ami_never_reports_turns_the_buffer_to_agi() -> None:
    keypad = _linked(sync_timeout=0.05)
    buffer = keypad.open(UNIQUEID)
    assert await buffer.interrupted_by("4") == "4"
    assert not buffer.live
    keypad.on_frame(_key("4"))  # late: not used any more
    assert buffer.typed_ahead() == ""
    assert await buffer.interrupted_by("5") == "5"


async def test_an_entry_ends_at_hash_at_max_digits_or_in_silence() -> None:
    keypad = _linked()
    buffer = keypad.open(UNIQUEID)
    for digit in "123#45":
        keypad.on_frame(_key(digit))
    assert await buffer.collect("", 20, timeout=0.5) == "123"
    assert await buffer.collect("", 2, timeout=0.5) == "45"
    assert await buffer.collect("9", 20, timeout=0.05) == "9"
    assert await buffer.collect("#", 20, timeout=0.05) == ""


async def test_an_entry_waits_for_keys_pressed_later() -> None:
    keypad = _linked()
    buffer = keypad.open(UNIQUEID)
    loop = asyncio.get_running_loop()
    for n, digit in enumerate("88#"):
        loop.call_later(0.02 * (n + 1), keypad.on_frame, _key(digit))
    assert await buffer.collect("", 20, timeout=0.5) == "88"


async def test_the_link_dropping_during_an_entry_hands_over_the_keys_so_far() -> None:
    keypad = _linked()
    buffer = keypad.open(UNIQUEID)
    keypad.on_frame(_key("3"))
    asyncio.get_running_loop().call_later(0.02, keypad.on_link, False)
    with pytest.raises(KeysLost) as lost:
        await buffer.collect("1", 20, timeout=1)
    assert lost.value.collected == "13"
    assert not buffer.live
    # A new call after the reconnect is live again.
    keypad.on_link(True)
    assert keypad.open("1700000000.2").live


def test_flush_forgets_what_was_typed() -> None:
    keypad = _linked()
    buffer = keypad.open(UNIQUEID)
    keypad.on_frame(_key("1"))
    buffer.flush()
    keypad.on_frame(_key("2"))
    assert buffer.typed_ahead() == "2"


def test_a_closed_call_gets_no_more_keys() -> None:
    keypad = _linked()
    buffer = keypad.open(UNIQUEID)
    keypad.close(buffer)
    keypad.on_frame(_key("1"))
    assert buffer.typed_ahead() == ""
    assert KeyBuffer("x", live=False).typed_ahead() == ""
