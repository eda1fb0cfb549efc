"""Calling a customer from their card, without a task (POST /api/calls {customer_id,
phone}): the agent's phone first, the call on the card, the wrap-up of an inbound call;
and the refusals, with nothing written or dialled. The AMI peer is a loopback fake;
the real call through Asterisk is in tests/e2e/test_customer_search_browser.py."""

from __future__ import annotations

from tests.console import AgentSession, ConsoleServer
from tests.integration.fake_ami import FakeAmi
from tests.waiting import eventually

OTHER = "+8675581351929"


def _originates(peer: FakeAmi) -> list[dict[str, str]]:
    return [a for a in peer.received if a["Action"] == "Originate"]


async def _customer(server: ConsoleServer, *, dnd: bool = False) -> tuple[int, str]:
    seeded = await server.seed_followup(do_not_disturb=dnd)
    await server.pool.execute("INSERT INTO customer_phones (customer_id, e164, label,"
                              " position) VALUES ($1, $2, 'home', 1)",
                              seeded.customer_id, OTHER)
    return seeded.customer_id, seeded.phone


async def test_a_free_call_rings_the_agent_then_any_of_the_customers_numbers(
        agent_server: ConsoleServer, li: AgentSession, fake_ami: FakeAmi) -> None:
    customer_id, _ = await _customer(agent_server)
    status, body = await li.post("/api/calls", {"customer_id": customer_id,
                                                "phone": "0755-8135 1929"})
    assert status == 202, body
    call = body["call"]
    assert (call["customer_id"], call["followup_id"], call["phone"]) == (
        customer_id, None, OTHER)
    await eventually(lambda: len(_originates(fake_ami)) == 1)
    originate = _originates(fake_ami)[0]
    assert (originate["Channel"], originate["Exten"]) == ("PJSIP/1001", "075581351929")
    row = await agent_server.pool.fetchrow(
        "SELECT customer_id, followup_task_id, category, direction FROM calls")
    assert tuple(row) == (customer_id, None, None, "outbound")

    # The call ends answered (its row's end stands in for Asterisk's events here): it is
    # on the card, and the agent wraps it up as an inbound call.
    await agent_server.pool.execute(
        "UPDATE calls SET state = 'ended', disposition = 'answered',"
        " answered_at = now() - interval '1 minute', ended_at = now()")
    status, body = await li.post(f"/api/calls/{call['id']}/wrapup",
                                 {"category": "inquiry", "notes": "问保养价格"})
    assert status == 200, body
    status, body = await li.get(f"/api/customers/{customer_id}")
    (logged,) = body["customer"]["calls"]
    assert (logged["id"], logged["direction"], logged["category"]) == (
        call["id"], "outbound", "inquiry")
    assert await agent_server.pool.fetchval("SELECT count(*) FROM followup_attempts") == 0


async def test_refusals_write_and_dial_nothing(agent_server: ConsoleServer, li: AgentSession,
                                               fake_ami: FakeAmi) -> None:
    customer_id, mobile = await _customer(agent_server, dnd=True)
    await agent_server.pool.execute("UPDATE customer_phones SET invalid_at = now()"
                                    " WHERE e164 = $1", OTHER)
    refused = [
        ({"customer_id": customer_id, "phone": mobile}, 409, "do_not_disturb"),
        ({"customer_id": customer_id, "phone": OTHER, "do_not_disturb_ok": True},
         409, "phone_invalid"),
        ({"customer_id": customer_id, "phone": "+8613900000000", "do_not_disturb_ok": True},
         400, "invalid_number"),
        ({"customer_id": 999999, "phone": mobile}, 404, "not_found"),
        ({"customer_id": customer_id, "followup_id": 1, "phone": mobile}, 400,
         "invalid_input"),
        ({"followup_id": 1, "phone": mobile, "do_not_disturb_ok": True}, 400,
         "invalid_input"),
    ]
    for body, status, error_id in refused:
        got, reply = await li.post("/api/calls", body)
        assert (got, reply["error_id"]) == (status, error_id), (body, reply)
    assert await agent_server.pool.fetchval("SELECT count(*) FROM calls") == 0
    assert _originates(fake_ami) == []

    await agent_server.add_agent("zhao", None, role="supervisor")
    zhao = await agent_server.login("zhao")
    try:
        got, reply = await zhao.post("/api/calls", {"customer_id": customer_id,
                                                    "phone": mobile, "do_not_disturb_ok": True})
        assert (got, reply["error_id"]) == (409, "no_extension")
    finally:
        await zhao.close()

    # A customer who asked not to be called may still be called by hand, once confirmed.
    got, reply = await li.post("/api/calls", {"customer_id": customer_id, "phone": mobile,
                                              "do_not_disturb_ok": True})
    assert got == 202, reply
    await eventually(lambda: len(_originates(fake_ami)) == 1)
