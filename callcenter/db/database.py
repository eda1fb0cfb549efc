"""PostgreSQL: an embedded server (pgserver) when no URL is configured, and the pool."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

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
async def embedded_postgres(data_dir: Path) -> AsyncIterator[str]:
    """Start PostgreSQL in ``data_dir/pg`` (created on first use); yield its URL; stop it."""
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import pgserver  # imported here: only the embedded mode needs it

    pg_dir = (data_dir / "pg").resolve()
    pg_dir.parent.mkdir(parents=True, exist_ok=True)
    # pgserver blocks while initdb/pg_ctl run: keep that off the event loop.
    server = await asyncio.to_thread(pgserver.get_server, pg_dir, cleanup_mode="stop")
    log.info("embedded PostgreSQL running in %s", pg_dir)
    try:
        yield server.get_uri()
    finally:
        await asyncio.to_thread(server.cleanup)
        log.info("embedded PostgreSQL stopped")

@contextlib.asynccontextmanager
async def database_url(configured: str, data_dir: Path) -> AsyncIterator[str]:
    """The configured URL, or an embedded server's for as long as the context lasts."""
    if configured:
        yield configured
        return
    async with embedded_postgres(data_dir) as url:
        yield url

async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(url, min_size=min_size, max_size=max_size,
                                     init=_init_connection)


@contextlib.asynccontextmanager
async def migrated_pool(configured_url: str, data_dir: Path) -> AsyncIterator[asyncpg.Pool]:
    """A pool on an up-to-date schema, for the server and every CLI command alike."""
    async with database_url(configured_url, data_dir) as url:
        pool = await create_pool(url)
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
            yield pool
        finally:
            await pool.close()
