"""Hostile input against the live server: every refusal is a 400 (or 413) with the
documented error body naming the field, never a 500, and nothing is written.

The POST routes are taken from the server's own router (with the body model each
declared, http/endpoints.py), so a route added later is tried too. For each: JSON nested
100,000 deep, a NUL, a lone surrogate (as a JSON escape and as raw UTF-8 bytes) and an
integer beyond 64 bits in each of its fields; /api/login without a session. A lone
surrogate is refused by the JSON parser itself, so that refusal names the body. Query
strings and ids in paths: full-width digits, NUL, huge numbers, unknown choices."""

from __future__ import annotations

import json
import re
import typing
from typing import Any

import aiohttp
import pytest
from pydantic import BaseModel

from callcenter.http.endpoints import ENDPOINTS
from tests.console import AgentSession, ConsoleServer
from tests.integration.fake_ami import FakeAmi

JSON = {"Content-Type": "application/json"}
TABLES = ("customers", "complaints", "calls", "appointments", "followup_attempts")


@pytest.fixture
async def server(agent_server: ConsoleServer) -> ConsoleServer:
    """agent_server (agent li, tests/integration/conftest.py) and supervisor zhao."""
    await agent_server.add_agent("zhao", None, role="supervisor")
    return agent_server


def post_routes(server: ConsoleServer) -> list[tuple[str, type[BaseModel]]]:
    out = []
    for route in server.app.router.routes():
        endpoint = ENDPOINTS.get(route.handler)
        if route.method == "POST" and endpoint is not None and endpoint.body is not None:
            path = re.sub(r"\{\w+\}", "1", route.resource.canonical)  # type: ignore[union-attr]
            out.append((path, endpoint.body))
    assert len(out) >= 12, out
    return out


def _kinds(annotation: Any) -> set[type]:
    """The plain types a field's annotation accepts (str, int, ...)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, type(int | None)):
        return set().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if origin is typing.Literal:
        return {str}
    return {origin or annotation}


def hostile_fields(model: type[BaseModel]) -> list[tuple[str, str, str]]:
    """(field, what, raw JSON value) for each text and integer field of ``model``."""
    out = []
    for name, info in model.model_fields.items():
        kinds = _kinds(info.annotation)
        if str in kinds:
            out += [(name, "NUL", '"a\\u0000b"'), (name, "surrogate", '"\\ud800"'),
                    (name, "raw surrogate", '"\udcff"')]
        if int in kinds:
            out += [(name, "huge int", str(2**64)), (name, "negative huge", str(-(2**70)))]
        if dict in kinds:
            out += [(name, "huge int inside", f'{{"q1": {2**64}}}')]
    return out


async def counts(server: ConsoleServer) -> dict[str, int]:
    return {t: await server.pool.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}


async def _send(http: aiohttp.ClientSession, path: str, raw: bytes) -> tuple[int, dict]:
    resp = await http.post(path, data=raw, headers=JSON)
    body = await resp.json()
    return resp.status, body


def assert_refusal(status: int, body: dict[str, Any], field: str | None = None) -> None:
    assert status == 400, (status, body)
    assert body["error_id"] == "invalid_input" and body["message"]
    assert isinstance(body["details"]["errors"], list)
    if field is not None:
        assert field in {e["field"].split(".")[0] for e in body["details"]["errors"]}, body


async def test_deeply_nested_json_is_a_400_on_every_post_route(
        server: ConsoleServer, li: AgentSession) -> None:
    before = await counts(server)
    for path, _ in post_routes(server):
        # As deep as fits in the 64 KiB a body may have (the old 500 needed ~1,000).
        for raw in ("[" * 30_000 + "]" * 30_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
            status, body = await _send(li.http, path, raw.encode())
            assert_refusal(status, body)
            assert "recursion" in body["message"] or "body" in body["details"]["field"]
    assert await counts(server) == before


async def test_login_without_a_session_refuses_nested_json(server: ConsoleServer) -> None:
    async with aiohttp.ClientSession(server.base_url) as anonymous:
        for raw in ("[" * 50_000, '{"username":' * 5_000, '{"username": ["x"]}'):
            status, body = await _send(anonymous, "/api/login", raw.encode())
            assert_refusal(status, body)


async def test_nul_surrogates_and_huge_integers_name_the_field(
        server: ConsoleServer, li: AgentSession) -> None:
    before = await counts(server)
    tried = 0
    for path, model in post_routes(server):
        for name, what, value in hostile_fields(model):
            raw = f'{{"{name}": {value}}}'.encode("utf-8", "surrogatepass")
            status, body = await _send(li.http, path, raw)
            if "surrogate" in what:
                # Refused by the JSON parser (an unpaired escape; bytes that are not
                # UTF-8), before any field is read: the body is what is named.
                assert_refusal(status, body, "body")
            else:
                assert_refusal(status, body, name)
            assert value.strip('"') not in json.dumps(body), (path, what)
            tried += 1
    assert tried > 40
    assert await counts(server) == before


async def test_a_body_too_large_is_a_413(server: ConsoleServer, li: AgentSession) -> None:
    status, body = await _send(li.http, "/api/customers",
                               json.dumps({"name": "x" * 70_000, "phone": "1"}).encode())
    assert (status, body["error_id"]) == (413, "http_413")


@pytest.mark.parametrize("path", [
    "/api/recordings/１２", "/api/recordings/٣", "/api/customers/+1", "/api/calls/0",
    f"/api/followups/{2**63}", "/api/customers/1e3", "/api/recordings/%2012"])
async def test_ids_in_paths_are_ascii_digits(li: AgentSession, path: str) -> None:
    status, body = await li.get(path)
    assert_refusal(status, body, "id")


@pytest.mark.parametrize("query, field", [
    ("/api/followups?list=tomorrow", "list"), ("/api/followups?list=%00", "list"),
    ("/api/followups?list=today&list=overdue", "list"),
    ("/api/appointments/free?day=2026-02-30", "day"),
    ("/api/appointments/free?day=%EF%BC%91", "day"),
    ("/api/recordings?agent_id=%EF%BC%91%EF%BC%92", "agent_id"),
    (f"/api/recordings?customer_id={2**63}", "customer_id"),
    ("/api/recordings?min_seconds=99999999999", "min_seconds"),
    ("/api/recordings?customer=%E5%BC%A0%00", "customer"),
    ("/api/recordings?phone=%ED%A0%80%ED%A0%80%ED%A0%80", "phone"),
    ("/api/recordings?q=%00", "q"), ("/api/recordings?from=yesterday", "from"),
    ("/api/recordings?complaint=1e9", "complaint"), ("/api/recordings?cursor=%FF", "cursor"),
    ("/api/recordings?limit=0", "limit"), ("/api/recordings/1/audio?download=maybe",
                                             "download"),
    ("/api/ws?since=%EF%BC%91", "since")])
async def test_query_strings_are_checked(li: AgentSession, query: str, field: str) -> None:
    status, body = await li.get(query)
    assert_refusal(status, body, field)


async def test_supervisor_queries_are_checked(server: ConsoleServer) -> None:
    zhao = await server.login("zhao")
    try:
        for query, field in (("/api/audit?limit=501", "limit"),
                             (f"/api/audit?actor_id={2**64}", "actor_id"),
                             ("/api/audit?target_id=%00", "target_id")):
            status, body = await zhao.get(query)
            assert_refusal(status, body, field)
        status, _ = await zhao.get("/api/audit?limit=5&unknown=ignored")
        assert status == 200
    finally:
        await zhao.close()


async def test_pause_outside_the_queue_is_a_409(server: ConsoleServer, li: AgentSession,
                                                fake_ami: FakeAmi) -> None:
    fake_ami.refuse.add("QueuePause")
    fake_ami.refusal = "Interface not found"  # what app_queue answers for a non-member
    status, body = await li.post("/api/agent/pause", {"reason": "lunch"})
    assert (status, body["error_id"]) == (409, "not_in_queue")


async def test_a_wrong_method_is_405_with_allow(server: ConsoleServer,
                                                li: AgentSession) -> None:
    resp = await li.http.delete("/api/followups")
    assert resp.status == 405
    assert (await resp.json())["error_id"] == "http_405"
    assert "GET" in resp.headers["Allow"]
