"""Reading request bodies: anything but the expected JSON is a clear 400."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from callcenter.errors import ValidationError

MAX_BODY = 64 * 1024


async def read_json(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ValidationError("request body too large")
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise ValidationError("request body too large")
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object")
    return body


def require_str(body: dict[str, Any], name: str, max_length: int = 200) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name}: a non-empty string is required", field=name)
    if len(value) > max_length:
        raise ValidationError(f"{name}: at most {max_length} characters", field=name)
    return value


def require_int(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValidationError(f"{name}: a positive integer id is required", field=name)
    return value


def path_id(request: web.Request, name: str = "id") -> int:
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationError(f"{name} must be a positive integer", field=name)
    return int(raw)
