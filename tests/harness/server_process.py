"""The server as its own process (``python -m callcenter serve``), for what an in-process
app cannot show: a ``kill -9`` in the middle of calls, a restart on the same database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
from pathlib import Path

import aiohttp

from tests.harness import log_scan
from tests.waiting import first_result


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_tcp_port()
        self.env = {**os.environ, **env, "CALLCENTER_HTTP_HOST": "127.0.0.1",
                    "CALLCENTER_HTTP_PORT": str(self.port)}
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="callcenter-server-", suffix=".log")[1])
        log_scan.watch(self.log)
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 30.0) -> None:
        """Start it and wait until /healthz says PostgreSQL and the AMI link are up."""
        with self.log.open("ab") as out:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "callcenter", "serve", env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)
        async with aiohttp.ClientSession() as http:
            async def healthy() -> bool:
                if self._proc is not None and self._proc.returncode is not None:
                    raise AssertionError(f"server exited:\n{self.log.read_text()[-3000:]}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{self.base_url}/healthz") as resp:
                        return resp.status == 200
                return False
            await first_result(healthy, timeout, every=0.1)

    async def kill(self) -> None:
        """SIGKILL: nothing runs after it, as when the machine loses power."""
        assert self._proc is not None
        self._proc.send_signal(signal.SIGKILL)
        await self._proc.wait()

    async def stop(self) -> int | None:
        if self._proc is None or self._proc.returncode is not None:
            return None if self._proc is None else self._proc.returncode
        self._proc.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(15):
                return await self._proc.wait()
        except TimeoutError:
            self._proc.kill()
            return await self._proc.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")
