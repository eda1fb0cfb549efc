"""GET /api/agents (supervisors choose an agent by name) and the old recordings address.

Real PostgreSQL and the live server: agent "li" (1001) is on the server of every
integration test; here also "wang" (1002, later disabled), a supervisor with a phone
(1008, so they take calls too) and one without, and an admin without a phone.
"""

from __future__ import annotations

from tests.console import AgentSession, ConsoleServer


async def test_supervisors_and_admins_list_everyone_who_takes_calls(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    wang = await agent_server.add_agent("wang", "1002")
    phoning = await agent_server.add_agent("qian", "1008", role="supervisor")
    await agent_server.add_agent("zhao", None, role="supervisor")
    await agent_server.add_agent("root", None, role="admin")
    await agent_server.pool.execute(
        "UPDATE users SET display_name = '王芳', active = false WHERE id = $1", wang)
    li_id = await agent_server.pool.fetchval("SELECT id FROM users WHERE username = 'li'")

    for who in ("zhao", "root"):
        session = await agent_server.login(who)
        try:
            status, body = await session.get("/api/agents")
        finally:
            await session.close()
        assert status == 200, body
        assert body == {"agents": [
            {"id": li_id, "display_name": "Li", "extension": "1001", "active": True},
            {"id": phoning, "display_name": "Qian", "extension": "1008", "active": True},
            {"id": wang, "display_name": "王芳", "extension": "1002", "active": False},
        ]}


async def test_an_agent_may_not_list_the_agents(li: AgentSession) -> None:
    status, body = await li.get("/api/agents")
    assert status == 403
    assert body["error_id"] == "forbidden"


async def test_the_old_recordings_address_redirects_into_the_console(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    resp = await li.http.get("/recordings", allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "/#/recordings"
    page = await li.http.get("/recordings")  # followed: the console's own page
    assert page.status == 200
    assert 'src="/static/app.js"' in await page.text()
