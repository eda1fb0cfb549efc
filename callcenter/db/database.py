"""PostgreSQL: an embedded server (pgserver) when no URL is configured, and the pool."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg

from callcenter.db.migrations import migrate
from callcenter.errors import CallcenterError

log = logging.getLogger(__name__)


class DatabaseUnavailable(CallcenterError):
    """PostgreSQL cannot be reached right now; what was asked was not written."""

    error_id = "database_unavailable"
    http_status = 503


# What a lost or refused connection raises, as opposed to a statement PostgreSQL refused;
# class 57 is the server shutting down, starting up or restarting.
CONNECTION_ERRORS = (OSError, TimeoutError, asyncpg.PostgresConnectionError,
                     asyncpg.InterfaceError, asyncpg.exceptions.OperatorInterventionError)


@contextlib.asynccontextmanager
async def unavailable_as_domain_error() -> AsyncIterator[None]:
    """Inside a repository: a connection failure becomes DatabaseUnavailable."""
    try:
        yield
    except CONNECTION_ERRORS as exc:
        raise DatabaseUnavailable(f"PostgreSQL unavailable: {type(exc).__name__}") from exc


async def _init_connection(conn: asyncpg.Connection) -> None:
    # json and jsonb values arrive as Python objects, not strings.
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads,
                                  schema="pg_catalog")


@contextlib.asynccontextmanager
async def embedded_postgres(data_dir: Path, listen_port: int = 0) -> AsyncIterator[str]:
    """Start PostgreSQL in ``data_dir/pg`` (created on first use); yield its URL; stop it.

    With ``listen_port`` it also listens on 127.0.0.1 at that port, where every login
    needs its password (the chrooted Asterisk writes queue_log there: it cannot reach a
    unix socket outside its root); the server itself keeps using the socket.
    """
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import pgserver  # imported here: only the embedded mode needs it

    pg_dir = (data_dir / "pg").resolve()
    pg_dir.parent.mkdir(parents=True, exist_ok=True)
    # pgserver blocks while initdb/pg_ctl run: keep that off the event loop.
    server = await asyncio.to_thread(pgserver.get_server, pg_dir, cleanup_mode="stop")
    if listen_port:
        await asyncio.to_thread(_listen_on_loopback, server, pg_dir, listen_port)
    info = server.get_postmaster_info()
    # with the port: pgserver's own URL leaves it out (libpq then looks for 5432's socket)
    url = f"postgresql://postgres:@/postgres?host={info.socket_dir}&port={info.port}"
    log.info("embedded PostgreSQL running in %s%s", pg_dir,
             f" (and on 127.0.0.1:{listen_port})" if listen_port else "")
    try:
        yield url
    finally:
        await asyncio.to_thread(server.cleanup)
        log.info("embedded PostgreSQL stopped")


_PASSWORD_LOGINS = "host all all 127.0.0.1/32 scram-sha-256\n"


def _listen_on_loopback(server: Any, pg_dir: Path, port: int) -> None:
    """Restart pgserver's PostgreSQL listening on 127.0.0.1:``port`` as well (pgserver
    starts it with ``-h ""``, which no configuration file overrides, so the options go
    on pg_ctl's command line)."""
    from pgserver import _commands  # pgserver's own pg_ctl, run as its system user

    info = server.get_postmaster_info()
    if info.hostname == "127.0.0.1" and info.port == port:
        return  # a server started so already
    # initdb trusts every login; over TCP only password logins (postgres has none)
    (pg_dir / "pg_hba.conf").write_text(
        "local all all trust\n" + _PASSWORD_LOGINS, encoding="utf-8")
    pg_ctl = _commands.pg_ctl  # type: ignore[attr-defined]  # made at its import
    pg_ctl(["-w", "-m", "fast", "-o", f"-h 127.0.0.1 -p {port} -k {info.socket_dir}",
            "-l", str(server.log), "restart"],
           pgdata=pg_dir, user=server.system_user, timeout=30)
    # pgserver stops the server it knows at the end: the restarted one
    server._postmaster_info = type(info).read_from_pgdata(pg_dir)


@contextlib.asynccontextmanager
async def database_url(configured: str, data_dir: Path,
                       listen_port: int = 0) -> AsyncIterator[str]:
    """The configured URL, or an embedded server's for as long as the context lasts."""
    if configured:
        yield configured
        return
    async with embedded_postgres(data_dir, listen_port) as url:
        yield url

async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(url, min_size=min_size, max_size=max_size,
                                     init=_init_connection)


@contextlib.asynccontextmanager
async def migrated_pool(configured_url: str, data_dir: Path,
                        listen_port: int = 0) -> AsyncIterator[asyncpg.Pool]:
    """A pool on an up-to-date schema, for the server and every CLI command alike."""
    async with database_url(configured_url, data_dir, listen_port) as url:
        pool = await create_pool(url)
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            yield pool
        finally:
            await pool.close()
