"""queue_log in PostgreSQL: the statistics' sums by bucket, the file's missing lines,
how far the file was read, and the role Asterisk writes with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from callcenter.db.database import unavailable_as_domain_error
from callcenter.db.queries import load_queries
from callcenter.domain.queue_statistics import QueueLogLine, Sums, Thresholds

Q = load_queries("queue_statistics")
# waits of this many seconds and more share one row of the summary (migration 0022)
SUMMARY_WAIT_CAP = 600
# how long before a file line its table row may be stamped: Asterisk reads the clock for
# the table, inserts (a slow database takes a while), then reads it again for the file
MATCH_WINDOW = timedelta(seconds=10)


class QueueLogStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def sums_by(self, starts: datetime, ends: datetime, bucket: str,
                      thresholds: Thresholds, tz: ZoneInfo) -> list[tuple[str | None, Sums]]:
        """(bucket, sums) over [starts, ends); ``bucket`` a domain By value or "total"."""
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(
                Q["sums_by"], starts, ends, thresholds.service_level_seconds,
                thresholds.short_abandon_seconds, tz.key, bucket)
        return [(row["bucket"], Sums.from_row(row)) for row in rows]

    async def summed_days(self, first: date, last: date, bucket: str,
                          thresholds: Thresholds, tz: ZoneInfo
                          ) -> list[tuple[str | None, Sums]] | None:
        """The sums of ``sums_by`` over the whole days ``first``..``last`` from the summary
        of migration 0022; None when it cannot answer exactly (it counts days in another
        zone than ``tz``, or a threshold is past its wait cap): read the lines then."""
        if (thresholds.service_level_seconds >= SUMMARY_WAIT_CAP
                or thresholds.short_abandon_seconds > SUMMARY_WAIT_CAP):
            return None
        async with unavailable_as_domain_error(), self._pool.acquire() as conn:
            if await conn.fetchval(Q["summary_zone"]) != tz.key:
                return None
            rows = await conn.fetch(Q["summed_days"], first, last,
                                    thresholds.service_level_seconds,
                                    thresholds.short_abandon_seconds, bucket)
        return [(row["bucket"], Sums.from_row(row)) for row in rows]

    async def names_of(self, extensions: Sequence[str]) -> dict[str, str]:
        async with unavailable_as_domain_error():
            rows = await self._pool.fetch(Q["names_of_extensions"], list(extensions))
        return {row["extension"]: row["display_name"] for row in rows}

    async def file_position(self, path: str) -> tuple[int, int] | None:
        """(inode, position) of the file as last read, None if never."""
        async with unavailable_as_domain_error():
            row = await self._pool.fetchrow(Q["file_position"], path)
        return None if row is None else (row["inode"], row["position"])

    async def import_lines(self, path: str, inode: int, position: int,
                           lines: Sequence[QueueLogLine]) -> int:
        """Insert the lines the table lacks and record the file read up to ``position``,
        in one transaction; return how many were missing."""
        columns: list[list[object]] = [[] for _ in range(10)]
        for line in lines:
            for column, value in zip(columns, (line.time, line.callid, line.queuename,
                                               line.agent, line.event, *line.data),
                                     strict=True):
                column.append(value)
        async with unavailable_as_domain_error(), self._pool.acquire() as conn, \
                conn.transaction():
            await conn.execute(Q["lock_file_import"])
            added = await conn.fetchval(Q["insert_missing_lines"], *columns, MATCH_WINDOW)
            await conn.execute(Q["save_file_position"], path, inode, position)
        return int(added)

    async def grant_writer(self, role: str, password: str) -> None:
        """Create or update the login Asterisk writes queue_log with: INSERT on queue_log
        only (raises asyncpg's InsufficientPrivilegeError when this server's own role may
        not manage roles)."""
        async with unavailable_as_domain_error(), self._pool.acquire() as conn:
            if await conn.fetchval(Q["writer_role_missing"], role):
                try:
                    await conn.execute(await conn.fetchval(Q["create_writer_role"], role))
                except asyncpg.DuplicateObjectError:
                    pass  # another server created it meanwhile
            for statement in await conn.fetch(Q["writer_role_statements"], role,
                                              scram_verifier(password)):
                await conn.execute(statement[0])


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802/7677):
    ALTER ROLE ... PASSWORD takes it as is, so the password itself is never in a
    statement, nor in a server log that quotes a failed one."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return (f"SCRAM-SHA-256${iterations}:{b64(salt)}"
            f"${b64(hashlib.sha256(client_key).digest())}:{b64(server_key)}")
