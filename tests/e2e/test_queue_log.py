"""queue_log end to end: a scripted day of the hotline on the real Asterisk, the server
stopped during part of it, gives exactly the stated figures.

The server runs as its own process with the embedded PostgreSQL listening on the
sandbox's queue_log port, so Asterisk writes the table itself while the server is up;
while it is stopped (the embedded PostgreSQL with it) the lines go to the file only,
and the server imports them when it starts again. Ten callers, five agents (sipp
phones 1011..1015 added to the queue over AMI, answering at once, talking 40 s; the
test hangs callers up over AMI at the stated second):

- 5 answered within 10 s (the agents are free);
- 2 answered after about 30 s (they queue behind the first five's talk);
- 2 abandoned after 20 s (queued behind those two, they hang up first);
- 1 short abandon after 2 s.

offered 10, answered 7, abandoned 2, short abandons 1, service level (20 s) 5 / 9; the
waits and talk times are the domain's formulas over the lines Asterisk wrote to its
file (which holds every line), and the server's figures must equal them.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.domain.queue_statistics import Thresholds, figures_from_sums, parse_file_line, total
from callcenter.settings import Settings
from tests.console import AGENT_PASSWORD, login
from tests.harness import sandbox
from tests.harness.ami import AmiClient, Frame
from tests.harness.server_process import ServerProcess
from tests.harness.sipp import Sipp, phone_port, start_caller, start_phone
from tests.waiting import first_result

pytestmark = pytest.mark.asterisk

SIP = ("127.0.0.1", 15060)
AGENTS = [str(n) for n in range(1011, 1016)]
TALK = 40.0  # seconds each agent's phone talks before hanging up
CENTER = Settings().tz
IVR_KEY = "0"  # the hotline's key for an agent (with the server down: straight in)


@pytest.fixture
async def phones() -> AsyncIterator[list[Sipp]]:
    started = [await start_phone(phone_port(ext), "uas_answer", hold=TALK, calls=2)
               for ext in AGENTS]
    yield started
    for phone in started:
        await phone.stop()


async def _cli_add_supervisor(env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "callcenter", "user", "add", "boss", "--role", "supervisor",
        "--name", "Boss", "--password-stdin", env={**os.environ, **env},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate(f"{AGENT_PASSWORD}\n".encode())
    assert proc.returncode == 0, out.decode()


async def test_a_scripted_day_gives_exactly_the_stated_figures(
        sandbox_env: dict[str, str], ami: AmiClient, phones: list[Sipp],
        tmp_path: Path) -> None:
    if "res_config_pgsql.so" not in sandbox.cli("module show like res_config_pgsql"):
        sandbox.restart()  # a sandbox started before queue_log went to PostgreSQL
        await ami.close()
        await ami.connect(sandbox_env["CALLCENTER_AMI_HOST"],
                          int(sandbox_env["CALLCENTER_AMI_PORT"]),
                          sandbox_env["CALLCENTER_AMI_USERNAME"],
                          sandbox_env["CALLCENTER_AMI_SECRET"])
    # a file of this test's lines only (earlier tests' lines of today stay in queue_log.N)
    sandbox.cli("logger rotate")
    queue_log = Path(sandbox_env["CALLCENTER_QUEUE_LOG_FILE"])
    env = {**sandbox_env, "CALLCENTER_DATABASE_URL": "", "CALLCENTER_DATA_DIR": str(tmp_path),
           "CALLCENTER_RECORDINGS_TRANSCRIBER": "none", "CALLCENTER_AMI_RECONNECT_MAX": "1",
           # no import round but the one at start: the rows seen while the server is up
           # are the ones Asterisk wrote itself
           "CALLCENTER_QUEUE_LOG_IMPORT_SECONDS": "600"}
    await _cli_add_supervisor(env)
    server = ServerProcess(env)
    callers: list[Sipp] = []
    try:
        await server.start()
        # Asterisk looks at the table again (it started while it was out of reach, and
        # wrote one "data" column since): one field per column from now on
        sandbox.cli("logger reload")
        await _empty_queue(ami)  # members an earlier run left would ring first
        for ext in AGENTS:
            await ami.action("QueueAdd", Queue="hotline", Interface=f"PJSIP/{ext}",
                             MemberName=f"Agent {ext}")
        boss = await login(server.base_url, "boss")

        async def today() -> dict[str, Any]:
            day = datetime.now(CENTER).date().isoformat()
            status, figures = await boss.get(f"/api/queue/statistics?from={day}&to={day}")
            assert status == 200, figures
            return figures["total"]

        # 5 callers the free agents answer at once
        mark = len(ami.frames)
        callers += [await start_caller(*SIP, caller_id=f"1380013810{n}", keys=IVR_KEY,
                                       hold=TALK + 20) for n in range(5)]
        await first_result(lambda: _events(ami, mark, "AgentConnect", 5), 20)
        # Asterisk wrote them into PostgreSQL itself: no import ran since the start
        assert (await first_result(lambda: _with(today, "answered", 5), 10))["answered"] == 5
        await boss.http.close()

        # 2 callers who wait for the first agent free, then 2 who give up after 20 s and
        # one who gives up after 2 s, all waiting when the server stops; the test hangs
        # them up over AMI, at the right second after they joined or were answered
        mark = len(ami.frames)
        late = ["13800138200", "13800138201"]
        gone = {"13800138300": 20.0, "13800138301": 20.0, "13800138400": 2.0}
        callers += [await start_caller(*SIP, caller_id=n, keys=IVR_KEY, hold=120)
                    for n in late]
        for number in late:
            await ami.wait_event("QueueCallerJoin", timeout=20, since=mark, CallerIDNum=number)
        callers += [await start_caller(*SIP, caller_id=number, keys=IVR_KEY, hold=120)
                    for number in gone]
        hang_ups = []
        for number, after in gone.items():
            join = await ami.wait_event("QueueCallerJoin", timeout=20, since=mark,
                                        CallerIDNum=number)
            hang_ups.append(asyncio.create_task(_hang_up(ami, join, after)))
        assert await server.stop() == 0

        # the queue goes on without the server and its PostgreSQL
        await asyncio.gather(*hang_ups)
        for number in late:  # answered when the first agents are free, then 3 s of talk
            connect = await ami.wait_event("AgentConnect", timeout=TALK + 20, since=mark,
                                           CallerIDNum=number)
            hang_ups.append(asyncio.create_task(_hang_up(ami, connect, 3)))
        await asyncio.gather(*hang_ups)
        for caller in callers:
            await caller.wait(TALK + 20)
        await server.start()
        boss = await login(server.base_url, "boss")
        figures = await first_result(lambda: _with(today, "offered", 10), 20)
    finally:
        for caller in callers:
            await caller.stop()
        for ext in AGENTS:
            await ami.send("QueueRemove", Queue="hotline", Interface=f"PJSIP/{ext}")
        await server.stop()

    lines = [line for raw in (await asyncio.to_thread(queue_log.read_text)).splitlines()
             if (line := parse_file_line(raw)) is not None]
    expected = figures_from_sums(total(lines, Thresholds()), Thresholds())
    waits = sorted(int(line.field(1 if line.event == "CONNECT" else 3)) for line in lines
                   if line.event in ("CONNECT", "ABANDON"))
    assert len(waits) == 10, waits
    assert (figures["offered"], figures["answered"], figures["abandoned"],
            figures["short_abandoned"]) == (10, 7, 2, 1), (figures, waits)
    assert figures["service_level"] == round(5 / 9, 4), (figures, waits)
    assert figures == expected, waits
    assert figures["longest_wait_seconds"] >= 25 and figures["average_talk_seconds"] > 0


async def _empty_queue(ami: AmiClient) -> None:
    for frame in await ami.send("QueueStatus", Queue="hotline"):
        interface = frame.get("Location") or frame.get("Interface")
        if frame.event == "QueueMember" and interface:
            await ami.send("QueueRemove", Queue="hotline", Interface=interface)


async def _hang_up(ami: AmiClient, event: Frame, after: float) -> None:
    """Hang up the caller of ``event`` ``after`` seconds past its Timestamp (Asterisk's
    clock: however late the test saw it)."""
    await asyncio.sleep(max(0.0, float(event.get("Timestamp")) + after - time.time()))
    await ami.send("Hangup", Channel=event.get("Channel"))


async def _events(ami: AmiClient, since: int, name: str, count: int) -> bool:
    return sum(1 for f in ami.frames[since:] if f.event == name) >= count


async def _with(fetch: Callable[[], Awaitable[dict[str, Any]]], key: str,
                value: int) -> dict[str, Any] | None:
    figures = await fetch()
    return figures if figures[key] == value else None
