"""User administration through the API, on the real server: admins only; disabling a
user ends their live session at once, its WebSocket included; a reset password must be
changed at the next login; the audit log names who did what."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from callcenter.db.users import SessionStore
from callcenter.domain.login_throttle import ThrottlePolicy
from callcenter.keys import HUB
from callcenter.services.session_sweep import SessionSweep
from tests.console import AGENT_PASSWORD, AgentSession, ConsoleServer, login
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually

TEMPORARY = "temporary-pass-1"


@pytest.fixture
async def admin(agent_server: ConsoleServer) -> AsyncIterator[AgentSession]:
    await agent_server.add_agent("boss", None, role="admin")
    session = await agent_server.login("boss")
    yield session
    await session.close()


async def _user_id(server: ConsoleServer, username: str) -> int:
    return await server.pool.fetchval("SELECT id FROM users WHERE username = $1", username)


async def _ws_closed(session: AgentSession) -> int | None:
    assert session.ws is not None and session._reader is not None
    await asyncio.wait_for(session._reader, 5)
    return session.ws.close_code


async def test_only_admins_administer(agent_server: ConsoleServer, li: AgentSession) -> None:
    await agent_server.add_agent("zhao", None, role="supervisor")
    zhao = await agent_server.login("zhao")
    try:
        for session in (li, zhao):
            assert (await session.get("/api/users"))[0] == 403
            status, body = await session.post("/api/users", {
                "username": "mallory", "role": "admin", "password": "x" * 12})
            assert status == 403 and body["error_id"] == "forbidden"
    finally:
        await zhao.close()


async def test_an_admin_lists_adds_and_changes_accounts(
        agent_server: ConsoleServer, admin: AgentSession, li: AgentSession) -> None:
    status, body = await admin.get("/api/users")
    assert status == 200
    listed = {a["username"]: a for a in body["items"]}
    assert listed["li"]["sessions"] == 1 and listed["li"]["active"] is True
    assert listed["li"]["must_change_password"] is False

    status, body = await admin.post("/api/users", {
        "username": "wang", "display_name": "王强", "role": "agent", "extension": "1002",
        "locale": "zh-CN", "password": AGENT_PASSWORD})
    assert status == 201, body
    wang = body["user"]
    assert (wang["username"], wang["extension"], wang["sessions"]) == ("wang", "1002", 0)
    status, body = await admin.post("/api/users", {
        "username": "wang2", "role": "agent", "extension": "1002", "password": "x" * 12})
    assert status == 409 and body["details"]["field"] == "extension"
    status, body = await admin.post("/api/users", {
        "username": "short", "role": "supervisor", "password": "x"})
    assert status == 400

    http = admin.http
    async with http.patch(f"/api/users/{wang['id']}",
                          json={"role": "supervisor", "extension": None}) as resp:
        assert resp.status == 200
        changed = (await resp.json())["user"]
    assert (changed["role"], changed["extension"]) == ("supervisor", None)
    async with http.patch(f"/api/users/{wang['id']}", json={"role": "agent"}) as resp:
        assert resp.status == 400  # an agent needs an extension
        assert (await resp.json())["details"]["field"] == "extension"
    async with http.patch("/api/users/999999", json={"locale": "en"}) as resp:
        assert resp.status == 404

    boss = await _user_id(agent_server, "boss")
    audit = await agent_server.pool.fetch(
        "SELECT action, target_id, details FROM audit_log"
        " WHERE actor_id = $1 AND action LIKE 'user.%' ORDER BY id", boss)
    assert [(a["action"], a["target_id"]) for a in audit] == [
        ("user.add", "wang"), ("user.change", "wang")]
    assert audit[1]["details"] == {"role": "supervisor", "extension": None}


async def test_disabling_a_user_ends_their_live_session_and_websocket(
        agent_server: ConsoleServer, admin: AgentSession, li: AgentSession,
        fake_ami: FakeAmi) -> None:
    await li.open_ws()
    await eventually(lambda: bool(agent_server.app[HUB].sessions()))
    assert (await li.get("/api/me"))[0] == 200
    li_id = await _user_id(agent_server, "li")
    status, body = await admin.post(f"/api/users/{li_id}/disable", {})
    assert status == 200 and body["user"]["active"] is False
    assert body["user"]["sessions"] == 0
    assert await _ws_closed(li) == 4401  # closed at once, with the session-ended code
    removed = [a for a in fake_ami.received if a["Action"] == "QueueRemove"]
    assert [a["Interface"] for a in removed] == ["PJSIP/1001"]  # out of the queue too
    assert (await li.get("/api/me"))[0] == 401
    assert (await li.post("/api/followups/1/outcome", {}))[0] == 401
    async with aiohttp.ClientSession(agent_server.base_url) as fresh:
        resp = await fresh.post("/api/login", json={"username": "li",
                                                    "password": AGENT_PASSWORD})
        assert resp.status == 401  # a disabled account cannot log in
    status, _ = await admin.post(f"/api/users/{li_id}/enable", {})
    assert status == 200
    again = await agent_server.login("li")
    await again.close()


async def test_an_admin_cannot_disable_or_demote_themselves(
        agent_server: ConsoleServer, admin: AgentSession) -> None:
    boss = await _user_id(agent_server, "boss")
    status, body = await admin.post(f"/api/users/{boss}/disable", {})
    assert status == 409 and body["error_id"] == "own_account"
    async with admin.http.patch(f"/api/users/{boss}", json={"role": "agent",
                                                            "extension": "1009"}) as resp:
        assert resp.status == 409
    assert (await admin.get("/api/users"))[0] == 200


async def test_a_reset_password_must_be_changed_at_the_next_login(
        agent_server: ConsoleServer, admin: AgentSession, li: AgentSession) -> None:
    await li.open_ws()
    await eventually(lambda: bool(agent_server.app[HUB].sessions()))
    li_id = await _user_id(agent_server, "li")
    status, body = await admin.post(f"/api/users/{li_id}/password", {"password": TEMPORARY})
    assert status == 200 and body["user"]["must_change_password"] is True
    assert await _ws_closed(li) == 4401
    assert (await li.get("/api/me"))[0] == 401  # the old session ended

    session = aiohttp.ClientSession(agent_server.base_url,
                                    cookie_jar=aiohttp.CookieJar(unsafe=True))
    temp = AgentSession(session)
    other = AgentSession(aiohttp.ClientSession(agent_server.base_url,
                                               cookie_jar=aiohttp.CookieJar(unsafe=True)))
    try:
        for s in (temp, other):
            status, body = await s.post("/api/login", {"username": "li",
                                                       "password": TEMPORARY})
            assert status == 200 and body["user"]["must_change_password"] is True
        assert (await temp.get("/api/me"))[0] == 200
        status, body = await temp.get("/api/followups?list=today")
        assert status == 403 and body["error_id"] == "password_change_required"
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await temp.http.ws_connect("/api/ws")
        status, body = await temp.post("/api/password", {
            "current_password": "wrong-password", "new_password": "brand-new-pass"})
        assert status == 401 and body["error_id"] == "bad_credentials"
        status, body = await temp.post("/api/password", {
            "current_password": TEMPORARY, "new_password": TEMPORARY})
        assert status == 400
        status, body = await temp.post("/api/password", {
            "current_password": TEMPORARY, "new_password": "brand-new-pass"})
        assert status == 200 and body["user"]["must_change_password"] is False
        assert (await temp.get("/api/followups?list=today"))[0] == 200
        assert (await other.get("/api/me"))[0] == 401  # the other session ended
    finally:
        await temp.close()
        await other.close()
    renewed = AgentSession(aiohttp.ClientSession(agent_server.base_url))
    try:
        assert (await renewed.post("/api/login", {"username": "li",
                                                  "password": "brand-new-pass"}))[0] == 200
    finally:
        await renewed.close()
    actions = [r["action"] for r in await agent_server.pool.fetch(
        "SELECT action FROM audit_log WHERE target_id = 'li' AND action LIKE 'user.%'"
        " ORDER BY id")]
    assert actions == ["user.add", "user.password_reset", "user.password_change"]


async def test_a_session_ended_elsewhere_loses_its_websocket_at_the_sweep(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    """The command line (or another server) ends sessions in PostgreSQL only."""
    await li.open_ws()
    await eventually(lambda: bool(agent_server.app[HUB].sessions()))
    await agent_server.pool.execute("UPDATE users SET active = false WHERE username = 'li'")
    hub = agent_server.app[HUB]
    sweep = SessionSweep(SessionStore(agent_server.pool), ThrottlePolicy(),
                         open_sessions=hub.sessions, end_sessions=hub.end_sessions)
    assert await sweep.run_once() == 1
    assert await _ws_closed(li) == 4401


async def test_login_tells_a_client_the_password_must_change(
        agent_server: ConsoleServer) -> None:
    await agent_server.pool.execute(
        "UPDATE users SET must_change_password = true WHERE username = 'li'")
    session = await login(agent_server.base_url, "li")
    try:
        assert (await session.get("/api/me"))[1]["user"]["must_change_password"] is True
    finally:
        await session.close()


async def test_an_admin_sets_the_mobile_a_late_complaint_is_texted_to(
        agent_server: ConsoleServer, admin: AgentSession) -> None:
    li = await _user_id(agent_server, "li")
    http = admin.http
    async with http.patch(f"/api/users/{li}", json={"mobile": "+8613900000001"}) as resp:
        assert resp.status == 200, await resp.text()
    assert await agent_server.pool.fetchval("SELECT mobile FROM users WHERE id = $1",
                                            li) == "+8613900000001"
    async with http.patch(f"/api/users/{li}", json={"mobile": "13900000001"}) as resp:
        assert (resp.status, (await resp.json())["details"]["field"]) == (400, "mobile")
    async with http.patch(f"/api/users/{li}", json={"locale": "zh-CN"}) as resp:
        assert resp.status == 200  # a change that does not name the mobile keeps it
    status, body = await admin.get("/api/users")
    assert status == 200
    assert {a["username"]: a["mobile"] for a in body["items"]}["li"] == "+8613900000001"
    async with http.patch(f"/api/users/{li}", json={"mobile": None}) as resp:
        assert resp.status == 200
    assert await agent_server.pool.fetchval("SELECT mobile FROM users WHERE id = $1",
                                            li) is None
