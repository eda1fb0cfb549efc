"""The nightly DMS sync on a real PostgreSQL: the folder (good file, bad file, a restart
between import and move, files still being written, the nightly time) and the push API
(admin, integration token, agent 403, bad file 400 with its row errors, nothing half
written)."""

from __future__ import annotations

import hashlib
import os
import shutil
import time as clock
from collections.abc import AsyncIterator
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
import pytest

from callcenter.services.dms_sync import DmsInbox, NightlyDmsImport
from tests.console import ConsoleServer, running_server
from tests.integration.fake_ami import FakeAmi

TZ = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
TOKEN = "dms-token-0123456789abcdefghijklmnopqrstuvwxyz"
TODAY = datetime(2025, 6, 30, tzinfo=TZ).date()


def _drop(inbox: Path, fixture: str, name: str | None = None, age: float = 120) -> Path:
    """A file as the DMS leaves it, last written ``age`` seconds ago."""
    inbox.mkdir(exist_ok=True)
    path = inbox / (name or fixture)
    shutil.copy(FIXTURES / fixture, path)
    written = clock.time() - age
    os.utime(path, (written, written))
    return path


async def _counts(pool: asyncpg.Pool) -> tuple[int, int, int]:
    return (await pool.fetchval("SELECT count(*) FROM customers"),
            await pool.fetchval("SELECT count(*) FROM vehicles"),
            await pool.fetchval("SELECT count(*) FROM service_orders"))


async def test_folder_good_and_bad_files(pool: asyncpg.Pool, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _drop(inbox, "customers_zh.csv", "1-customers.csv")
    _drop(inbox, "service_orders_en.csv", "2-orders.csv")
    _drop(inbox, "customers_bad.csv", "3-bad.csv")
    _drop(inbox, "customers_bad.csv", "4-still-copying.csv", age=5)
    _drop(inbox, "customers_bad.csv", "5-upload.csv.part")
    _drop(inbox, "customers_bad.csv", ".hidden.csv")

    results = await DmsInbox(pool, inbox, region="CN", tz=TZ).import_round(TODAY)

    assert [(r.name, r.status) for r in results] == [
        ("1-customers.csv", "imported"), ("2-orders.csv", "imported"),
        ("3-bad.csv", "rejected")]
    assert await _counts(pool) == (2, 3, 3)
    left = sorted(p.name for p in inbox.iterdir() if p.is_file())
    assert left == [".hidden.csv", "4-still-copying.csv", "5-upload.csv.part"]
    done = sorted(p.name for p in (inbox / "done").iterdir())
    assert len(done) == 4 and done[0].endswith("-1-customers.csv")
    report = (inbox / "done" / (done[0] + ".report.txt")).read_text(encoding="utf-8")
    assert "customers:  2 created" in report
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert failed[0].endswith("-3-bad.csv") and failed[1].endswith("-3-bad.csv.report.txt")
    bad_report = (inbox / "failed" / failed[1]).read_text(encoding="utf-8")
    assert "REJECTED, nothing was imported: 7 problems in 2 rows" in bad_report
    ledger = await pool.fetch("SELECT file_name, status, source FROM dms_imports ORDER BY id")
    assert [(r["file_name"], r["status"]) for r in ledger] == [
        ("1-customers.csv", "imported"), ("2-orders.csv", "imported"),
        ("3-bad.csv", "rejected")]


async def test_a_restart_before_the_move_never_imports_twice(pool: asyncpg.Pool,
                                                            tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _drop(inbox, "customers_zh.csv", "customers.csv")
    first = await DmsInbox(pool, inbox, region="CN", tz=TZ).import_round(TODAY)
    assert [r.status for r in first] == ["imported"]
    # The server stopped after the import's commit, before the file left the folder.
    _drop(inbox, "customers_zh.csv", "customers.csv")
    await pool.execute("UPDATE customers SET name = 'changed by an agent'")
    again = await DmsInbox(pool, inbox, region="CN", tz=TZ).import_round(TODAY)
    assert [r.status for r in again] == ["already_imported"]
    assert "already; not imported again" in again[0].report
    assert await pool.fetchval("SELECT count(*) FROM customers WHERE name = "
                               "'changed by an agent'") == 2
    assert not any(p.is_file() for p in inbox.iterdir())
    assert await pool.fetchval("SELECT count(*) FROM dms_imports") == 1


async def test_the_folder_is_imported_once_a_night_after_its_time(pool: asyncpg.Pool,
                                                                 tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    now = [datetime(2025, 6, 30, 0, 59, tzinfo=TZ)]
    nightly = NightlyDmsImport(DmsInbox(pool, inbox, region="CN", tz=TZ), TZ, time(1, 0),
                               now=lambda: now[0])
    _drop(inbox, "customers_zh.csv")
    assert await nightly.wake() == []
    now[0] = datetime(2025, 6, 30, 1, 0, tzinfo=TZ)
    assert [r.status for r in await nightly.wake()] == ["imported"]
    _drop(inbox, "service_orders_en.csv")
    now[0] = datetime(2025, 6, 30, 14, 0, tzinfo=TZ)
    assert await nightly.wake() == []  # arrived in the day: waits for the night
    now[0] = datetime(2025, 7, 1, 1, 5, tzinfo=TZ)
    assert [r.name for r in await nightly.wake()] == ["service_orders_en.csv"]


# --- POST /api/imports -------------------------------------------------------------

@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0",
           "CALLCENTER_INTEGRATION_TOKEN_SHA256": hashlib.sha256(TOKEN.encode()).hexdigest()}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        await srv.add_agent("root", None, role="admin")
        yield srv


def _form(fixture: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", (FIXTURES / fixture).read_bytes(), filename=fixture,
                   content_type="text/csv")
    return form


async def test_an_admin_pushes_a_file(server: ConsoleServer) -> None:
    admin = await server.login("root")
    try:
        resp = await admin.http.post("/api/imports", data=_form("customers_zh.csv"))
        body = await resp.json()
    finally:
        await admin.close()
    assert resp.status == 200, body
    assert body["file"] == "customers_zh.csv" and body["kind"] == "customers"
    assert body["customers"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert body["errors"] == []
    row = await server.pool.fetchrow("SELECT source, status, pushed_by FROM dms_imports")
    assert row["source"] == "api" and row["status"] == "imported"
    assert row["pushed_by"] is not None


async def test_the_integration_token_pushes_a_raw_body(server: ConsoleServer) -> None:
    async with aiohttp.ClientSession(server.base_url) as http:
        for fixture in ("customers_zh.csv", "service_orders_en.csv"):
            resp = await http.post(
                "/api/imports", params={"filename": fixture},
                data=(FIXTURES / fixture).read_bytes(),
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/csv"})
            assert resp.status == 200, await resp.text()
        body = await resp.json()
        assert body["kind"] == "service_orders"
        assert body["orders"]["created"] == 3
        wrong = await http.post("/api/imports", params={"filename": "x.csv"}, data=b"a",
                                headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status == 401
        nobody = await http.post("/api/imports", params={"filename": "x.csv"}, data=b"a")
        assert nobody.status == 401
    assert await _counts(server.pool) == (2, 3, 3)


async def test_an_agent_may_not_push(server: ConsoleServer) -> None:
    li = await server.login("li")
    try:
        resp = await li.http.post("/api/imports", data=_form("customers_zh.csv"))
        assert resp.status == 403
        assert (await resp.json())["error_id"] == "forbidden"
    finally:
        await li.close()
    assert await _counts(server.pool) == (0, 0, 0)


async def test_a_bad_file_is_refused_with_its_row_errors(server: ConsoleServer) -> None:
    async with aiohttp.ClientSession(server.base_url) as http:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        resp = await http.post("/api/imports", params={"filename": "customers_bad.csv"},
                               data=(FIXTURES / "customers_bad.csv").read_bytes(),
                               headers=auth)
        body = await resp.json()
        unnamed = await http.post("/api/imports", data=b"x", headers=auth)
    assert resp.status == 400
    assert body["error_id"] == "import_rejected"
    errors = body["details"]["errors"]
    assert len(errors) == 7 and body["details"]["problems"] == 7
    assert errors[0] == {"line": 3, "column": "手机", "value": "1380013800",
                         "reason": "not a valid phone number: '1380013800'"}
    assert unnamed.status == 400
    assert await _counts(server.pool) == (0, 0, 0)
    assert await server.pool.fetchval(
        "SELECT status FROM dms_imports WHERE file_name = 'customers_bad.csv'") == "rejected"
