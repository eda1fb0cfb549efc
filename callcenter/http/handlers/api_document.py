"""GET /api/openapi.json: the OpenAPI 3.1 document of this server (http/openapi.py),
written once at start-up, when every route is registered."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from callcenter.http.endpoints import Reply, documented
from callcenter.http.openapi import build_document

DOCUMENT = web.AppKey("openapi_document", dict[str, Any])


class OpenApiDocument(BaseModel):
    """An OpenAPI 3.1 document (its own schema is the OpenAPI specification's)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


@documented("This document: every route, its parameters, bodies and answers",
            {200: Reply("the OpenAPI 3.1 document", OpenApiDocument)})
async def document(request: web.Request) -> web.Response:
    return web.json_response(request.app[DOCUMENT])


async def _write(app: web.Application) -> None:
    # Writing the schemas of every model takes tens of milliseconds of CPU: in a thread,
    # the event loop (other servers of the process, the tests' own) keeps running.
    app[DOCUMENT] = await asyncio.to_thread(build_document, app)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/openapi.json", document)
    app.on_startup.append(_write)
