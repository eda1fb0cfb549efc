"""The hotline's FastAGI route: customers book, hear and cancel service appointments by
keypad, or reach an agent.

Contract with the dialplan (docs/asterisk.md): the route sets CC_IVR_CHOICE (what the
caller chose) and CC_NEXT ("hangup" after a finished transaction, "queue" for an agent);
if the route fails, or the server is down or stops during the call, the dialplan queues
the call anyway.

The call speaks the hotline's language (CALLCENTER_HOTLINE_LANGUAGE, Mandarin by default)
through Asterisk's channel language, which picks the prompt set and the files ``say``
streams (docs/ivr.md); LANGUAGE_KEY at the greeting switches to the other language for
the rest of the call. What the caller was told is recorded, item by item, with the
session (ivr_sessions.said).

Every prompt can be interrupted by a key, and that key answers the question being asked
(barge-in); a key typed ahead answers the next question before its prompt plays. Keys
come from the call's KeyBuffer (telephony/keypad.py): Asterisk drops a key pressed
while no AGI command reads the channel, but reports it to AMI, so with the AMI link up
no key is lost, whenever it is pressed. Where the caller could not know what comes next
(a wrong key, a failed lookup, a closing sentence) the keys typed so far are dropped.
Menu rules live in domain/ivr.py; the session is recorded in ivr_sessions when the call
leaves the route, hang-up and server stop included.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as wall_time
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.domain import ivr
from callcenter.domain.appointments import Appointment, BookingStatus, Customer, Slot, Vehicle
from callcenter.domain.ivr import (
    Identification,
    Language,
    MenuChoice,
    Prompt,
    Result,
    Strikes,
    Verdict,
)
from callcenter.domain.phones import InvalidPhone, is_withheld, normalize_phone
from callcenter.services import appointments
from callcenter.services.ivr import IvrSession, record_session
from callcenter.settings import Settings
from callcenter.telephony.agi import AgiChannel, AgiHangup, AgiResult
from callcenter.telephony.keypad import KeyBuffer, Keypad, KeysLost
from callcenter.telephony.sounds import check_sounds, greeting_made_for

log = logging.getLogger(__name__)

# (AGI command verb, seconds between writing it and reading its result)
CommandHook = Callable[[str, float], None]
Clock = Callable[[], datetime]
# Commands that wait for the caller (prompts, key entry): not timed by the hook.
_WAITING = ("STREAM FILE", "GET DATA", "SAY ")
_MAX_ENTRY_DIGITS = 20
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class IvrTimings:
    """How long GET DATA waits for keys after its prompt, in milliseconds."""

    choice_ms: int = 5000
    entry_ms: int = 8000


@dataclass(frozen=True, slots=True)
class Speech:
    """What the flow says: a prompt, or something Asterisk says itself, as the AGI
    command that plays it (any key interrupts it)."""

    command: str  # "STREAM FILE callcenter/welcome", "SAY NUMBER 2", ...
    # What the session records as said: "welcome", "date:2026-03-05", "plate:B12345"
    label: str
    # SAY DATETIME's format; the zone is the center's, which the call adds.
    datetime_format: str | None = None
    # News the caller could not expect (a wrong key, a failed lookup, a closing
    # sentence): the keys typed ahead before it were meant for something else.
    surprise: bool = False


def prompt(p: Prompt | str, *, surprise: bool = False) -> Speech:
    name = p.value if isinstance(p, Prompt) else p
    return Speech(f"STREAM FILE {ivr.PROMPT_FOLDER}/{name}", name, surprise=surprise)


def _number(n: int) -> Speech:
    return Speech(f"SAY NUMBER {n}", f"number:{n}")


def _plate(plate: str) -> list[Speech]:
    """The plate said: its province character (a prompt), then its letters and digits
    spelled; nothing of what cannot be said."""
    province = ivr.province_prompt(plate)
    spoken = ivr.speakable_plate(plate)
    return ([prompt(province)] if province else []) + (
        [Speech(f"SAY ALPHA {spoken}", f"plate:{spoken}")] if spoken else [])


def _keys(*allowed: str) -> Callable[[str], str | None]:
    """An answer parser accepting one of ``allowed``."""
    return lambda digits: digits if digits in allowed else None


class _Transfer(Exception):
    """Leave the menu for the agent queue."""

    def __init__(self, result: Result, choice: str) -> None:
        super().__init__(result)
        self.result = result
        self.choice = choice


async def hotline_routes(pool: asyncpg.Pool, settings: Settings, keypad: Keypad | None
                         ) -> dict[str, Callable[[AgiChannel], Awaitable[None]]]:
    """The FastAGI routes the server serves: the hotline, unless CALLCENTER_SOUNDS_DIR is
    set and a prompt there is missing or silent. Then no hotline starts (the dialplan
    sends callers to the agents' queue, never into a half-silent menu) and the log says
    which files to fix."""
    if settings.sounds_dir:
        folder = Path(settings.sounds_dir)
        problems = await asyncio.to_thread(check_sounds, folder)
        if problems:
            log.error("hotline not started: %d sound file(s) missing or silent in %s "
                      "(callers go to the agents' queue; `callcenter prompts check` lists "
                      "them): %s", len(problems), folder,
                      "; ".join(str(p) for p in problems[:10]))
            return {}
        made_for = await asyncio.to_thread(greeting_made_for, folder)
        if made_for is not None and made_for != settings.dealership_name.strip():
            log.warning("the hotline's greeting names %r, CALLCENTER_DEALERSHIP_NAME is %r: "
                        "run scripts/make-prompts again", made_for, settings.dealership_name)
    return {"hotline": make_hotline(pool, settings, keypad=keypad)}


def make_hotline(pool: asyncpg.Pool, settings: Settings, *, keypad: Keypad | None = None,
                 timings: IvrTimings | None = None, on_command: CommandHook | None = None,
                 clock: Clock | None = None) -> Callable[[AgiChannel], Awaitable[None]]:
    """The FastAGI handler of route ``hotline``. ``keypad``: the AMI-fed key buffers
    (without it keys come from AGI alone, and keys pressed between commands are lost).
    ``on_command`` receives the round-trip time of every AGI command that does not wait
    for the caller (benchmarks)."""
    tz = settings.tz

    async def hotline(channel: AgiChannel) -> None:
        keys = (keypad.open(channel.unique_id) if keypad is not None
                else KeyBuffer(channel.unique_id, live=False))
        call = _HotlineCall(channel, pool, tz, settings.phone_region, settings.hours,
                            timings or IvrTimings(), on_command,
                            clock or (lambda: datetime.now(UTC)),
                            Language(settings.hotline_language), keys)
        try:
            await call.run()
        finally:
            if keypad is not None:
                keypad.close(keys)

    return hotline


class _HotlineCall:
    def __init__(self, channel: AgiChannel, pool: asyncpg.Pool, tz: ZoneInfo, region: str,
                 hours: ivr.ServiceHours, timings: IvrTimings, on_command: CommandHook | None,
                 clock: Clock, language: Language, keys: KeyBuffer) -> None:
        self._channel = channel
        self._keys = keys
        self._language = language
        self._pool = pool
        self._tz = tz
        self._region = region
        self._hours = hours
        self._timings = timings
        self._on_command = on_command
        self._clock = clock
        self._strikes = Strikes()
        self._customer: Customer | None = None
        self.session = IvrSession(uniqueid=channel.unique_id,
                                  caller_number=channel.caller_id or None,
                                  language=language.value)

    # ------------------------------------------------------------------ the call

    async def run(self) -> None:
        try:
            await self._start()
            await self._menu()
        except _Transfer as transfer:
            self.session.result = transfer.result
            self.session.step("queue", transfer.choice)
            await self._play_final(Prompt.TRANSFER)
            await self._leave(transfer.choice, "queue")
        except AgiHangup:
            self.session.result = self.session.result or Result.HANGUP
            raise
        except asyncio.CancelledError:
            # The server stops (FastAgiServer.close): the socket closes before CC_NEXT
            # says "hangup", so the dialplan queues the caller.
            self.session.step("shutdown")
            self.session.result = self.session.result or Result.ERROR
            raise
        except Exception:
            self.session.result = Result.ERROR
            raise
        finally:
            await self._record()

    async def _record(self) -> None:
        try:
            await record_session(self._pool, self.session)
        except Exception:
            # The caller's call goes on (queue or hang-up); only the record is lost.
            log.exception("IVR session %s could not be recorded", self.session.uniqueid)

    async def _start(self) -> None:
        linked = await self._command("GET FULL VARIABLE ${CHANNEL(linkedid)}")
        self.session.linkedid = (linked.data if linked.result == "1" else "") or None
        await self._speak_in(self._language)
        caller = self._channel.caller_id
        if not is_withheld(caller):
            try:
                e164 = normalize_phone(caller, self._region)
            except InvalidPhone:
                e164 = None
            if e164 is not None:
                self._customer = await appointments.customer_by_phone(self._pool, e164)
        if self._customer is not None:
            self.session.customer_id = self._customer.id
            self.session.step("known")

    async def _leave(self, choice: str, next_step: str) -> None:
        await self._channel_set("CC_IVR_CHOICE", choice)
        await self._channel_set("CC_NEXT", next_step)

    async def _speak_in(self, language: Language) -> None:
        self._language = language
        self.session.language = language.value
        await self._channel_set("CHANNEL(language)", language.value)

    def _greeting(self) -> list[Speech]:
        greeting = [prompt(Prompt.WELCOME_BACK if self._customer else Prompt.WELCOME)]
        if not self._hours.is_open(self._clock().astimezone(self._tz)):
            greeting.append(prompt(Prompt.CLOSED_NOW))
        return greeting

    async def _menu(self) -> None:
        # right after the welcome, the other language is offered (in that language), its
        # key heard throughout the greeting, once per call
        welcome, *rest = self._greeting()
        preamble = [welcome, prompt(Prompt.OTHER_LANGUAGE), *rest]
        offer: str | None = ivr.LANGUAGE_KEY

        def parse(digits: str) -> MenuChoice | Language | None:
            if offer is not None and digits == offer:
                return self._language.other
            return ivr.parse_menu(digits)

        while True:
            choice = await self._ask(preamble, Prompt.MAIN_MENU, parse)
            offer, preamble = None, []
            if isinstance(choice, Language):
                self.session.step("language", choice.value)
                await self._speak_in(choice)
                preamble = self._greeting()
                continue
            self.session.step("menu", choice.value)
            if choice is MenuChoice.AGENT:
                raise _Transfer(Result.AGENT, "agent")
            if choice is MenuChoice.COMPLAINT:
                raise _Transfer(Result.COMPLAINT, "complaint")
            customer = await self._identify()
            if choice is MenuChoice.BOOK:
                finished = await self._book(customer)
            else:
                finished = await self._my_appointments(customer)
            if finished:
                return

    # ------------------------------------------------------------------ who is calling

    async def _identify(self) -> Customer:
        if self._customer is not None:
            return self._customer
        preamble: list[Speech] = []
        while True:
            entered = await self._ask(preamble, Prompt.IDENTIFY, ivr.parse_identification,
                                      max_digits=_MAX_ENTRY_DIGITS,
                                      timeout_ms=self._timings.entry_ms,
                                      on_agent=Result.NOT_IDENTIFIED)
            found = await self._lookup(entered)
            if found is not None:
                self._customer = found
                self.session.customer_id = found.id
                return found
            self.session.step("not-found")
            if self._strikes.judge(valid=False, timed_out=False) is Verdict.AGENT:
                raise _Transfer(Result.NOT_IDENTIFIED, "agent")
            preamble = [prompt(Prompt.NOT_FOUND, surprise=True)]

    async def _lookup(self, identification: Identification) -> Customer | None:
        self.session.step("identify", identification.kind)
        if identification.kind == "plate":
            return await appointments.customer_by_plate_digits(self._pool,
                                                               identification.digits)
        try:
            e164 = normalize_phone(identification.digits, self._region)
        except InvalidPhone:
            return None
        found = await appointments.customer_by_phone(self._pool, e164)
        # The confirmation goes to the number the caller gave.
        return None if found is None else Customer(found.id, found.name, e164)

    # ------------------------------------------------------------------ booking

    async def _book(self, customer: Customer) -> bool:
        """True when booked (the call ends), False to go back to the menu."""
        vehicle = await self._choose_vehicle(customer)
        while True:
            now = self._clock()
            days = await appointments.free_days(self._pool, now, self._tz, self._hours)
            if not days:
                await self._play_final(Prompt.NO_FREE_TIME)
                raise _Transfer(Result.NO_FREE_TIME, "book")
            day = days[await self._choose(Prompt.CHOOSE_DAY, [[self._date(self._noon(d))]
                                                               for d in days])]
            self.session.step("day", day.isoformat())
            slots = await appointments.free_slots(self._pool, day, now, self._tz)
            if slots:
                break
            # The day filled up while the caller listened: offer the days again.
        slot = slots[await self._choose(Prompt.CHOOSE_TIME, [[self._time(s.starts_at)]
                                                              for s in slots])]
        preamble: list[Speech] = []
        while True:
            self.session.step("slot", slot.starts_at.astimezone(self._tz).isoformat())
            key = await self._ask(preamble + self._read_back(slot, vehicle), Prompt.CONFIRM,
                                  _keys("1", "2"))
            if key == "2":
                self.session.step("back")
                return False
            booking = await appointments.book(self._pool, customer=customer, vehicle=vehicle,
                                              slot=slot, tz=self._tz,
                                              linkedid=self.session.linkedid)
            if booking.status is BookingStatus.BOOKED:
                self.session.step("booked", booking.appointment_id)
                self.session.result = Result.BOOKED
                await self._play_final(Prompt.BOOKED)
                await self._leave("book", "hangup")
                return True
            if booking.status is BookingStatus.DUPLICATE:
                self.session.step("duplicate")
                await self._play_final(Prompt.ALREADY_BOOKED)
                return False
            self.session.step("slot-taken")
            following = await appointments.next_free_slot(self._pool, slot, self._clock(),
                                                          self._tz, self._hours)
            if following is None:
                await self._play_final(Prompt.NO_FREE_TIME)
                raise _Transfer(Result.NO_FREE_TIME, "book")
            slot = following
            preamble = [prompt(Prompt.SLOT_TAKEN, surprise=True)]

    async def _choose_vehicle(self, customer: Customer) -> Vehicle:
        vehicles = await appointments.vehicles(self._pool, customer.id)
        if not vehicles:
            await self._play_final(Prompt.NO_VEHICLE)
            raise _Transfer(Result.NO_VEHICLE, "book")
        if len(vehicles) == 1:
            return vehicles[0]
        vehicles = vehicles[: ivr.MAX_OPTIONS]
        index = await self._choose(Prompt.CHOOSE_VEHICLE, [_plate(v.plate) for v in vehicles])
        self.session.step("vehicle", index + 1)
        return vehicles[index]

    def _read_back(self, slot: Slot, vehicle: Vehicle) -> list[Speech]:
        return [prompt(Prompt.APPOINTMENT), self._date(slot.starts_at), prompt(Prompt.AT),
                self._time(slot.starts_at), prompt(Prompt.CAR), *_plate(vehicle.plate)]

    def _date(self, when: datetime) -> Speech:
        day = when.astimezone(self._tz).date()
        return Speech(f"SAY DATETIME {int(when.timestamp())}", f"date:{day.isoformat()}",
                      ivr.date_format(self._language))

    def _time(self, when: datetime) -> Speech:
        at: wall_time = when.astimezone(self._tz).time()
        return Speech(f"SAY DATETIME {int(when.timestamp())}", f"time:{at:%H:%M}",
                      ivr.time_format(self._language, at))

    def _noon(self, day: date) -> datetime:
        # A day is said through a moment inside it, in the center's zone.
        return datetime(day.year, day.month, day.day, 12, tzinfo=self._tz)

    # ------------------------------------------------------------------ hear / cancel

    async def _my_appointments(self, customer: Customer) -> bool:
        booked = await appointments.upcoming(self._pool, customer.id, self._clock())
        if not booked:
            self.session.step("no-appointments")
            await self._play_final(Prompt.NO_APPOINTMENTS)
            return False
        chosen: Appointment = booked[0]
        if len(booked) > 1:
            chosen = booked[await self._choose(
                Prompt.APPOINTMENT, [[self._date(a.slot.starts_at), self._time(a.slot.starts_at)]
                                     for a in booked])]
        self.session.step("heard", chosen.id)
        key = await self._ask(self._read_back(chosen.slot, chosen.vehicle),
                              Prompt.CANCEL_OR_KEEP, _keys("1", "2"))
        if key == "1":
            await appointments.cancel(self._pool, customer=customer, appointment=chosen,
                                      tz=self._tz)
            self.session.step("cancelled", chosen.id)
            self.session.result = Result.CANCELLED
            await self._play_final(Prompt.CANCELLED)
        else:
            self.session.result = Result.HEARD
            await self._play_final(Prompt.GOODBYE)
        await self._leave("appointment", "hangup")
        return True

    # ------------------------------------------------------------------ asking

    async def _choose(self, intro: Prompt, options: Sequence[list[Speech]]) -> int:
        """Read the options ("press 1 for ...") and return the index of the chosen one."""
        listing: list[Speech] = [prompt(intro)]
        for position, speech in enumerate(options, start=1):
            listing += [prompt(Prompt.PRESS), _number(position), prompt(Prompt.FOR), *speech]
        return await self._ask(listing, Prompt.YOUR_CHOICE,
                               lambda d: ivr.parse_option(d, len(options)))

    async def _ask(self, preamble: Sequence[Speech], question: Prompt,
                   parse: Callable[[str], T | None], *, max_digits: int = 1,
                   timeout_ms: int | None = None,
                   on_agent: Result | None = None) -> T:
        """Say ``preamble``, ask ``question`` and return the answer as ``parse`` reads it
        (None: not a valid answer). Wrong keys and silence re-ask per the strikes rule,
        or end in the agent queue."""
        timeout = self._timings.choice_ms if timeout_ms is None else timeout_ms
        speech = list(preamble)
        while True:
            key = await self._speak(speech)
            digits = key if key and max_digits == 1 else await self._entry(
                question, key, max_digits, timeout)
            answer = parse(digits) if digits else None
            verdict = self._strikes.judge(valid=answer is not None, timed_out=not digits)
            if answer is not None:  # judged Verdict.ANSWER
                return answer
            self.session.step("no-input" if not digits else "wrong", digits)
            if verdict is Verdict.AGENT:
                raise _Transfer(on_agent or (Result.NO_INPUT if not digits
                                             else Result.WRONG_KEYS), "agent")
            speech = ([] if not digits else [prompt(Prompt.INVALID, surprise=True)]
                      ) + list(preamble)

    async def _entry(self, question: Prompt, first: str, max_digits: int,
                     timeout_ms: int) -> str:
        """Ask ``question`` (unless a key already cut the preamble: ``first``) and read
        the answer, up to ``max_digits`` keys or ``#``."""
        if self._keys.live:
            if not first:
                first = await self._speak([prompt(question)])
            try:
                return await self._keys.collect(first, max_digits, timeout_ms / 1000)
            except KeysLost as lost:  # the AMI link dropped: AGI reads the rest
                first = lost.collected
        # GET DATA plays the question and listens; after a key it only listens (the
        # question itself was cut).
        sound = "silence/1" if first else question.sound
        if not first:
            self.session.said.append(question.value)
        result = await self._command(f"GET DATA {sound} {timeout_ms} {max_digits - len(first)}",
                                     timeout=timeout_ms / 1000 + 120)
        return first + result.result

    async def _speak(self, speech: Sequence[Speech]) -> str:
        """Say each item, stopping at the first key pressed (or typed ahead); that key,
        or ''."""
        for said in speech:
            if said.surprise:
                self._keys.flush()
            key = self._keys.typed_ahead()
            if key:
                return key
            line = f'{said.command} "{ivr.ANY_KEY}"'
            if said.datetime_format is not None:
                # SAY DATETIME with the center's zone: the chroot's own clock zone and
                # Asterisk's process zone do not matter.
                line += f" {said.datetime_format} {self._tz.key}"
            result = await self._command(line, timeout=120)
            code = int(result.result or 0)
            # -1: Asterisk found no file to play (docs/ivr.md: callcenter prompts check)
            self.session.said.append(said.label if code >= 0 else f"missing:{said.label}")
            if code > 0:
                return await self._keys.interrupted_by(chr(code))
        return ""

    async def _play_final(self, p: Prompt) -> None:
        """A closing sentence: a key skips it, and is not an answer to anything."""
        await self._speak([prompt(p, surprise=True)])

    async def _channel_set(self, name: str, value: str) -> None:
        await self._command(f'SET VARIABLE {name} "{value}"')

    async def _command(self, line: str, timeout: float | None = None) -> AgiResult:
        started = time.perf_counter()
        result = await self._channel.command(line, timeout=timeout)
        if self._on_command is not None and not line.startswith(_WAITING):
            self._on_command(" ".join(line.split()[:2]), time.perf_counter() - started)
        return result

