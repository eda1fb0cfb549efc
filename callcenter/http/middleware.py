"""One place where errors become HTTP answers.

An error with a ``retry_after`` detail (seconds) also gets a ``Retry-After`` header: a
throttled login (429) says when to come back in the way clients already understand.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from callcenter.errors import CallcenterError

log = logging.getLogger(__name__)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except CallcenterError as exc:
        if exc.http_status >= 500:
            log.error("%s %s: %s", request.method, request.path, exc.message)
        retry_after = exc.details.get("retry_after")
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return web.json_response(exc.to_dict(), status=exc.http_status, headers=headers)
    except web.HTTPException as exc:
        if exc.empty_body or exc.status < 400:
            raise
        # aiohttp's own headers stay (a 405's Allow); the body becomes our JSON error.
        kept = {k: v for k, v in exc.headers.items()
                if k.lower() not in ("content-type", "content-length")}
        return web.json_response(
            {"error_id": f"http_{exc.status}", "message": exc.reason}, status=exc.status,
            headers=kept)
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return web.json_response(
            {"error_id": "internal_error", "message": "internal error; see the server log"},
            status=500)
