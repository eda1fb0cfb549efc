"""The customer card over HTTP (real PostgreSQL)."""

from __future__ import annotations

from tests.console import AgentSession, ConsoleServer


async def test_the_card_shows_the_customer_and_what_is_on_record(
        agent_server: ConsoleServer, li: AgentSession) -> None:
    seeded = await agent_server.seed_followup(kind="service")
    status, body = await li.get(f"/api/customers/{seeded.customer_id}")
    assert status == 200, body
    card = body["customer"]
    assert (card["id"], card["name"], card["value_level"]) == (seeded.customer_id, "张伟",
                                                               "vip")
    assert card["phones"] == [{"e164": seeded.phone, "label": "mobile", "invalid": False}]
    assert [v["model"] for v in card["vehicles"]] == ["Model Y"]
    assert len(card["service_orders"]) == 2
    assert isinstance(card["service_orders"][0]["settled_at"], str)  # JSON-ready
    (task,) = card["followups"]
    assert (task["id"], task["kind"], task["due_date"]) == (
        seeded.followup_id, "service", agent_server.today.isoformat())
    assert card["complaints"] == card["appointments"] == card["calls"] == []


async def test_an_unknown_customer_is_not_found(agent_server: ConsoleServer,
                                                li: AgentSession) -> None:
    status, body = await li.get("/api/customers/999999")
    assert (status, body["error_id"]) == (404, "not_found")
