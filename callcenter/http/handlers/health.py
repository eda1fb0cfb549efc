"""GET /healthz: is the database answering, is Asterisk (AMI) logged in."""

from __future__ import annotations

import asyncio

from aiohttp import web

from callcenter.http.endpoints import Reply, documented
from callcenter.http.replies import Health
from callcenter.keys import AMI, LIVE_STATE, POOL


@documented("Health: the database and the AMI link (no session needed)",
            {200: Reply("healthy", Health), 503: Reply("degraded: which part", Health)})
async def healthz(request: web.Request) -> web.Response:
    app = request.app
    try:
        async with asyncio.timeout(2):
            await app[POOL].fetchval("SELECT 1")
        database = "ok"
    except Exception as exc:  # any failure means "not healthy"; say which
        database = f"error: {type(exc).__name__}"
    ami = app[AMI].status()
    healthy = database == "ok" and ami["state"] == "connected"
    body = {"status": "ok" if healthy else "degraded", "database": database, "ami": ami,
            "live": app[LIVE_STATE].summary()}
    return web.json_response(body, status=200 if healthy else 503)


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
