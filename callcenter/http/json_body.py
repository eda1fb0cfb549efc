"""Reading a request through its model (``http/schemas.py``): the body, the query string
and the ids in the path. Anything else than what the model accepts is a 400
``invalid_input`` whose ``details.field`` names the first field refused and whose
``details.errors`` lists each refusal (field and problem, never the value sent: it may
be a password, or a megabyte of brackets); a body over ``MAX_BODY`` is a 413.

Bodies go to pydantic's JSON parser as bytes: it refuses invalid UTF-8, unpaired
surrogate escapes and nesting beyond its recursion limit, all as invalid JSON, where
``json.loads`` raised a RecursionError (a 500)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import pydantic
from aiohttp import web
from multidict import MultiMapping

from callcenter.errors import ValidationError
from callcenter.http.schemas import BIGINT_MAX

MAX_BODY = 64 * 1024
MAX_LISTED = 10  # refusals listed in details.errors; the rest are counted in the message
M = TypeVar("M", bound=pydantic.BaseModel)

_PATH_ID = re.compile(r"[0-9]{1,19}")


async def read_body(request: web.Request, model: type[M]) -> M:
    """The JSON body as ``model`` (see ``body_as``)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length)
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, len(raw))
    return body_as(model, raw)


def body_as(model: type[M], raw: bytes) -> M:
    """``raw`` JSON as ``model``: always a JSON object, ``{}`` where nothing is asked."""
    try:
        return model.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        raise refusal(exc.errors(include_url=False, include_input=False)) from None


def read_query(request: web.Request, model: type[M]) -> M:
    return query_as(model, request.query)


def query_as(model: type[M], query: MultiMapping[str]) -> M:
    """A query string as ``model``; a parameter given twice is refused, not guessed."""
    for name in query:
        if len(query.getall(name)) > 1:
            raise ValidationError(f"{name}: given more than once", field=name,
                                  errors=[{"field": name, "problem": "given more than once"}])
    try:
        return model.model_validate(dict(query))
    except pydantic.ValidationError as exc:
        raise refusal(exc.errors(include_url=False, include_input=False)) from None


def path_id(request: web.Request, name: str = "id") -> int:
    """An id in the path: ASCII digits of a positive bigint (``１２`` is not 12)."""
    raw = request.match_info[name]
    if not _PATH_ID.fullmatch(raw) or not 1 <= int(raw) <= BIGINT_MAX:
        problem = "a positive integer id in ASCII digits"
        raise ValidationError(f"{name}: {problem}", field=name,
                              errors=[{"field": name, "problem": problem}])
    return int(raw)


def _field(loc: Sequence[int | str]) -> str:
    """pydantic's location as a dotted name; a refusal of the whole body is "body"."""
    return ".".join(str(part) for part in loc) or "body"


def refusal(errors: Sequence[Mapping[str, Any]]) -> ValidationError:
    """pydantic's errors as the one ValidationError the API answers with."""
    listed = [{"field": _field(e["loc"]), "problem": str(e["msg"])} for e in errors]
    first = listed[0]
    more = f" (and {len(listed) - 1} more)" if len(listed) > 1 else ""
    return ValidationError(f"{first['field']}: {first['problem']}{more}",
                           field=first["field"], errors=listed[:MAX_LISTED])
