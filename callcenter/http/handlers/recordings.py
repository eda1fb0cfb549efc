"""Recordings: search, details, waveform, audio with HTTP Range. The supervisors' page is
a view of the console (web/views/recordings.js); its old address /recordings redirects.

Files are reached only through a recording's id: the path comes from its row, checked to
stay inside the recordings folder. Every play and download goes to the audit log.
"""

from __future__ import annotations

from aiohttp import web

from callcenter.errors import Forbidden, NotFound, ValidationError
from callcenter.http.endpoints import Reply, documented, takes_query
from callcenter.http.json_body import path_id
from callcenter.http.replies import RecordingPage, RecordingReply, Waveform
from callcenter.http.request_user import current_user
from callcenter.http.schemas import AudioQuery, RecordingSearch
from callcenter.keys import POOL, SETTINGS
from callcenter.services import recordings

CONTENT_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav"}


@takes_query(RecordingSearch, "Search recordings (agents: their own calls only)",
             {200: Reply("one page, newest first", RecordingPage)})
async def search(request: web.Request, query: RecordingSearch) -> web.Response:
    result = await recordings.search(request.app[POOL], current_user(request), query.q,
                                     query.filters)
    return web.json_response(result)


@documented("One recording's details", {200: Reply("the recording", RecordingReply)},
            errors=(NotFound, Forbidden))
async def show(request: web.Request) -> web.Response:
    detail = await recordings.details(request.app[POOL], current_user(request),
                                      path_id(request))
    return web.json_response({"recording": detail})


@documented("A recording's waveform peaks", {200: Reply("peaks 0..100", Waveform)},
            errors=(NotFound, Forbidden))
async def waveform(request: web.Request) -> web.Response:
    detail = await recordings.details(request.app[POOL], current_user(request),
                                      path_id(request))
    return web.json_response({"peaks": detail["peaks"], "duration_ms": detail["duration_ms"]})


@takes_query(AudioQuery, "A recording's audio (HTTP Range supported); audited",
             {200: Reply("the audio file", media_type="audio/mpeg"),
              206: Reply("the range asked for", media_type="audio/mpeg")},
             errors=(NotFound, Forbidden, recordings.RecordingUnusable),
             other_errors={416: "the range is beyond the file"})
async def audio(request: web.Request, query: AudioQuery) -> web.FileResponse:
    user = current_user(request)
    recording_id = path_id(request)
    try:
        wanted = request.http_range
    except ValueError:
        raise ValidationError("Range: not a valid byte range", field="Range") from None
    path, fmt = await recordings.audio_file(request.app[POOL], request.app[SETTINGS]
                                            .recordings_dir, user, recording_id)
    await recordings.audit_playback(
        request.app[POOL], user, recording_id, download=query.download,
        range_start=wanted.start, remote=request.remote,
        user_agent=request.headers.get("User-Agent", ""))
    headers = {"Content-Type": CONTENT_TYPES.get(fmt, "application/octet-stream"),
               "Cache-Control": "private, no-store"}
    if query.download:
        headers["Content-Disposition"] = f'attachment; filename="recording-{recording_id}.{fmt}"'
    # FileResponse answers Range with 206 and exactly those bytes (416 when unsatisfiable).
    return web.FileResponse(path, headers=headers)


@documented("The recordings page's old address: the console's view",
            {302: Reply("to /#/recordings, so old bookmarks still work")})
async def page(request: web.Request) -> web.Response:
    raise web.HTTPFound("/#/recordings")


def setup(app: web.Application) -> None:
    app.router.add_get("/api/recordings", search)
    app.router.add_get("/api/recordings/{id}", show)
    app.router.add_get("/api/recordings/{id}/waveform", waveform)
    app.router.add_get("/api/recordings/{id}/audio", audio)
    app.router.add_get("/recordings", page)
