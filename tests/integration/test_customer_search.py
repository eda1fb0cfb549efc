"""GET /api/customers?q=: the customers a name, phone digits, a plate or a VIN finds
(real PostgreSQL, migration 0019's indexes), and what is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp
import asyncpg

from tests.console import AgentSession, ConsoleServer

# name, phones (e164, label), vehicles (vin, plate, model), do not disturb
CUSTOMERS: list[tuple[str, list[tuple[str, str]], list[tuple[str, str | None, str]], bool]] = [
    ("王伟", [("+8618903423667", "mobile"), ("+8675581351929", "home")],
     [("LSVAU2180N2183294", "粤B·12345", "Model Y")], False),
    ("王芳", [("+8613800003667", "mobile")], [("LFV3A23C8K3000001", "粤B 54321", "Model 3")],
     True),
    ("欧阳娜", [("+8602087654321", "office")], [("LGBH52E05KY123456", "京A12345", "Civic")],
     False),
    ("50%_李", [("+4930123456789", "mobile")], [("WBA8E9C50GK644891", None, "320i")], False),
    ("李雷", [("+8613912345678", "mobile")], [], False),
]


async def seed(pool: asyncpg.Pool) -> dict[str, int]:
    ids: dict[str, int] = {}
    async with pool.acquire() as conn, conn.transaction():
        for name, phones, vehicles, dnd in CUSTOMERS:
            ids[name] = await conn.fetchval(
                "INSERT INTO customers (name, do_not_disturb) VALUES ($1, $2) RETURNING id",
                name, dnd)
            for position, (e164, label) in enumerate(phones):
                await conn.execute("INSERT INTO customer_phones (customer_id, e164, label,"
                                   " position) VALUES ($1, $2, $3, $4)",
                                   ids[name], e164, label, position)
            for vin, plate, model in vehicles:
                await conn.execute("INSERT INTO vehicles (customer_id, vin, plate, model)"
                                   " VALUES ($1, $2, $3, $4)", ids[name], vin, plate, model)
        await conn.execute(
            "INSERT INTO followup_tasks (kind, source_key, customer_id, due_date, status)"
            " VALUES ('sales', 's1', $1, current_date, 'open'),"
            "        ('sales', 's2', $1, current_date, 'call_again'),"
            "        ('sales', 's3', $1, current_date, 'cancelled')", ids["王伟"])
    return ids


async def found(session: AgentSession, q: str, **params: Any) -> list[str]:
    status, body = await session.get(f"/api/customers?q={quote(q)}"
                                     + "".join(f"&{k}={v}" for k, v in params.items()))
    assert status == 200, body
    return [c["name"] for c in body["customers"]]


SEARCHES = [
    ("3667", ["王芳", "王伟"]),  # the last 4 of a mobile: both numbers end so
    ("0342", ["王伟"]),  # digits inside a number
    ("189 0342 3667", ["王伟"]),
    ("+86 189 0342 3667", ["王伟"]),
    ("0755-8135 1929", ["王伟"]),  # a landline as people read it, area code and all
    ("81351929", ["王伟"]),
    ("020 8765", ["欧阳娜"]),
    ("+49 30 1234", ["50%_李"]),  # another country's number, in E.164 digits
    ("粤B·12345", ["王伟"]),
    ("粤b12345", ["王伟"]),
    ("B12345", ["王伟"]),
    ("A12345", ["欧阳娜"]),
    ("粤B", ["王伟", "王芳"]),
    ("京B", []),
    ("12345", ["王伟", "欧阳娜", "李雷", "50%_李"]),  # plates' digits, and inside numbers
    ("2183294", ["王伟"]),  # a VIN's end
    ("LSVAU2180N2183294", ["王伟"]),
    ("k3000001", ["王芳"]),
    ("王", ["王伟", "王芳"]),
    ("王芳", ["王芳"]),
    ("欧阳", ["欧阳娜"]),
    ("李", ["李雷"]),
    ("50%", ["50%_李"]),  # % and _ are letters of the name, not patterns
    ("5_李", []),
    ("张", []),
]


async def test_a_search_finds_the_right_cards(agent_server: ConsoleServer,
                                              li: AgentSession) -> None:
    await seed(agent_server.pool)
    results = {q: sorted(await found(li, q)) for q, _ in SEARCHES}
    assert results == {q: sorted(names) for q, names in SEARCHES}


async def test_a_result_has_what_an_agent_needs_to_pick_the_card(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    ids = await seed(agent_server.pool)
    status, body = await li.get("/api/customers?q=" + quote("王"))
    assert status == 200, body
    assert body["more"] is False
    wang, fang = body["customers"]  # name order
    assert wang == {
        "id": ids["王伟"], "name": "王伟", "value_level": "normal", "do_not_disturb": False,
        "phones": [{"e164": "+8618903423667", "label": "mobile", "invalid": False},
                   {"e164": "+8675581351929", "label": "home", "invalid": False}],
        "vehicles": [{"plate": "粤B·12345", "model": "Model Y", "vin": "LSVAU2180N2183294"}],
        "open_tasks": 2}
    assert (fang["name"], fang["do_not_disturb"], fang["open_tasks"]) == ("王芳", True, 0)


async def test_phone_matches_come_first_and_a_page_says_there_are_more(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    await seed(agent_server.pool)
    # the whole number before numbers that merely end with its last digits
    assert (await found(li, "13800003667"))[0] == "王芳"
    status, body = await li.get("/api/customers?q=3667&limit=1")
    assert (status, len(body["customers"]), body["more"]) == (200, 1, True)


async def test_supervisors_search_too(agent_server: ConsoleServer) -> None:
    await seed(agent_server.pool)
    await agent_server.add_agent("boss", None, role="supervisor")
    boss = await agent_server.login("boss")
    try:
        assert await found(boss, "李雷") == ["李雷"]
    finally:
        await boss.close()


REFUSED = ["", "q=", "q=%20%20", "q=123", "q=" + "王" * 65, "q=%E7%8E%8B%07", "q=%00",
           "q=%E7%8E%8B&limit=0", "q=%E7%8E%8B&limit=51", "q=%E7%8E%8B&limit=x"]


async def test_what_cannot_be_searched_is_a_400(agent_server: ConsoleServer,
                                                li: AgentSession) -> None:
    for query in REFUSED:
        status, body = await li.get(f"/api/customers?{query}")
        assert (status, body["error_id"]) == (400, "invalid_input"), (query, body)


async def test_searching_needs_a_session(agent_server: ConsoleServer) -> None:
    async with aiohttp.ClientSession(agent_server.base_url) as anonymous:
        resp = await anonymous.get("/api/customers?q=3667")
        assert resp.status == 401
