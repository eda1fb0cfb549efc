"""GET /api/audit: the audit trail, for supervisors (who played which recording, when,
from where; purges)."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.request_user import require_supervisor
from callcenter.keys import POOL
from callcenter.services.recordings import audit_trail


async def trail(request: web.Request) -> web.Response:
    require_supervisor(request)
    return web.json_response({"items": await audit_trail(request.app[POOL],
                                                         dict(request.query))})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/audit", trail)
