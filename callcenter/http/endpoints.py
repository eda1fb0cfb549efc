"""What each route takes and answers, declared once on its handler.

A handler is wrapped by one of three decorators:

- ``takes_body(Model, ...)``: the handler is called as ``handler(request, body)`` with
  the JSON body parsed into ``Model`` (http/json_body.py);
- ``takes_query(Model, ...)``: likewise with the query string;
- ``documented(...)``: the handler reads nothing but the path.

Each also records an ``Endpoint`` (summary, answers, errors) in ``ENDPOINTS``, from
which http/openapi.py writes the OpenAPI document. So the model a handler parses with
is, by construction, the model the document shows; a route whose handler was not
declared is missing from the document, and tests/integration/test_openapi.py fails.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import pydantic
from aiohttp import web

from callcenter.errors import CallcenterError
from callcenter.http.json_body import read_body, read_query

M = TypeVar("M", bound=pydantic.BaseModel)
R = TypeVar("R", bound=web.StreamResponse)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Reply:
    """One successful answer: its model (None: no body), or another media type."""

    description: str
    model: type[pydantic.BaseModel] | None = None
    media_type: str = "application/json"


@dataclass(frozen=True)
class Endpoint:
    summary: str
    replies: Mapping[int, Reply]
    errors: tuple[type[CallcenterError], ...] = ()
    body: type[pydantic.BaseModel] | None = None
    query: type[pydantic.BaseModel] | None = None
    description: str = ""
    # Other statuses that are not CallcenterErrors (aiohttp's own, e.g. a Range 416).
    other_errors: Mapping[int, str] = field(default_factory=dict)


ENDPOINTS: dict[Callable[..., object], Endpoint] = {}


def documented(summary: str, replies: Mapping[int, Reply], *,
               errors: tuple[type[CallcenterError], ...] = (), description: str = "",
               other_errors: Mapping[int, str] | None = None,
               ) -> Callable[[Callable[[web.Request], Awaitable[R]]],
                             Callable[[web.Request], Awaitable[R]]]:
    def declare(handler: Callable[[web.Request], Awaitable[R]],
                ) -> Callable[[web.Request], Awaitable[R]]:
        ENDPOINTS[handler] = Endpoint(summary, replies, errors, description=description,
                                      other_errors=other_errors or {})
        return handler
    return declare


def takes_body(model: type[M], summary: str, replies: Mapping[int, Reply], *,
               errors: tuple[type[CallcenterError], ...] = (), description: str = "",
               ) -> Callable[[Callable[[web.Request, M], Awaitable[R]]],
                             Callable[[web.Request], Awaitable[R]]]:
    def declare(handler: Callable[[web.Request, M], Awaitable[R]],
                ) -> Callable[[web.Request], Awaitable[R]]:
        @functools.wraps(handler)
        async def parsed(request: web.Request) -> R:
            return await handler(request, await read_body(request, model))

        ENDPOINTS[parsed] = Endpoint(summary, replies, errors, body=model,
                                     description=description)
        return parsed
    return declare


def takes_query(model: type[M], summary: str, replies: Mapping[int, Reply], *,
                errors: tuple[type[CallcenterError], ...] = (), description: str = "",
                other_errors: Mapping[int, str] | None = None,
                ) -> Callable[[Callable[[web.Request, M], Awaitable[R]]],
                              Callable[[web.Request], Awaitable[R]]]:
    def declare(handler: Callable[[web.Request, M], Awaitable[R]],
                ) -> Callable[[web.Request], Awaitable[R]]:
        @functools.wraps(handler)
        async def parsed(request: web.Request) -> R:
            return await handler(request, read_query(request, model))

        ENDPOINTS[parsed] = Endpoint(summary, replies, errors, query=model,
                                     description=description,
                                     other_errors=other_errors or {})
        return parsed
    return declare
