"""The hotline route against a scripted Asterisk peer on loopback (real PostgreSQL):
silence, hang-up, a failing database, and keys typed ahead (the peer plays AMI too,
feeding the keypad as Asterisk would), without the sandbox. The real Asterisk path is
tests/e2e/test_ivr.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from callcenter.settings import Settings
from callcenter.telephony.agi import FastAgiServer
from callcenter.telephony.hotline import IvrTimings, make_hotline
from callcenter.telephony.keypad import Keypad
from tests.integration.test_appointments import add_customer, week_of_slots

HEADER = (b"agi_network: yes\nagi_network_script: hotline\n"
          b"agi_channel: PJSIP/trunk-00000001\nagi_uniqueid: 1700000000.1\n"
          b"agi_callerid: 13800138000\n\n")
Answer = Callable[[str], bytes]


@pytest.fixture
async def server(pool: asyncpg.Pool) -> AsyncIterator[FastAgiServer]:
    timed: list[str] = []
    hotline = make_hotline(pool, Settings(), timings=IvrTimings(choice_ms=10, entry_ms=10),
                           on_command=lambda verb, _seconds: timed.append(verb))
    agi = FastAgiServer({"hotline": hotline}, command_timeout=2)
    agi.timed = timed
    await agi.start("127.0.0.1", 0)
    yield agi
    await agi.close()


@pytest.fixture
async def keypad_server(pool: asyncpg.Pool) -> AsyncIterator[tuple[FastAgiServer, Keypad]]:
    keypad = Keypad(sync_timeout=0.5)
    keypad.on_link(True)
    hotline = make_hotline(pool, Settings(), keypad=keypad,
                           timings=IvrTimings(choice_ms=300, entry_ms=300))
    agi = FastAgiServer({"hotline": hotline}, command_timeout=2)
    await agi.start("127.0.0.1", 0)
    yield agi, keypad
    await agi.close()


def _key(digit: str) -> dict[str, str]:
    return {"Event": "DTMFEnd", "Uniqueid": "1700000000.1", "Digit": digit,
            "Direction": "Received"}


async def converse(port: int, answer: Answer, limit: int = 50) -> list[str]:
    """Play Asterisk: send the header, answer each command; the commands received."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEADER)
    commands: list[str] = []
    try:
        async with asyncio.timeout(5):
            while len(commands) < limit:
                line = await reader.readline()
                if not line:
                    break
                commands.append(line.decode().strip())
                reply = answer(commands[-1])
                if not reply:
                    break
                writer.write(reply)
                await writer.drain()
    finally:
        writer.close()
    return commands


def silent_caller(command: str) -> bytes:
    if command.startswith("GET FULL VARIABLE"):
        return b"200 result=1 (1700000000.1)\n"
    if command.startswith("GET DATA"):
        return b"200 result= (timeout)\n"
    if command.startswith(("STREAM FILE", "SAY ")):
        return b"200 result=0 endpos=100\n"
    return b"200 result=1\n"


async def _session(pool: asyncpg.Pool) -> asyncpg.Record:
    async with asyncio.timeout(5):
        while (row := await pool.fetchrow("SELECT * FROM ivr_sessions")) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return row


async def test_silence_re_prompts_once_then_queues(pool: asyncpg.Pool,
                                                   server: FastAgiServer) -> None:
    commands = await converse(server.port, silent_caller)
    assert [c for c in commands if c.startswith("GET DATA")] == [
        "GET DATA callcenter/main-menu 10 1"] * 2
    assert commands[-2:] == ['SET VARIABLE CC_IVR_CHOICE "agent"',
                             'SET VARIABLE CC_NEXT "queue"']
    session = await _session(pool)
    assert (session["result"], session["linkedid"], session["caller_number"]) == (
        "agent_no_input", "1700000000.1", "13800138000")
    assert session["path"] == ["no-input", "no-input", "queue:agent"]
    # only the commands that do not wait for the caller are timed: the linkedid, the
    # channel's language, the two variables for the dialplan
    assert server.timed == ["GET FULL", "SET VARIABLE", "SET VARIABLE", "SET VARIABLE"]
    assert 'SET VARIABLE CHANNEL(language) "zh"' in commands
    # Mandarin by default; what the caller was told, the greeting offering English
    assert session["language"] == "zh"
    greeting = ["welcome", "other-language", "main-menu"]
    assert [s for s in session["said"] if s != "closed-now"] == [*greeting, *greeting,
                                                                 "transfer"]


async def test_hang_up_during_the_menu_is_recorded(pool: asyncpg.Pool,
                                                   server: FastAgiServer) -> None:
    def hang_up_at_menu(command: str) -> bytes:
        return b"HANGUP\n" if command.startswith("GET DATA") else silent_caller(command)

    await converse(server.port, hang_up_at_menu)
    session = await _session(pool)
    assert (session["result"], session["ended_at"] is not None) == ("hangup", True)


async def test_a_failing_database_leaves_the_call_to_the_dialplan(
        pool: asyncpg.Pool, server: FastAgiServer) -> None:
    """No CC_NEXT is set: the dialplan queues the caller; the route ends at once."""
    await pool.execute("ALTER TABLE customer_phones RENAME TO customer_phones_gone")
    commands = await converse(server.port, silent_caller)
    assert not [c for c in commands if c.startswith("SET VARIABLE CC_NEXT")]
    assert (await _session(pool))["result"] == "error"


async def test_a_server_stop_cuts_the_session_and_leaves_the_caller_to_the_queue(
        pool: asyncpg.Pool, server: FastAgiServer) -> None:
    """No CC_NEXT is set (the dialplan queues the caller), the stop is quick and the
    session is recorded as cut."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(HEADER)
    commands: list[str] = []
    async with asyncio.timeout(5):
        while not commands or not commands[-1].startswith("GET DATA"):
            commands.append((await reader.readline()).decode().strip())
            if not commands[-1].startswith("GET DATA"):
                writer.write(silent_caller(commands[-1]))
    # The caller is at the main menu, Asterisk waiting for keys: the server stops.
    started = time.monotonic()
    await server.close()
    assert time.monotonic() - started < 0.5
    async with asyncio.timeout(1):
        assert await reader.read() == b""
    writer.close()
    assert not [c for c in commands if c.startswith("SET VARIABLE CC_")]
    session = await _session(pool)
    assert (session["result"], session["path"]) == ("error", ["shutdown"])


async def test_keys_typed_at_once_book_without_a_prompt_played(
        pool: asyncpg.Pool, keypad_server: tuple[FastAgiServer, Keypad]) -> None:
    """1 1 1 1 pressed before the first prompt: book, first day, first time, confirm."""
    server, keypad = keypad_server
    await week_of_slots(pool, capacity=2)
    await add_customer(pool, "张伟", "+8613800138000", ["京A12345"])

    def typing_caller(command: str) -> bytes:
        if command.startswith("SET VARIABLE CHANNEL(language)"):
            for digit in "1111":  # Asterisk read them while no command ran
                keypad.on_frame(_key(digit))
        return silent_caller(command)

    commands = await converse(server.port, typing_caller)
    session = await _session(pool)
    assert session["result"] == "booked"
    assert session["said"] == ["booked"]
    assert not [c for c in commands if c.startswith(("GET DATA", "SAY "))]
    assert await pool.fetchval("SELECT count(*) FROM appointments") == 1


async def test_keys_between_and_during_prompts_keep_their_order(
        pool: asyncpg.Pool, keypad_server: tuple[FastAgiServer, Keypad]) -> None:
    """A key that cuts a prompt (AGI reports it, AMI a little later) and keys pressed
    between commands (AMI only) answer the questions in the order pressed."""
    server, keypad = keypad_server
    await week_of_slots(pool, capacity=2)
    await add_customer(pool, "张伟", "+8613800138000", ["京A12345"])
    loop = asyncio.get_running_loop()
    prompts = 0

    def caller(command: str) -> bytes:
        nonlocal prompts
        if command.startswith("STREAM FILE"):
            prompts += 1
            if prompts == 1:  # "1" cuts the welcome; AMI reports it 20 ms later
                loop.call_later(0.02, keypad.on_frame, _key("1"))
                return b"200 result=49 endpos=100\n"
            if prompts == 2:  # 1 (first day) and 1 (first time) typed during the lookup
                keypad.on_frame(_key("1"))
                keypad.on_frame(_key("1"))
                loop.call_later(0.01, keypad.on_frame, _key("1"))  # then "1" cuts this
                return b"200 result=49 endpos=100\n"
        return silent_caller(command)

    await converse(server.port, caller)
    session = await _session(pool)
    assert session["result"] == "booked", session["path"]
    assert [p.split(":")[0] for p in session["path"]] == [
        "known", "menu", "day", "slot", "booked"]
