"""The composition root: builds the aiohttp application and wires every adapter.

Start-up order (cleanup_ctx): database (embedded or URL) and migrations, then the AMI
client, then the FastAGI server; shutdown runs in reverse. Nothing lives in module
globals: everything is reached through the typed keys in ``callcenter.keys``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from callcenter.db.database import migrated_pool
from callcenter.http.handlers import health
from callcenter.http.middleware import error_middleware
from callcenter.keys import AGI, AMI, LIVE_STATE, POOL, SETTINGS
from callcenter.services.live_state import LiveState
from callcenter.settings import Settings
from callcenter.telephony.agi import FastAgiServer
from callcenter.telephony.ami import AmiClient, AmiItem, AmiResync
from callcenter.telephony.ami_events import WANTED_EVENTS, translate
from callcenter.telephony.hotline import hotline_to_queue

log = logging.getLogger(__name__)


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        app[POOL] = pool
        yield


def _ami_handler(live: LiveState):
    async def on_ami(item: AmiItem) -> None:
        if isinstance(item, AmiResync):
            snapshot = [e for e in map(translate, [*item.channels, *item.queue_status]) if e]
            live.reset(snapshot)
            return
        event = translate(item)
        if event is not None:
            live.apply(event)

    return on_ami


async def _telephony(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    live = app[LIVE_STATE]
    ami = AmiClient(
        settings.ami_host, settings.ami_port, settings.ami_username, settings.ami_secret,
        _ami_handler(live), events=WANTED_EVENTS,
        ping_interval=settings.ami_ping_interval, ping_timeout=settings.ami_ping_timeout,
        reconnect_max=settings.ami_reconnect_max)
    agi = FastAgiServer({"hotline": hotline_to_queue})
    await agi.start(settings.agi_host, settings.agi_port)
    ami.start()
    app[AMI], app[AGI] = ami, agi
    try:
        yield
    finally:
        await ami.close()
        await agi.close()


def build_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[error_middleware])
    app[SETTINGS] = settings
    app[LIVE_STATE] = LiveState()
    app.cleanup_ctx.extend([_database, _telephony])
    health.setup(app)
    return app
