"""The composition root: builds the aiohttp application and wires every adapter.

Start-up order (cleanup_ctx): database (embedded or URL) and migrations, then the AMI
client, then the FastAGI server; shutdown runs in reverse. Nothing lives in module
globals: everything is reached through the typed keys in ``callcenter.keys``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
from aiohttp import web

from callcenter.db.agents import AgentStore
from callcenter.db.board import BoardStore
from callcenter.db.calls import CallStore
from callcenter.db.complaints import ComplaintStore
from callcenter.db.database import migrated_pool
from callcenter.db.scheduler import RunLedger
from callcenter.db.supervision import SupervisionAudit
from callcenter.db.users import SessionStore
from callcenter.domain.attempts import CallAgainGap
from callcenter.domain.quiet_hours import QuietHours
from callcenter.domain.users import User
from callcenter.gateways.sms import sender_from_settings
from callcenter.http.auth import auth_middleware
from callcenter.http.endpoints import Reply, documented
from callcenter.http.handlers import (
    agents,
    api_document,
    appointments,
    audit,
    callbacks,
    calls,
    complaints,
    customers,
    followups,
    health,
    imports,
    queue_statistics,
    recordings,
    reports,
    scheduler,
    session,
    supervision,
    users,
)
from callcenter.http.middleware import error_middleware
from callcenter.http.security import (
    SECURITY,
    WebSecurity,
    add_security_headers,
    csrf_middleware,
)
from callcenter.http.ws import Hub
from callcenter.keys import (
    AGENT_STATES,
    AMI,
    BOARD,
    CALL_STORE,
    CALLS,
    HUB,
    LIVE_STATE,
    POOL,
    SETTINGS,
)
from callcenter.services import complaints as complaint_service
from callcenter.services import queue_statistics as queue_log
from callcenter.services.agents import AgentStates
from callcenter.services.board import Board, Figures, no_figures
from callcenter.services.calls import CallRegistry, Extensions
from callcenter.services.care import (
    LostContact,
    MaintenanceReminders,
    WinBacks,
    maintenance_policy,
)
from callcenter.services.dispatch import Dispatcher
from callcenter.services.dms_sync import DmsInbox, NightlyDmsImport
from callcenter.services.greetings import GreetingsRule
from callcenter.services.live_state import LiveState
from callcenter.services.notifier import Notifier, Publish
from callcenter.services.periodic import Periodic
from callcenter.services.recordings import RecordingWorker
from callcenter.services.scheduler import WAKE_SECONDS, Rule, Scheduler
from callcenter.services.screen_pop import PopCards
from callcenter.services.session_sweep import SessionSweep
from callcenter.services.sms import SmsOutboxWorker
from callcenter.services.supervision import SupervisionEnds
from callcenter.services.transcripts import transcriber_named
from callcenter.settings import Settings
from callcenter.telephony.agi import FastAgiServer
from callcenter.telephony.ami import AmiClient
from callcenter.telephony.ami_events import WANTED_EVENTS, feed
from callcenter.telephony.hotline import hotline_routes
from callcenter.telephony.keypad import Keypad
from callcenter.telephony.recording_folder import RecordingFolder

log = logging.getLogger(__name__)


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with migrated_pool(settings.database_url, settings.data_dir,
                             settings.embedded_pg_port) as pool:
        app[POOL] = pool
        yield


WEB_DIR = Path(__file__).resolve().parent.parent / "web"


@dataclass(frozen=True)
class CallsFeature:
    """The calls feature wired once: its store, the live-call registry, the agents'
    states, the supervisors' board fed by both, and the dispatcher every telephony
    consumer is subscribed to."""

    store: CallStore
    registry: CallRegistry
    agent_states: AgentStates
    board: Board
    dispatcher: Dispatcher


def calls_feature(pool: asyncpg.Pool, live: LiveState, publish: Publish, *, region: str,
                  tz: ZoneInfo, recordings_dir: Path, store: CallStore | None = None,
                  figures: Figures = no_figures,
                  call_again: CallAgainGap | None = None) -> CallsFeature:
    """The server, the benchmarks and the pipeline tests all wire calls through here."""
    store = store or CallStore(pool, call_again or CallAgainGap(tz))
    extensions = Extensions(store)
    board = Board(BoardStore(pool), publish, live, tz, figures)
    notifier = Notifier(publish, board)
    agent_states = AgentStates(AgentStore(pool), live, extensions, notifier)
    registry = CallRegistry(store, notifier, RecordingFolder(recordings_dir),
                            PopCards(pool), extensions, region, agent_states.push)
    board.read_calls_from(registry.live_views)
    dispatcher = Dispatcher()
    # The subscription table: every consumer of telephony events, each owning its state.
    ends = SupervisionEnds(SupervisionAudit(pool))  # the audit row of a ChanSpyStop
    for consumer in (live, registry, agent_states, ends):
        dispatcher.subscribe(consumer.on_event, consumer.EVENTS)
    return CallsFeature(store, registry, agent_states, board, dispatcher)


async def _telephony(app: web.Application) -> AsyncIterator[None]:
    """The calls feature, the AMI reader feeding it, and the hotline's FastAGI server."""
    settings, pool, hub = app[SETTINGS], app[POOL], app[HUB]
    calls = calls_feature(pool, app[LIVE_STATE], hub.publish, region=settings.phone_region,
                          recordings_dir=settings.recordings_dir, tz=settings.tz,
                          figures=lambda: queue_log.today(pool, settings),
                          call_again=settings.call_again)
    registry, agent_states, board = calls.registry, calls.agent_states, calls.board

    async def snapshot(user: User) -> list[dict[str, Any]]:
        return [await agent_states.current(user.id), *registry.snapshot_of(user.id),
                *await board.snapshot(user)]

    hub.snapshot = snapshot
    # The hotline's keys, straight from the AMI reader (telephony/keypad.py).
    keypad = Keypad()
    ami = AmiClient(
        settings.ami_host, settings.ami_port, settings.ami_username, settings.ami_secret,
        feed(calls.dispatcher.deliver), events=WANTED_EVENTS, tap=keypad,
        ping_interval=settings.ami_ping_interval, ping_timeout=settings.ami_ping_timeout,
        action_timeout=settings.ami_action_timeout, reconnect_max=settings.ami_reconnect_max)
    agi = FastAgiServer(await hotline_routes(pool, settings, keypad))
    await agi.start(settings.agi_host, settings.agi_port)
    board.start()
    ami.start()
    app[AMI], app[CALL_STORE], app[CALLS], app[AGENT_STATES] = (ami, calls.store, registry,
                                                                agent_states)
    app[BOARD] = board
    try:
        yield
    finally:
        await ami.close()
        await agi.close()
        await calls.dispatcher.close()
        await registry.close()
        await board.close()


async def _sms_outbox(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession() as session:
        settings = app[SETTINGS]
        quiet = settings.quiet_hours
        worker = SmsOutboxWorker(app[POOL], sender_from_settings(settings, session),
                                 quiet_hours=QuietHours(*quiet, settings.tz) if quiet else None)
        worker.start()
        try:
            yield
        finally:
            await worker.close()


async def _recordings_pipeline(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    worker = RecordingWorker(app[POOL], settings.recordings_dir,
                             transcriber_named(settings.recordings_transcriber),
                             retention_days=settings.recordings_retention_days)
    worker.start()
    try:
        yield
    finally:
        await worker.close()


async def _session_sweep(app: web.Application) -> AsyncIterator[None]:
    hub = app[HUB]
    sweep = SessionSweep(SessionStore(app[POOL]), app[SECURITY].throttle,
                         open_sessions=hub.sessions, end_sessions=hub.end_sessions)
    sweep.start()
    try:
        yield
    finally:
        await sweep.close()


async def _complaint_escalation(app: web.Application) -> AsyncIterator[None]:
    """Every minute, each complaint step that went overdue is escalated once."""
    settings, hub = app[SETTINGS], app[HUB]
    store = ComplaintStore(app[POOL])
    policy = complaint_service.policy_of(settings.tz, settings.hours,
                                         settings.complaint_clock)

    async def sweep() -> None:
        escalated = await complaint_service.escalate_overdue(
            store, hub.publish, policy, datetime.now(UTC), settings.managers,
            settings.dealership_name)
        if escalated:
            log.info("escalated %d overdue complaint steps", escalated)

    periodic = Periodic("complaint escalation", sweep, complaint_service.SWEEP_SECONDS)
    periodic.start()
    try:
        yield
    finally:
        await periodic.close()


async def _queue_log(app: web.Application) -> AsyncIterator[None]:
    """The role Asterisk writes queue_log with; the lines of its file the table lacks,
    at start and every queue_log_import_seconds (services/queue_statistics.py)."""
    pool, settings = app[POOL], app[SETTINGS]
    await queue_log.grant_writer(pool, settings)

    async def import_round() -> None:
        # Lines Asterisk could only write to its file change today's figures: the
        # board (started after the first round) shows them again.
        if await queue_log.import_round(pool, settings) and BOARD in app:
            app[BOARD].figures_changed()

    periodic = Periodic("queue_log import", import_round, settings.queue_log_import_seconds)
    periodic.start()
    try:
        yield
    finally:
        await periodic.close()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def scheduler_rules(settings: Settings, now: Callable[[], datetime] = _utc_now) -> list[Rule]:
    """The scheduler's rules, in the order they run each day (docs/scheduler.md); each
    is one line here, built from the settings. ``now``: the scheduler's clock, which
    the greetings read to tell a late day (a benchmark or test injects its own)."""
    return [
        LostContact(settings.lost_contact_failures, settings.tz),
        MaintenanceReminders(maintenance_policy(settings), settings.tz),
        WinBacks(settings.win_back_months, settings.tz),
        GreetingsRule(dealer=settings.dealership_name, hotline=settings.hotline_number,
                      region=settings.phone_region,
                      today=lambda: now().astimezone(settings.tz).date()),
    ]


async def _scheduler(app: web.Application) -> AsyncIterator[None]:
    """Each day's scheduled work, at start and then from scheduler_time each day."""
    settings = app[SETTINGS]
    daily = Scheduler(RunLedger(app[POOL]), scheduler_rules(settings), settings.tz,
                      run_at=settings.scheduler_run_at,
                      catch_up_days=settings.scheduler_catch_up_days)
    periodic = Periodic("scheduler", daily.wake, WAKE_SECONDS)
    periodic.start()
    try:
        yield
    finally:
        await periodic.close()


async def _dms_inbox(app: web.Application) -> AsyncIterator[None]:
    """The DMS folder imported each night (services/dms_sync.py); none when unset."""
    settings = app[SETTINGS]
    if not settings.dms_inbox.strip():
        yield
        return
    inbox = DmsInbox(app[POOL], Path(settings.dms_inbox.strip()),
                     region=settings.phone_region, tz=settings.tz)
    nightly = NightlyDmsImport(inbox, settings.tz, time.fromisoformat(
        settings.dms_import_time.strip()), now=lambda: datetime.now(UTC))
    nightly.start()
    try:
        yield
    finally:
        await nightly.close()


@documented("The web console (HTML)", {200: Reply("the page", media_type="text/html")})
async def _console(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_DIR / "index.html")


async def _close_consoles(app: web.Application) -> None:
    # Before the cleanup contexts: aiohttp would otherwise wait for every WebSocket
    # handler until its shutdown timeout.
    await app[HUB].close()


def build_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[error_middleware, csrf_middleware, auth_middleware])
    app[SETTINGS] = settings
    app[SECURITY] = WebSecurity.from_settings(settings)
    app.on_response_prepare.append(add_security_headers)
    app[LIVE_STATE] = LiveState()
    app[HUB] = Hub()
    app.on_shutdown.append(_close_consoles)
    app.cleanup_ctx.extend([_database, _queue_log, _telephony, _sms_outbox,
                            _recordings_pipeline, _session_sweep, _complaint_escalation,
                            _dms_inbox, _scheduler])
    for feature in (health, session, followups, customers, calls, agents, complaints,
                    appointments, recordings, audit, supervision, callbacks, users,
                    queue_statistics, reports, imports, scheduler, api_document):
        feature.setup(app)
    app.router.add_get("/", _console)
    app.router.add_static("/static/", WEB_DIR)
    return app
