"""The doors a hostile browser or client would try, on the real server: login throttling,
CSRF (Origin, Content-Type), security headers, the cookie over HTTPS, the client address
behind a proxy (docs/security.md)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.console import AGENT_PASSWORD, ConsoleServer, running_server
from tests.integration.fake_ami import FakeAmi

WRONG = "not-the-password"


@contextlib.asynccontextmanager
async def _server(db_url: str, fake_ami: FakeAmi,
                  **settings: str) -> AsyncIterator[ConsoleServer]:
    env = {"CALLCENTER_AMI_PORT": str(fake_ami.port), "CALLCENTER_AGI_PORT": "0",
           **{f"CALLCENTER_{k.upper()}": v for k, v in settings.items()}}
    async with running_server(db_url, env) as srv:
        await srv.add_agent("li", "1001")
        yield srv


@pytest.fixture
async def server(db_url: str, fake_ami: FakeAmi) -> AsyncIterator[ConsoleServer]:
    async with _server(db_url, fake_ami) as srv:
        yield srv


@pytest.fixture
async def http(server: ConsoleServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(server.base_url,
                                     cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def _login(http: aiohttp.ClientSession, password: str, username: str = "li",
                 **headers: str) -> aiohttp.ClientResponse:
    async with http.post("/api/login", json={"username": username, "password": password},
                         headers=headers) as resp:
        await resp.read()
        return resp


# -- login throttling --------------------------------------------------------------


async def test_fifty_wrong_passwords_are_throttled_and_the_right_one_waits(
        db_url: str, fake_ami: FakeAmi) -> None:
    # blocks of 1 s, then 2 s (the longest here, to keep the test short; 300 by default)
    async with _server(db_url, fake_ami, login_max_delay_seconds="2") as server, \
            aiohttp.ClientSession(server.base_url) as http:
        statuses = [(await _login(http, f"{WRONG}-{n}")).status for n in range(50)]
        # five free failures, a sixth that blocks the name, then refusals unchecked; a
        # block that ends lets one more guess through, which blocks again
        assert statuses[:7] == [401] * 6 + [429]
        assert statuses.count(401) <= 30 and set(statuses) == {401, 429}
        for _ in range(10):  # to this block's end,
            wrong = await _login(http, WRONG)
            if wrong.status != 429:
                break
            await asyncio.sleep(int(wrong.headers["Retry-After"]))
        assert wrong.status == 401
        checked = statuses.count(401) + 1  # and one more failure, blocking for 2 s
        early = await _login(http, AGENT_PASSWORD)
        assert early.status == 429  # the right password is not even looked at
        assert early.headers["Retry-After"] == "2"
        await asyncio.sleep(2)
        assert (await _login(http, AGENT_PASSWORD)).status == 200
        audit = [r["action"] for r in await server.pool.fetch(
            "SELECT action FROM audit_log WHERE target_type = 'user' AND target_id = 'li'"
            " AND action LIKE 'login%' ORDER BY id")]
    assert audit == (["login.failed"] * 5 + ["login.failed", "login.throttled"]
                     * (checked - 5) + ["login"])


async def test_a_success_starts_the_name_afresh(http: aiohttp.ClientSession) -> None:
    for _ in range(5):
        assert (await _login(http, WRONG)).status == 401
    assert (await _login(http, AGENT_PASSWORD)).status == 200
    for _ in range(5):  # five free failures again, not one more block
        assert (await _login(http, WRONG)).status == 401


async def test_a_burst_of_parallel_guesses_gets_no_more_checks(
        http: aiohttp.ClientSession) -> None:
    statuses = await asyncio.gather(*(_login(http, f"{WRONG}-{n}") for n in range(30)))
    checked = [r.status for r in statuses].count(401)
    # each attempt counts before its password is checked: the burst cannot overtake it
    # (a seventh may come through if the burst outlasts the first block's second)
    assert 6 <= checked <= 7 and [r.status for r in statuses].count(429) == 30 - checked


async def test_one_address_trying_many_names_is_throttled(
        db_url: str, fake_ami: FakeAmi) -> None:
    async with _server(db_url, fake_ami, login_free_failures="2") as srv, \
            aiohttp.ClientSession(srv.base_url) as http:
        # eight free failures per address (four times a name's), then it is blocked
        statuses = [(await _login(http, WRONG, username=f"user{n}")).status
                    for n in range(12)]
        assert statuses[:10] == [401] * 9 + [429]
        throttled = await srv.pool.fetch(
            "SELECT details FROM audit_log WHERE action = 'login.throttled'")
        assert {r["details"]["key"] for r in throttled} == {"address"}


async def test_the_client_behind_a_trusted_proxy_is_the_forwarded_address(
        db_url: str, fake_ami: FakeAmi) -> None:
    async with _server(db_url, fake_ami, trusted_proxies="127.0.0.1") as srv, \
            aiohttp.ClientSession(srv.base_url) as http:
        await _login(http, WRONG, **{"X-Forwarded-For": "198.51.100.4, 203.0.113.7"})
        remote = await srv.pool.fetchval(
            "SELECT remote_addr FROM audit_log WHERE action = 'login.failed'")
        assert remote == "203.0.113.7"  # the last hop the trusted proxy saw


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(
        server: ConsoleServer, http: aiohttp.ClientSession) -> None:
    await _login(http, WRONG, **{"X-Forwarded-For": "203.0.113.7"})
    remote = await server.pool.fetchval(
        "SELECT remote_addr FROM audit_log WHERE action = 'login.failed'")
    assert remote == "127.0.0.1"


# -- CSRF: Origin and Content-Type -------------------------------------------------


async def test_a_foreign_origin_is_refused_on_every_state_changing_request(
        server: ConsoleServer) -> None:
    li = await server.login("li")
    try:
        port = int(server.base_url.rsplit(":", 1)[1])
        for origin in ("http://evil.example", f"http://127.0.0.1:{port + 1}", "null",
                       f"https://127.0.0.1:{port}"):
            for path, body in (("/api/calls", {"followup_id": 1, "phone": "+8613800138001"}),
                               ("/api/customers", {"name": "X", "phone": "13800138009"}),
                               ("/api/logout", {})):
                async with li.http.post(path, json=body, headers={"Origin": origin}) as resp:
                    assert resp.status == 403, (origin, path)
                    assert (await resp.json())["error_id"] == "foreign_origin"
        async with li.http.post("/api/customers", json={"name": "X", "phone": "13800138009"},
                                headers={"Referer": "http://evil.example/page"}) as resp:
            assert resp.status == 403
        assert await server.pool.fetchval("SELECT count(*) FROM customers") == 0
        async with li.http.post("/api/customers", json={"name": "王芳", "phone": "13800138009"},
                                headers={"Origin": server.base_url,
                                         "Referer": f"{server.base_url}/"}) as resp:
            assert resp.status == 201, await resp.text()
    finally:
        await li.close()


async def test_a_foreign_origin_cannot_open_the_websocket(server: ConsoleServer) -> None:
    li = await server.login("li")
    try:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await li.http.ws_connect("/api/ws", origin="http://evil.example")
        assert refused.value.status == 403
        ws = await li.http.ws_connect("/api/ws", origin=server.base_url)
        await ws.close()
    finally:
        await li.close()


async def test_a_state_changing_request_must_be_json(server: ConsoleServer) -> None:
    li = await server.login("li")
    try:
        for kind, data in (("text/plain", b'{"name": "X", "phone": "13800138009"}'),
                           ("application/x-www-form-urlencoded", b"name=X&phone=1380013"),
                           ("multipart/form-data; boundary=x", b"--x--")):
            async with li.http.post("/api/customers", data=data,
                                    headers={"Content-Type": kind}) as resp:
                assert resp.status == 415, kind
                assert (await resp.json())["error_id"] == "unsupported_media_type"
    finally:
        await li.close()


async def test_allowed_origins_replace_the_host_for_a_reverse_proxy(
        db_url: str, fake_ami: FakeAmi) -> None:
    proxied = "https://cc.example.com"
    async with _server(db_url, fake_ami, allowed_origins=proxied) as srv, \
            aiohttp.ClientSession(srv.base_url) as http:
        assert (await _login(http, WRONG, Origin=proxied)).status == 401  # looked at
        assert (await _login(http, WRONG, Origin=srv.base_url)).status == 403


# -- headers and the cookie --------------------------------------------------------


async def test_security_headers_are_on_every_response(server: ConsoleServer) -> None:
    li = await server.login("li")
    try:
        answers = [await li.http.get(path) for path in (
            "/", "/recordings", "/static/app.js", "/static/style.css", "/static/nothing.js",
            "/healthz", "/api/me", "/api/followups/abc", "/nowhere", "/api/ws")]
        async with aiohttp.ClientSession(server.base_url) as anonymous:
            answers.append(await anonymous.get("/api/me"))  # 401
            answers.append(await anonymous.put("/api/login", json={}))  # 405
            answers.append(await anonymous.post("/api/login", json={}, headers={
                "Origin": "http://evil.example"}))  # 403
            static = await anonymous.get("/static/app.js")
            answers.append(await anonymous.get("/static/app.js", headers={  # 304
                "If-Modified-Since": static.headers["Last-Modified"]}))
            answers.append(static)
        statuses = {a.status for a in answers}
        assert {200, 304, 400, 401, 403, 404, 405} <= statuses
        for answer in answers:
            headers = answer.headers
            csp = headers.get("Content-Security-Policy", "")
            assert "script-src 'self'" in csp and "style-src 'self'" in csp, answer.url
            assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
            assert headers.get("X-Content-Type-Options") == "nosniff"
            assert headers.get("Referrer-Policy") == "same-origin"
            assert "Strict-Transport-Security" not in headers  # plain HTTP
            answer.release()
    finally:
        await li.close()


async def test_over_https_the_cookie_is_secure_and_host_prefixed(
        db_url: str, fake_ami: FakeAmi) -> None:
    async with _server(db_url, fake_ami, https="true") as srv, \
            aiohttp.ClientSession(srv.base_url) as http:
        host = srv.base_url.removeprefix("http://")
        # behind the TLS proxy the browser's origin is https, whatever the proxy sends on
        assert (await _login(http, AGENT_PASSWORD, Origin=srv.base_url)).status == 403
        async with http.post("/api/login", json={"username": "li", "password": AGENT_PASSWORD},
                             headers={"Origin": f"https://{host}"}) as resp:
            assert resp.status == 200
            cookie = resp.headers["Set-Cookie"]
            assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
        assert cookie.startswith("__Host-cc_session=")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"secure", "httponly", "path", "samesite"} <= attributes
        assert "domain" not in attributes and "Path=/" in cookie
        token = cookie.split(";")[0].split("=", 1)[1]
        async with aiohttp.ClientSession(srv.base_url) as browser:  # a fresh jar
            me = await browser.get("/api/me", headers={"Cookie": f"__Host-cc_session={token}"})
            assert me.status == 200
            plain = await browser.get("/api/me", headers={"Cookie": f"cc_session={token}"})
            assert plain.status == 401  # the unprefixed name is not read over HTTPS
