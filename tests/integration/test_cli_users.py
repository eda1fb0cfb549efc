"""``callcenter user ...`` administration and what every command prints, as a terminal
user sees them."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg

from callcenter.db.migrations import load_migrations

PASSWORD = "a-long-password\n"


async def _cli(db_url: str, *args: str, stdin: str | None = "",
               env: dict[str, str] | None = None) -> tuple[int, str, str]:
    env = {**os.environ, "CALLCENTER_DATABASE_URL": db_url, **(env or {})}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "callcenter", *args, env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        start_new_session=True)  # no controlling terminal: getpass reads stdin
    out, err = await proc.communicate(stdin.encode() if stdin is not None else None)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_disable_set_reset_and_list(db_url: str) -> None:
    assert (await _cli(db_url, "user", "add", "li", "--extension", "1001",
                       "--password-stdin", stdin=PASSWORD))[0] == 0
    code, out, err = await _cli(db_url, "user", "disable", "li")
    assert code == 0 and out.startswith("user li disabled") and err == ""
    code, out, _ = await _cli(db_url, "user", "list")
    assert "(disabled)" in out and out.endswith("1 accounts\n")
    assert (await _cli(db_url, "user", "enable", "li"))[0] == 0
    code, out, err = await _cli(db_url, "user", "set", "li", "--role", "supervisor",
                                "--no-extension", "--name", "Li Na")
    assert code == 0, err
    assert out == "user li: supervisor ext - zh-CN Li Na\n"
    code, _, err = await _cli(db_url, "user", "set", "li", "--role", "agent")
    assert code == 2 and "extension" in err  # an agent needs one
    code, out, _ = await _cli(db_url, "user", "reset-password", "li", "--password-stdin",
                              stdin="temporary-pass\n")
    assert code == 0 and "must choose a new password" in out
    code, out, _ = await _cli(db_url, "user", "list")
    assert "li " in out and "must change password" in out and "(disabled" not in out
    code, _, err = await _cli(db_url, "user", "disable", "nobody")
    assert code == 1 and err == "callcenter: no user 'nobody'\n"
    conn = await asyncpg.connect(db_url)
    try:
        actions = [r["action"] for r in await conn.fetch(
            "SELECT action, actor_id FROM audit_log WHERE target_id = 'li' ORDER BY id")]
    finally:
        await conn.close()
    assert actions == ["user.add", "user.disable", "user.enable", "user.change",
                       "user.password_reset"]


async def test_a_closed_stdin_at_the_password_prompt_is_one_clean_line(db_url: str) -> None:
    for args, said in ((("user", "add", "li", "--role", "supervisor"),
                        "no password given (the input was closed)"),
                       (("user", "add", "li", "--role", "supervisor", "--password-stdin"),
                        "no password on stdin"),
                       (("user", "reset-password", "li"),
                        "no password given (the input was closed)")):
        code, out, err = await _cli(db_url, *args, stdin=None)
        assert code == 2, err
        assert f"callcenter: {said}" in err and "Traceback" not in err
        assert out == ""


async def test_a_command_says_what_it_did_not_that_postgresql_stopped(
        tmp_path: Path) -> None:
    env = {"CALLCENTER_DATA_DIR": str(tmp_path / "data")}
    code, out, err = await _cli("", "migrate", env=env)  # the embedded PostgreSQL
    assert code == 0, err
    assert out.startswith(f"applied {len(load_migrations())} migrations (0001_domain, ")
    assert err == ""  # not "embedded PostgreSQL running ... stopped"
    code, out, err = await _cli("", "migrate", env=env)
    assert (code, out, err) == (0, "the database schema was already up to date\n", "")
    code, out, err = await _cli("", "user", "list", env=env)
    assert (out, err) == ("0 accounts\n", "")
