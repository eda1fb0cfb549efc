"""One error hierarchy for the whole server.

Every error that a user can cause carries a stable ``error_id`` (what clients and
tests match on) and an HTTP status; the HTTP middleware maps them, the CLI prints them.
"""

from __future__ import annotations

from typing import Any


class CallcenterError(Exception):
    error_id = "internal_error"
    http_status = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error_id": self.error_id, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class SettingsError(CallcenterError):
    error_id = "invalid_setting"


class ValidationError(CallcenterError):
    error_id = "invalid_input"
    http_status = 400


class NotFound(CallcenterError):
    error_id = "not_found"
    http_status = 404


class Conflict(CallcenterError):
    error_id = "conflict"
    http_status = 409


class Unauthorized(CallcenterError):
    error_id = "unauthorized"
    http_status = 401


class Forbidden(CallcenterError):
    error_id = "forbidden"
    http_status = 403


class TelephonyUnavailable(CallcenterError):
    error_id = "telephony_unavailable"
    http_status = 503
