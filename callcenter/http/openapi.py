"""The OpenAPI 3.1 document of the running application, written from its router.

Every route the router holds is described from the ``Endpoint`` its handler declared
(http/endpoints.py): the query parameters and the body from the very models the handler
parses with (http/schemas.py), the answers from http/replies.py, and the refusals from
the error classes the endpoint names, grouped by status, each status listing its
``error_id``s. Added to every route as it applies: 401 (an /api route but the login),
400 (a route that reads a body, a query string or an id in its path), 413 (a body), and
the middlewares' refusals: 403 password_change_required, 403 foreign_origin and 415
unsupported_media_type (a POST; the WebSocket upgrade is checked for its origin too).

Not listed: HEAD, which aiohttp answers on every GET route as that GET without its
body. A route whose handler declared nothing is left out, and
tests/integration/test_openapi.py, which compares the document with the router, fails.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from importlib import metadata
from typing import Any

import pydantic
from aiohttp import web
from aiohttp.web_urldispatcher import StaticResource
from pydantic.json_schema import models_json_schema

from callcenter.errors import CallcenterError, Unauthorized, ValidationError
from callcenter.http.auth import PUBLIC_API, PasswordChangeRequired
from callcenter.http.endpoints import ENDPOINTS, Endpoint
from callcenter.http.json_body import MAX_BODY
from callcenter.http.replies import WEBSOCKET_MESSAGES, Error
from callcenter.http.schemas import BIGINT_MAX
from callcenter.http.security import (
    COOKIE,
    SAFE_METHODS,
    SECURE_COOKIE,
    ForeignOrigin,
    UnsupportedMediaType,
)

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
_ERROR = {"$ref": REF.format(model="Error")}
_ID = {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX}


def build_document(app: web.Application) -> dict[str, Any]:
    """The document for ``app``'s routes as they are registered now."""
    routes = [(route, ENDPOINTS.get(route.handler)) for route in app.router.routes()
              if route.method != "HEAD"]
    models: set[type[pydantic.BaseModel]] = {Error, *WEBSOCKET_MESSAGES}
    for _, endpoint in routes:
        if endpoint is not None:
            models.update(_models_of(endpoint))
    _, schemas = models_json_schema(
        [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
        ref_template=REF)
    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    for route, endpoint in routes:
        resource = route.resource
        if isinstance(resource, StaticResource):
            paths[f"{resource.canonical}/{{filename}}"]["get"] = _static_files()
        elif endpoint is not None and resource is not None:
            path = _PATH_PARAM.sub(r"{\1}", resource.canonical)
            method = route.method.lower()
            paths[path][method] = _operation(method, path, endpoint)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "callcenter", "version": _version(),
                 "description": "The contact-center server's HTTP API (docs/api.md). "
                 "Every refusal is an Error with a stable error_id."},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"session": {
                "type": "apiKey", "in": "cookie", "name": COOKIE,
                "description": f"set by POST /api/login; over HTTPS named {SECURE_COOKIE}"}}},
        "security": [{"session": []}],
    }


def _version() -> str:
    try:
        return metadata.version("callcenter")
    except metadata.PackageNotFoundError:
        return "0"


def _models_of(endpoint: Endpoint) -> Iterable[type[pydantic.BaseModel]]:
    if endpoint.body is not None:
        yield endpoint.body
    for reply in endpoint.replies.values():
        if reply.model is not None:
            yield reply.model


def _needs_session(path: str) -> bool:
    return path.startswith("/api/") and path not in PUBLIC_API


def _operation(method: str, path: str, endpoint: Endpoint) -> dict[str, Any]:
    names = _PATH_PARAM.findall(path)
    parameters = [{"name": name, "in": "path", "required": True, "schema": _ID}
                  for name in names]
    if endpoint.query is not None:
        parameters += _query_parameters(endpoint.query)
    op: dict[str, Any] = {"summary": endpoint.summary,
                          "operationId": _operation_id(method, path),
                          "tags": [path.strip("/").split("/")[1 if path.startswith("/api/")
                                                              else 0] or "console"]}
    if endpoint.description:
        op["description"] = endpoint.description
    if parameters:
        op["parameters"] = parameters
    if endpoint.body is not None:
        op["requestBody"] = {
            # Required even where it is empty: a POST to /api/ must say it is JSON.
            "required": True,
            "content": {"application/json": {
                "schema": {"$ref": REF.format(model=endpoint.body.__name__)}}}}
    if not _needs_session(path):
        op["security"] = []
    op["responses"] = _responses(method, path, endpoint, reads_input=bool(
        parameters or endpoint.body is not None))
    if path == "/api/ws":
        op["x-websocket-messages"] = [{"$ref": REF.format(model=m.__name__)}
                                      for m in WEBSOCKET_MESSAGES]
    return op


def _operation_id(method: str, path: str) -> str:
    return "_".join([method, *(part.strip("{}") for part in path.strip("/").split("/")
                                if part)])


def _query_parameters(model: type[pydantic.BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        prop.pop("title", None)
        description = prop.pop("description", None)
        # A query string has no null: an absent parameter is the "none" of the model.
        branches = [b for b in prop.get("anyOf", ()) if b.get("type") != "null"]
        if "anyOf" in prop:
            del prop["anyOf"]
            prop = {**branches[0], **prop} if len(branches) == 1 else {"anyOf": branches,
                                                                       **prop}
        if prop.get("default") is None:
            prop.pop("default", None)
        param: dict[str, Any] = {"name": name, "in": "query",
                                 "required": name in schema.get("required", ()),
                                 "schema": prop}
        if description:
            param["description"] = description
        out.append(param)
    return out


def _middleware_refusals(method: str, path: str) -> list[type[CallcenterError]]:
    """What the middlewares refuse before the handler runs (http/auth.py, security.py)."""
    refusals: list[type[CallcenterError]] = []
    if _needs_session(path):
        refusals += [Unauthorized, PasswordChangeRequired]
    if method.upper() not in SAFE_METHODS or path == "/api/ws":  # the upgrade too
        refusals.append(ForeignOrigin)
    if method.upper() not in SAFE_METHODS and path.startswith("/api/"):
        refusals.append(UnsupportedMediaType)
    return refusals


def _responses(method: str, path: str, endpoint: Endpoint, *,
               reads_input: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, reply in sorted(endpoint.replies.items()):
        entry: dict[str, Any] = {"description": reply.description}
        if reply.model is not None:
            entry["content"] = {reply.media_type: {
                "schema": {"$ref": REF.format(model=reply.model.__name__)}}}
        elif reply.media_type != "application/json":
            entry["content"] = {reply.media_type: {"schema": {"type": "string",
                                                              "format": "binary"}}}
        responses[str(status)] = entry
    refusals: dict[int, set[str]] = defaultdict(set)
    errors = [*endpoint.errors, *_middleware_refusals(method, path)]
    if reads_input:
        errors.append(ValidationError)
    for error in errors:
        refusals[error.http_status].add(error.error_id)
    described = {status: "error_id: " + ", ".join(sorted(ids))
                 for status, ids in refusals.items()}
    if endpoint.body is not None:
        described[413] = f"the body is over {MAX_BODY // 1024} KiB (http_413)"
    for status, text in endpoint.other_errors.items():
        described[status] = f"{described[status]}; {text}" if status in described else text
    for status, text in sorted(described.items()):
        responses[str(status)] = {"description": text,
                                  "content": {"application/json": {"schema": _ERROR}}}
    return responses


def _static_files() -> dict[str, Any]:
    return {
        "summary": "The console's own files (scripts, styles, images)",
        "operationId": "static_file", "tags": ["console"], "security": [],
        "parameters": [{"name": "filename", "in": "path", "required": True,
                        "schema": {"type": "string", "minLength": 1}}],
        "responses": {
            "200": {"description": "the file", "content": {"*/*": {"schema": {}}}},
            # aiohttp's own answers for files: not always the JSON error body.
            "403": {"description": "outside the folder", "content": {"*/*": {"schema": {}}}},
            "404": {"description": "no such file", "content": {"*/*": {"schema": {}}}}}}
