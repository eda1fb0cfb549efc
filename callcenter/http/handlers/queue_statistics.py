"""GET /api/queue/statistics: the hotline queue's figures from Asterisk's queue_log over a
range of days, by day, hour, queue or agent (supervisors and admins); without ``from``,
today in the center's time zone (a browser's calendar may be another day)."""

from __future__ import annotations

from datetime import datetime

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
    settings = request.app[SETTINGS]
    start = query.start or datetime.now(settings.tz).date()
    return web.json_response(await queue_statistics.figures(
        request.app[POOL], settings, start, query.end or start, query.by))


def setup(app: web.Application) -> None:
    app.router.add_get("/api/queue/statistics", statistics)
