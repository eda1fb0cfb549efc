"""Every named statement of ``callcenter/db/queries/*.sql`` against the migrated schema.

Each statement is prepared (parsed, analysed and planned by PostgreSQL, parameter types
inferred) exactly as asyncpg prepares it before running it: a misspelt column, a table a
migration dropped or an untypeable parameter fails here rather than in front of an agent.

A file's statements run in order in one transaction that is rolled back, each in a
savepoint of its own, so one failure does not hide the next. Two kinds of statement need
more than a prepare:

- ``CREATE TEMP TABLE`` (the import staging tables) is executed too, so the statements
  after it that read the staging tables can be prepared;
- a statement of several commands cannot be prepared at all (PostgreSQL refuses several
  commands in one prepared statement); the code runs it without parameters, on the simple
  protocol, so it is executed here the same way, which checks it just as well.
"""

from __future__ import annotations

import re
from importlib import resources

import asyncpg
import pytest

from callcenter.db.queries import load_queries

FEATURES = sorted(
    entry.name.removesuffix(".sql")
    for entry in resources.files("callcenter.db").joinpath("queries").iterdir()
    if entry.name.endswith(".sql"))

_CREATES_TEMP_TABLE = re.compile(r"^\s*CREATE\s+TEMP(ORARY)?\s+TABLE\b", re.IGNORECASE)
_PARAMETER = re.compile(r"\$\d+")


def test_every_query_file_is_checked() -> None:
    assert "calls" in FEATURES and "users" in FEATURES


@pytest.mark.parametrize("feature", FEATURES)
async def test_every_statement_prepares_on_the_migrated_schema(db_url: str,
                                                               feature: str) -> None:
    queries = load_queries(feature)
    assert queries, f"{feature}.sql names no statement"
    failures: list[str] = []
    conn = await asyncpg.connect(db_url)
    try:
        async with conn.transaction():
            for name, sql in queries.items():
                try:
                    async with conn.transaction():
                        await _check(conn, sql)
                except asyncpg.PostgresError as exc:
                    failures.append(f"{feature}.sql {name}: {type(exc).__name__}: {exc}")
            raise _RollBack
    except _RollBack:
        pass
    finally:
        await conn.close()
    assert not failures, "\n".join(failures)


class _RollBack(Exception):
    """Leaves the file's transaction without committing what its statements did."""


async def _check(conn: asyncpg.Connection, sql: str) -> None:
    try:
        async with conn.transaction():
            await conn.prepare(sql)
    except asyncpg.PostgresSyntaxError as exc:
        if "multiple commands" not in str(exc):
            raise
        assert not _PARAMETER.search(sql), "several commands with parameters cannot run"
        await conn.execute(sql)
        return
    if _CREATES_TEMP_TABLE.match(_without_comments(sql)):
        await conn.execute(sql)


def _without_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)
