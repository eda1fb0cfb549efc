"""FastAGI server: Asterisk's AGI protocol over TCP, one asyncio task per call.

panoramisk's ``fast_agi.Application`` reads the request header in a loop that spins
without yielding when a client sends half a header and closes; ours reads with
``readuntil`` under a timeout, so a broken or silent peer costs one task, never the loop.
Result lines are parsed here too: panoramisk's ``parse_agi_result`` loses the data of an
empty result (``200 result= (timeout)``) and returns tuples.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

HEADER_LIMIT = 16 * 1024
_RESULT = re.compile(r"^200 result=(?P<result>\S*)(?:\s+\((?P<data>.*)\))?")


class AgiHangup(Exception):
    """The caller hung up (or Asterisk closed the AGI socket) during a command."""


class AgiCommandError(Exception):
    """Asterisk refused a command (5xx) or answered something unparseable."""


@dataclass(frozen=True, slots=True)
class AgiResult:
    code: int
    result: str
    data: str

    @property
    def digits(self) -> str:
        """The keys a GET DATA / WAIT FOR DIGIT returned ('' on timeout)."""
        return "" if self.data == "timeout" else self.result


def parse_request_header(raw: bytes) -> dict[str, str]:
    """Decode the ``agi_*: value`` block Asterisk sends when it connects."""
    headers: dict[str, str] = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(": ")
        if sep and key.startswith("agi_"):
            headers[key] = value
    return headers


def script_path(headers: dict[str, str]) -> str:
    """The route of a request: the path of ``agi://host:port/PATH?args``."""
    script = headers.get("agi_network_script")
    if script:
        return script.split("?", 1)[0].strip("/")
    return urlsplit(headers.get("agi_request", "")).path.strip("/")


def parse_result_line(line: str) -> AgiResult:
    """Parse one AGI answer: ``200 result=5``, ``200 result= (timeout)``,
    ``200 result=1 (the value)``, ``510 Invalid command``, ``HANGUP``."""
    if line.startswith("HANGUP"):
        raise AgiHangup(line)
    if line.startswith("100"):
        return AgiResult(100, "", "")
    match = _RESULT.match(line)
    if match is None:
        raise AgiCommandError(f"Asterisk answered {line!r}")
    result, data = match["result"], match["data"] or ""
    if result == "-1":  # the channel is gone or the application failed on hang-up
        raise AgiHangup(line)
    return AgiResult(200, result, data)


class AgiChannel:
    """One call's AGI conversation: send a command, read its result line."""

    def __init__(
        self,
        headers: dict[str, str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        command_timeout: float,
    ) -> None:
        self.headers = headers
        self._reader = reader
        self._writer = writer
        self._command_timeout = command_timeout

    @property
    def caller_id(self) -> str:
        return self.headers.get("agi_callerid", "")

    @property
    def unique_id(self) -> str:
        return self.headers.get("agi_uniqueid", "")

    async def command(self, line: str, timeout: float | None = None) -> AgiResult:
        """Send one AGI command; a hang-up raises AgiHangup.

        ``timeout`` must cover the command's own waiting (GET DATA's timeout).
        """
        if "\n" in line:
            raise AgiCommandError(f"newline in AGI command {line!r}")
        self._writer.write(line.encode() + b"\n")
        await self._writer.drain()
        budget = self._command_timeout if timeout is None else timeout
        while True:
            try:
                async with asyncio.timeout(budget):
                    raw = await self._reader.readline()
            except (ConnectionError, TimeoutError) as exc:
                raise AgiHangup(f"no answer to {line!r}: {exc!r}") from exc
            if not raw:
                raise AgiHangup(f"socket closed during {line!r}")
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if text.startswith("520-"):
                # Usage errors span lines up to "520 End of proper usage."
                async with asyncio.timeout(budget):
                    while raw and not raw.startswith(b"520 "):
                        raw = await self._reader.readline()
                raise AgiCommandError(f"usage error for {line!r}")
            result = parse_result_line(text)
            if result.code != 100:  # "100 Trying" precedes the real answer
                return result

    async def get_variable(self, name: str) -> str:
        result = await self.command(f"GET VARIABLE {name}")
        return result.data if result.result == "1" else ""

    async def set_variable(self, name: str, value: str) -> None:
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        await self.command(f'SET VARIABLE {name} "{quoted}"')


AgiHandler = Callable[[AgiChannel], Awaitable[None]]


class FastAgiServer:
    """Routes each FastAGI connection, by script path, to an async handler.

    The server owns its session tasks: ``close()`` cancels the open sessions and waits
    for them, so a stop is quick and quiet. A caller whose session is cut goes to the
    queue: Asterisk sees the socket close before CC_NEXT says "hangup" (the dialplan's
    rule, docs/asterisk.md).
    """

    def __init__(
        self,
        routes: dict[str, AgiHandler],
        *,
        header_timeout: float = 5.0,
        command_timeout: float = 30.0,
        close_grace: float = 0.3,
    ) -> None:
        self._routes = routes
        self._header_timeout = header_timeout
        self._command_timeout = command_timeout
        # How long close() lets cancelled sessions finish (the hotline records its
        # session) before cancelling what is left once more.
        self._close_grace = close_grace
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._closing = False
        self._sessions: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose for port 0)."""
        if self._port is None:
            raise RuntimeError("the FastAGI server is not started")
        return self._port

    async def start(self, host: str, port: int) -> None:
        self._closing = False
        self._server = await asyncio.start_server(self._accept, host, port, limit=HEADER_LIMIT)
        self._port = self._server.sockets[0].getsockname()[1]
        log.info("FastAGI listening on %s:%s", host, self.port)

    async def close(self) -> None:
        """Stop listening, cancel every open session and wait for them to end."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        sessions = list(self._sessions)
        for task in sessions:
            task.cancel()
        if sessions:
            _, pending = await asyncio.wait(sessions, timeout=self._close_grace)
            if pending:
                log.warning("FastAGI: %d sessions still ending %.1f s after the stop: "
                            "cancelled again", len(pending), self._close_grace)
                for task in pending:
                    task.cancel()
            # A cancelled session ends in CancelledError: expected here, not reported.
            await asyncio.gather(*sessions, return_exceptions=True)
        if self._server is not None:
            # After the sessions: from Python 3.12 this waits for every connection.
            await self._server.wait_closed()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A plain function, not a coroutine: asyncio.start_server would run a coroutine
        # in a task of its own whose done-callback calls task.exception(), and that
        # raises (and logs a traceback) when close() has cancelled the task.
        if self._closing:
            writer.close()
            return
        task = asyncio.create_task(self._session(reader, writer),
                                   name=f"fastagi {writer.get_extra_info('peername')}")
        self._sessions.add(task)
        task.add_done_callback(self._sessions.discard)

    async def _session(self, reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer)
        except Exception:
            log.exception("FastAGI %s: session failed", writer.get_extra_info("peername"))
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            async with asyncio.timeout(self._header_timeout):
                raw = await reader.readuntil(b"\n\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                ConnectionError) as exc:
            log.warning("FastAGI %s: no complete request header (%s)", peer, type(exc).__name__)
            return
        headers = parse_request_header(raw)
        path = script_path(headers)
        handler = self._routes.get(path)
        if handler is None:
            log.error("FastAGI %s: no route for %r", peer, path)
            return
        channel = AgiChannel(headers, reader, writer, self._command_timeout)
        try:
            await handler(channel)
        except AgiHangup:
            log.info("FastAGI %s: caller hung up during %r", peer, path)
        except Exception:
            log.exception("FastAGI %s: handler %r failed", peer, path)
