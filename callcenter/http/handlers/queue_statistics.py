"""GET /api/queue/statistics: the hotline queue's figures from Asterisk's queue_log over a
range of days, by day, hour, queue or agent (supervisors and admins)."""

from __future__ import annotations

from aiohttp import web

from callcenter.errors import Forbidden, ValidationError
from callcenter.http.endpoints import Reply, takes_query
from callcenter.http.replies import QueueStatistics
from callcenter.http.request_user import require_supervisor
from callcenter.http.schemas import QueueStatisticsQuery
from callcenter.keys import POOL, SETTINGS
from callcenter.services import queue_statistics


@takes_query(QueueStatisticsQuery, "Queue statistics over a range of days (supervisors)",
             {200: Reply("each bucket's figures and the range's", QueueStatistics)},
             errors=(Forbidden, ValidationError),
             description="Formulas: docs/queue_statistics.md.")
async def statistics(request: web.Request, query: QueueStatisticsQuery) -> web.Response:
    require_supervisor(request)
    return web.json_response(await queue_statistics.figures(
        request.app[POOL], request.app[SETTINGS], query.start, query.end, query.by))


def setup(app: web.Application) -> None:
    app.router.add_get("/api/queue/statistics", statistics)
