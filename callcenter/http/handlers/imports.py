"""POST /api/imports: the dealership's DMS (or an admin) pushes one .csv/.xlsx file; the
answer is the import's report (docs/imports.md, "Nightly DMS sync").

The file comes as multipart/form-data (its first part with a filename) or as the raw
body with ``?filename=orders.csv``. Who may push: an admin's session, or the integration
token as ``Authorization: Bearer <token>``, checked against
``CALLCENTER_INTEGRATION_TOKEN_SHA256`` (the token itself is configured nowhere and
never logged). A refused file answers 400 ``import_rejected`` with every row error in
``details.errors``, and nothing is written (services/imports.py: all or nothing).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path, PurePath
from typing import IO, Any

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, Field

from callcenter.errors import Forbidden, Unauthorized, ValidationError
from callcenter.http.endpoints import Reply, documented
from callcenter.http.request_user import USER
from callcenter.keys import POOL, SETTINGS
from callcenter.services import dms_sync
from callcenter.services.imports import Counts, ImportFailed, ImportRejected, ImportReport

PATH = "/api/imports"
# Ten times the benchmark's 100,000-row workbook; a night's DMS export is far smaller.
MAX_FILE_BYTES = 80 * 1024 * 1024
CHUNK = 256 * 1024


class CountsReply(BaseModel):
    created: int
    updated: int
    unchanged: int


class RowErrorReply(BaseModel):
    line: int = Field(description="the row as Excel numbers it; 0 for the whole file")
    column: str
    value: str
    reason: str


class WarningReply(BaseModel):
    code: str
    message: str


class ImportReportReply(BaseModel):
    file: str
    kind: str | None = Field(description="customers or service_orders")
    rows: int
    customers: CountsReply
    vehicles: CountsReply
    orders: CountsReply
    phones_added: int
    followups_created: int
    followups_rescheduled: int
    warnings: list[WarningReply]
    errors: list[RowErrorReply] = Field(description="empty: the file was imported")


def _counts(counts: Counts) -> dict[str, int]:
    return {"created": counts.created, "updated": counts.updated,
            "unchanged": counts.unchanged}


def report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "file": report.file, "kind": report.kind.value if report.kind else None,
        "rows": report.total_rows, "customers": _counts(report.customers),
        "vehicles": _counts(report.vehicles), "orders": _counts(report.orders),
        "phones_added": report.phones_added, "followups_created": report.followups_created,
        "followups_rescheduled": report.followups_updated,
        "warnings": [{"code": str(w.code), "message": w.message} for w in report.warnings],
        "errors": [{"line": e.line, "column": e.column, "value": e.value, "reason": e.reason}
                   for e in report.errors],
    }


class FileRefused(ImportRejected):
    """import_rejected with the report's rows in ``details``."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report)
        reply = report_json(report)
        self.details.update(errors=reply["errors"], warnings=reply["warnings"])


def _pusher(request: web.Request) -> int | None:
    """The admin pushing (their id), or None for the integration token; raises
    otherwise. A sent token is checked even when a session cookie comes along."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        expected = request.app[SETTINGS].integration_token_sha256.strip().lower()
        given = hashlib.sha256(token.strip().encode()).hexdigest()
        if scheme.lower() != "bearer" or not expected or not hmac.compare_digest(
                given, expected):
            raise Unauthorized("the integration token is not valid")
        return None
    user = request.get(USER)
    if user is None:
        raise Unauthorized("please log in, or send the integration token")
    if not user.administers:
        raise Forbidden("admins only (or the DMS's integration token)")
    return user.id


def _file_name(name: str | None) -> str:
    # Only the name: a path in it would otherwise reach the temporary folder's parent.
    base = PurePath((name or "").replace("\\", "/")).name.strip()
    if not base or base in (".", ".."):
        raise ValidationError("name the file: multipart with a filename, or ?filename=")
    return base[:200]


async def _save(read: Callable[[int], Awaitable[bytes]], handle: IO[bytes]) -> None:
    total = 0
    while chunk := await read(CHUNK):
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_FILE_BYTES, actual_size=total)
        await asyncio.to_thread(handle.write, chunk)


async def _receive(request: web.Request, folder: Path) -> Path:
    """The pushed file saved in ``folder`` under its own name."""
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                raise ValidationError("the form has no file part")
            if isinstance(part, BodyPartReader) and part.filename:
                path = folder / _file_name(part.filename)
                with path.open("wb") as handle:
                    await _save(part.read_chunk, handle)
                return path
    path = folder / _file_name(request.query.get("filename"))
    with path.open("wb") as handle:
        await _save(request.content.read, handle)
    return path


@documented(
    "Import one .csv/.xlsx file pushed by the DMS (integration token) or an admin",
    {200: Reply("what the import did", ImportReportReply)},
    errors=(ImportRejected, ImportFailed, ValidationError, Unauthorized, Forbidden),
    other_errors={413: "the file is larger than 80 MiB"},
    description="multipart/form-data (the first part with a filename) or the raw body "
                "with ?filename=NAME.csv; Authorization: Bearer <integration token>, or "
                "an admin's session. A refused file: 400 import_rejected, every row error "
                "in details.errors, nothing written.")
async def push(request: web.Request) -> web.Response:
    pushed_by = _pusher(request)
    settings = request.app[SETTINGS]
    with tempfile.TemporaryDirectory(prefix="callcenter-push-") as folder:
        path = await _receive(request, Path(folder))
        try:
            report = await dms_sync.push(request.app[POOL], path,
                                         region=settings.phone_region, tz=settings.tz,
                                         today=datetime.now(settings.tz).date(),
                                         pushed_by=pushed_by)
        except ImportRejected as exc:
            raise FileRefused(exc.report) from None
    return web.json_response(report_json(report))


def setup(app: web.Application) -> None:
    app.router.add_post(PATH, push)
