"""GET /api/audit: the audit trail, for supervisors (who played which recording, when,
from where; purges)."""

from __future__ import annotations

from aiohttp import web

from callcenter.errors import Forbidden
from callcenter.http.endpoints import Reply, takes_query
from callcenter.http.replies import AuditTrail
from callcenter.http.request_user import require_supervisor
from callcenter.http.schemas import AuditQuery
from callcenter.keys import POOL
from callcenter.services.recordings import audit_trail


@takes_query(AuditQuery, "The audit trail, newest first (supervisors)",
             {200: Reply("entries", AuditTrail)}, errors=(Forbidden,))
async def trail(request: web.Request, query: AuditQuery) -> web.Response:
    require_supervisor(request)
    return web.json_response({"items": await audit_trail(
        request.app[POOL], target_type=query.target_type, target_id=query.target_id,
        actor_id=query.actor_id, before_id=query.before_id, limit=query.limit)})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/audit", trail)
