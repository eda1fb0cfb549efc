"""The FastAGI server against loopback peers that misbehave (fault injection).

The real Asterisk path (sipp caller -> dialplan -> FastAGI) is in tests/e2e.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from callcenter.telephony.agi import AgiChannel, AgiHangup, FastAgiServer

HEADER = (b"agi_network: yes\nagi_network_script: hotline\nagi_request: agi://127.0.0.1/hotline\n"
          b"agi_channel: PJSIP/trunk-00000001\nagi_uniqueid: 1700000000.1\n"
          b"agi_callerid: 13800138000\n\n")


@pytest.fixture
async def agi():
    seen: list[str] = []

    async def hotline(channel: AgiChannel) -> None:
        seen.append(channel.caller_id)
        result = await channel.command("GET DATA beep 5000 1", timeout=2)
        seen.append(result.digits)

    server = FastAgiServer({"hotline": hotline}, header_timeout=0.5)
    await server.start("127.0.0.1", 0)
    server.seen = seen
    yield server
    await server.close()


async def test_partial_header_then_close_does_not_stall_the_loop(agi: FastAgiServer) -> None:
    ticks = 0

    async def timer() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(timer())
    for _ in range(20):
        _, writer = await asyncio.open_connection("127.0.0.1", agi.port)
        writer.write(b"agi_network: yes\nagi_netw")  # half a header...
        await writer.drain()
        writer.close()  # ...and gone
    # And one that sends half a header and then stays silent.
    _, silent = await asyncio.open_connection("127.0.0.1", agi.port)
    silent.write(b"agi_network: yes\n")
    started = time.monotonic()
    await asyncio.sleep(0.8)
    ticker.cancel()
    elapsed = time.monotonic() - started
    # A 10 ms timer over 0.8 s: a stalled loop would show a handful of ticks at most.
    assert ticks >= 0.5 * elapsed / 0.01
    silent.close()
    # The server still serves a well-formed request afterwards.
    reader, writer = await asyncio.open_connection("127.0.0.1", agi.port)
    writer.write(HEADER)
    assert await reader.readline() == b"GET DATA beep 5000 1\n"
    writer.write(b"200 result=7\n")
    await writer.drain()
    await asyncio.sleep(0.05)
    assert agi.seen == ["13800138000", "7"]
    writer.close()


async def test_caller_hangs_up_during_a_command(agi: FastAgiServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", agi.port)
    writer.write(HEADER)
    await reader.readline()
    writer.write(b"HANGUP\n")
    await writer.drain()
    assert await reader.read() == b""  # the server closed its side
    writer.close()


async def test_timeout_answer_gives_no_digits() -> None:
    from callcenter.telephony.agi import parse_result_line

    assert parse_result_line("200 result= (timeout)").digits == ""
    assert parse_result_line("200 result=12 (timeout)").digits == ""
    assert parse_result_line("200 result=12").digits == "12"
    with pytest.raises(AgiHangup):
        parse_result_line("HANGUP")


async def test_unknown_route_is_closed(agi: FastAgiServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", agi.port)
    writer.write(HEADER.replace(b"script: hotline", b"script: nowhere"))
    assert await reader.read() == b""
    writer.close()


async def test_close_ends_open_sessions_quietly_and_quickly(
        agi: FastAgiServer, caplog: pytest.LogCaptureFixture) -> None:
    # Two callers in the middle of a command (the route waits up to 2 s for the answer)
    # when the server stops.
    peers = []
    for _ in range(2):
        reader, writer = await asyncio.open_connection("127.0.0.1", agi.port)
        writer.write(HEADER)
        assert await reader.readline() == b"GET DATA beep 5000 1\n"
        peers.append((reader, writer))
    with caplog.at_level(logging.WARNING, logger="asyncio"):
        started = time.monotonic()
        await agi.close()
        elapsed = time.monotonic() - started
        # The socket is closed: Asterisk ends the AGI and the dialplan queues the call.
        for reader, writer in peers:
            async with asyncio.timeout(1):
                assert await reader.read() == b""
            writer.close()
        await asyncio.sleep(0.05)  # the loop's callbacks of the ended sessions run
    assert elapsed < 0.5
    assert [r for r in caplog.records if r.name == "asyncio"] == []
    assert agi.seen == ["13800138000", "13800138000"]
    # No new caller is accepted once closed.
    with pytest.raises(ConnectionError):
        await asyncio.open_connection("127.0.0.1", agi.port)


async def test_close_does_not_wait_for_a_session_slow_to_end(
        caplog: pytest.LogCaptureFixture) -> None:
    async def slow(channel: AgiChannel) -> None:
        try:
            await channel.command("GET DATA beep 5000 1", timeout=2)
        finally:
            await asyncio.sleep(10)  # e.g. a record written to a database that is gone

    server = FastAgiServer({"hotline": slow}, close_grace=0.1)
    await server.start("127.0.0.1", 0)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(HEADER)
    await reader.readline()
    started = time.monotonic()
    await server.close()
    assert time.monotonic() - started < 0.5
    assert "cancelled again" in caplog.text
    writer.close()


def test_the_port_of_a_server_not_started_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = FastAgiServer({}).port
