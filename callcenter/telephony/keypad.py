"""The keys a hotline caller pressed, in order, as Asterisk heard them: type-ahead.

Asterisk drops a key that arrives while no AGI command is reading the channel: res_agi's
idle loop reads every frame and frees it. Keys fall there whenever the flow is between
two commands — while the database answers, or between one prompt and the next — and a
caller who knows the menu types ahead. But Asterisk reports every key it reads to AMI
(``DTMFEnd``, ``Direction: Received``), whoever reads the frame. So the keys' values and
order come from AMI, fed to a per-call ``KeyBuffer`` as the frames arrive (the AMI
client's tap: no queue, no I/O); AGI only tells that a prompt was cut by a key, which
the buffer then hands out in the order pressed. A key typed ahead answers the next
question before its prompt plays, and the wait for keys after a question needs no AGI
command at all.

A buffer is ``live`` while it can be trusted: from the moment AMI is logged in when the
call starts until the AMI link drops (events of the gap are lost) or a key that AGI
reported does not show up from AMI within ``sync_timeout`` (the AMI user lacks the
``dtmf`` read class, or AMI lags). A buffer that is not live hands out what AGI reports,
as the hotline did before: the caller is served, only type-ahead is off for that call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

log = logging.getLogger(__name__)

KEYS = frozenset("0123456789*#ABCD")
# AMI delivers a key a millisecond or so after AGI; this much later, it is not coming.
SYNC_TIMEOUT = 1.0


class KeysLost(Exception):
    """The buffer stopped being live while a caller's entry was being read."""

    def __init__(self, collected: str) -> None:
        super().__init__(collected)
        self.collected = collected


class KeyBuffer:
    """One call's keys: ``heard`` from AMI, handed out once each, in order."""

    def __init__(self, uniqueid: str, *, live: bool, sync_timeout: float = SYNC_TIMEOUT
                 ) -> None:
        self.uniqueid = uniqueid
        self.live = live
        self._sync_timeout = sync_timeout
        self._heard: list[str] = []
        self._used = 0
        self._changed = asyncio.Event()

    def heard(self, key: str) -> None:
        self._heard.append(key)
        self._changed.set()

    def lose(self, why: str) -> None:
        if self.live:
            log.warning("call %s: keys from AGI only from now on (%s)", self.uniqueid, why)
        self.live = False
        self._changed.set()

    def typed_ahead(self) -> str:
        """The oldest key not handed out yet, or '' (always '' when not live)."""
        if not self.live or self._used >= len(self._heard):
            return ""
        self._used += 1
        return self._heard[self._used - 1]

    def flush(self) -> None:
        """Forget the keys typed so far: the caller could not know what comes next."""
        self._used = len(self._heard)

    async def interrupted_by(self, agi_key: str) -> str:
        """A prompt was cut by a key (``agi_key``, as AGI reports it): the caller's next
        key in the order pressed — ``agi_key`` itself unless one typed before it was
        still waiting."""
        if not self.live:
            return agi_key
        key = await self._next(self._sync_timeout)
        if key is None:
            self.lose(f"AMI did not report the key {agi_key!r} within "
                      f"{self._sync_timeout:g} s")
            return agi_key
        return key

    async def collect(self, first: str, max_digits: int, timeout: float) -> str:
        """An entry of up to ``max_digits`` keys after ``first``, ended by ``#`` (not
        part of it) or by ``timeout`` seconds without a key. Raises KeysLost (with the
        keys so far) if the buffer stops being live meanwhile."""
        digits = first
        while digits != "#" and len(digits) < max_digits:
            key = await self._next(timeout)
            if not self.live:
                raise KeysLost(digits)
            if key is None or key == "#":
                break
            digits += key
        return digits.rstrip("#")

    async def _next(self, timeout: float) -> str | None:
        """The next key, waiting up to ``timeout`` seconds; None on timeout or when the
        buffer stops being live."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.live:
            key = self.typed_ahead()
            if key:
                return key
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
            except TimeoutError:
                return None
        return None


class Keypad:
    """The live KeyBuffers of the hotline's calls, by channel uniqueid; the AMI
    client's tap (``on_frame``, ``on_link``) feeds them."""

    events = frozenset({"DTMFEnd"})

    def __init__(self, sync_timeout: float = SYNC_TIMEOUT) -> None:
        self._sync_timeout = sync_timeout
        self._buffers: dict[str, KeyBuffer] = {}
        self._linked = False

    def open(self, uniqueid: str) -> KeyBuffer:
        """The buffer of a call starting now: live if AMI is logged in."""
        buffer = KeyBuffer(uniqueid, live=self._linked and bool(uniqueid),
                           sync_timeout=self._sync_timeout)
        if buffer.live:
            self._buffers[uniqueid] = buffer
        return buffer

    def close(self, buffer: KeyBuffer) -> None:
        if self._buffers.get(buffer.uniqueid) is buffer:
            del self._buffers[buffer.uniqueid]

    def on_frame(self, frame: Mapping[str, str]) -> None:
        if frame.get("Direction") != "Received":
            return
        buffer = self._buffers.get(frame.get("Uniqueid", ""))
        key = frame.get("Digit", "")
        if buffer is not None and key in KEYS:
            buffer.heard(key)

    def on_link(self, connected: bool) -> None:
        self._linked = connected
        if not connected:
            for buffer in self._buffers.values():
                buffer.lose("the AMI link dropped")
            self._buffers.clear()
