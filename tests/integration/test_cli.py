"""The callcenter command as a newcomer runs it, on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


async def _cli(db_url: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    env = {**os.environ, "CALLCENTER_DATABASE_URL": db_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "callcenter", *args, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate(stdin.encode())
    return proc.returncode or 0, out.decode(), err.decode()


async def test_help_explains_every_command(db_url: str) -> None:
    code, out, _ = await _cli(db_url, "--help")
    assert code == 0
    for command in ("serve", "migrate", "import", "user", "slots", "settings"):
        assert command in out
    assert "CALLCENTER_DATABASE_URL" in out


async def test_user_add_and_list(db_url: str) -> None:
    code, out, err = await _cli(db_url, "user", "add", "li", "--extension", "1001",
                                "--password-stdin", stdin="a-long-password\n")
    assert code == 0, err
    code, _, err = await _cli(db_url, "user", "add", "li2", "--extension", "1001",
                              "--password-stdin", stdin="a-long-password\n")
    assert code == 1 and "extension is already taken" in err
    code, out, _ = await _cli(db_url, "user", "list")
    assert "li " in out and "1001" in out
    conn = await asyncpg.connect(db_url)
    try:
        stored = await conn.fetchval("SELECT password_hash FROM users WHERE username='li'")
    finally:
        await conn.close()
    assert stored.startswith("scrypt$") and "a-long-password" not in stored


async def test_import_rejects_a_bad_file_then_takes_a_good_one(db_url: str) -> None:
    code, _, err = await _cli(db_url, "import", str(SAMPLES / "customers_bad.csv"))
    assert code == 1 and "line" in err.lower()
    conn = await asyncpg.connect(db_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM customers") == 0
    finally:
        await conn.close()
    good = SAMPLES / "customers_zh.csv"
    code, out, err = await _cli(db_url, "import", str(good))
    assert code == 0, err
    code, again, _ = await _cli(db_url, "import", str(good))
    assert code == 0 and "unchanged" in again and again != out


async def test_slots_create_is_repeatable(db_url: str) -> None:
    args = ("slots", "create", "--first", "2030-01-07", "--last", "2030-01-08",
            "--capacity", "3")
    code, out, err = await _cli(db_url, *args)
    assert code == 0, err
    created = int(out.split()[0])
    assert created > 0
    code, out, _ = await _cli(db_url, *args)
    assert out.startswith("0 new")


async def test_recordings_reconcile_reports_orphans(db_url: str, tmp_path: Path) -> None:
    old = tmp_path / "2026" / "01" / "02" / "cc-orphan.wav"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"RIFF")
    os.utime(old, (0, 0))  # long finished
    env_dir = ("--config", str(tmp_path / "cc.toml"))
    (tmp_path / "cc.toml").write_text(f'recordings_dir = "{tmp_path}"\n')
    code, out, err = await _cli(db_url, *env_dir, "recordings", "reconcile")
    assert code == 1, err
    assert "cc-orphan.wav" in out and "1 orphan files, 0 missing files" in out
