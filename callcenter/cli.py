"""``callcenter`` command line: serve, migrate, import, user, settings.

Exit codes: 0 success, 1 the operation failed (e.g. an import with bad rows),
2 bad usage or a bad setting (one line on stderr naming it).

Every command but ``serve`` prints what it did; its log shows warnings and errors only
(CALLCENTER_LOG_LEVEL=DEBUG shows everything), so the embedded PostgreSQL starting and
stopping around it is not news on the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
from aiohttp import web

from callcenter.db.database import database_url, migrated_pool
from callcenter.db.migrations import load_migrations, migrate
from callcenter.domain.users import LOCALES, Role
from callcenter.errors import CallcenterError, SettingsError, ValidationError
from callcenter.settings import Settings, describe_settings, load_settings

if TYPE_CHECKING:
    from callcenter.services.users import UserAdmin

log = logging.getLogger("callcenter")

SETTINGS_EPILOG = "settings (environment variables):\n" + "\n".join(
    f"  {name:<32} {help_} (default: {default or 'empty'})"
    for name, default, help_ in describe_settings())


def _setup_logging(level: str, *, serving: bool) -> None:
    if not serving and level.upper() == "INFO":
        level = "WARNING"
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # pgserver logs every pg_ctl command line and its output at INFO.
    if level.upper() != "DEBUG":
        logging.getLogger("pgserver").setLevel(logging.WARNING)


# -- commands ----------------------------------------------------------------------


# How long a request still in flight when the server stops may take before it is
# cancelled (and as long again for it to unwind). Consoles do not wait for it: the
# hub closes their WebSockets in on_shutdown.
SHUTDOWN_TIMEOUT = 3.0


def make_runner(app: web.Application) -> web.AppRunner:
    """The runner ``serve`` uses (the tests start the server with the same one)."""
    return web.AppRunner(app, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT)


async def _serve(settings: Settings, _: argparse.Namespace) -> int:
    from callcenter.app import build_app

    runner = make_runner(build_app(settings))
    await runner.setup()  # runs the cleanup_ctx start-up: database, AMI, FastAGI
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    await site.start()
    log.info("callcenter listening on http://%s:%s (FastAGI %s:%s, AMI %s:%s)",
             settings.http_host, settings.http_port, settings.agi_host, settings.agi_port,
             settings.ami_host, settings.ami_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    await runner.cleanup()
    return 0


async def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    async with database_url(settings.database_url, settings.data_dir) as url:
        conn = await asyncpg.connect(url)
        try:
            applied = await migrate(conn)
        finally:
            await conn.close()
    names = {m.version: f"{m.version:04d}_{m.name}" for m in load_migrations()}
    if applied:
        print(f"applied {len(applied)} migrations ({', '.join(names[v] for v in applied)}); "
              "the database schema is up to date")
    else:
        print("the database schema was already up to date")
    return 0


async def _import(settings: Settings, args: argparse.Namespace) -> int:
    from callcenter.services.imports import ImportRejected, import_file

    progress = _progress_bar(args.file.name) if sys.stderr.isatty() else None
    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        try:
            report = await import_file(pool, args.file, region=settings.phone_region,
                                       tz=settings.tz, today=datetime.now(settings.tz).date(),
                                       progress=progress)
        except ImportRejected as exc:
            if progress:
                sys.stderr.write("\n")
            print(exc.report.format_text(), file=sys.stderr)
            return 1
    if progress:
        sys.stderr.write("\n")
    print(report.format_text())
    return 0


def _progress_bar(label: str) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    return show


def _read_password(args: argparse.Namespace, prompt: str) -> str:
    """From the first line of stdin (--password-stdin) or asked twice on the terminal;
    end-of-file instead (stdin closed, Ctrl-D) is bad usage: one line, exit 2."""
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ValidationError("no password on stdin (--password-stdin reads its first line)")
        return line.rstrip("\n")
    try:
        password = getpass.getpass(prompt)
        again = getpass.getpass("again: ")
    except EOFError:
        print(file=sys.stderr)  # off the prompt's line
        raise ValidationError("no password given (the input was closed)") from None
    if again != password:
        raise ValidationError("the passwords differ")
    return password


def _admin(pool: asyncpg.Pool) -> UserAdmin:
    from callcenter.db.users import Accounts
    from callcenter.services.users import UserAdmin

    return UserAdmin(Accounts(pool))


async def _user_add(settings: Settings, args: argparse.Namespace) -> int:
    from callcenter.domain.users import check_new_user

    password = _read_password(args, f"password for {args.username}: ")
    check_new_user(args.username, args.role, args.extension, args.locale, password)
    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        user_id = await _admin(pool).add(None, username=args.username, display_name=args.name,
                                         role=args.role, password=password,
                                         extension=args.extension, locale=args.locale)
    print(f"user {args.username} ({args.role}) created with id {user_id}")
    return 0


async def _user_list(settings: Settings, _: argparse.Namespace) -> int:
    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        accounts = await _admin(pool).list()
    for a in accounts:
        u = a.user
        notes = [note for note, shown in (("disabled", not a.active),
                                          ("must change password", u.must_change_password))
                 if shown]
        print(f"{u.username:<20} {u.role:<10} ext {u.extension or '-':<6} {u.locale:<5} "
              f"sessions {a.sessions:<3} {u.display_name}"
              + (f" ({', '.join(notes)})" if notes else ""))
    print(f"{len(accounts)} accounts")
    return 0


async def _user_disable(settings: Settings, args: argparse.Namespace) -> int:
    active = args.user_command == "enable"
    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        admin = _admin(pool)
        await admin.set_active(None, await admin.id_of(args.username), active)
    if active:
        print(f"user {args.username} enabled: they can log in again")
    else:
        print(f"user {args.username} disabled: their sessions ended (an open console's "
              "live connection closes within 30 s); they cannot log in")
    return 0


async def _user_set(settings: Settings, args: argparse.Namespace) -> int:
    from callcenter.domain.users import AccountChange

    change = AccountChange(display_name=args.name, role=args.role, extension=args.extension,
                           clear_extension=args.no_extension, locale=args.locale,
                           mobile=args.mobile, clear_mobile=args.no_mobile)
    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        admin = _admin(pool)
        user = await admin.change(None, await admin.id_of(args.username), change)
    print(f"user {user.username}: {user.role} ext {user.extension or '-'} {user.locale} "
          f"{user.display_name}")
    return 0


async def _user_reset_password(settings: Settings, args: argparse.Namespace) -> int:
    from callcenter.domain.users import check_password

    password = _read_password(args, f"temporary password for {args.username}: ")
    check_password(password)
    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        admin = _admin(pool)
        await admin.reset_password(None, await admin.id_of(args.username), password)
    print(f"password of {args.username} reset: their sessions ended, and they must choose "
          "a new password when they next log in")
    return 0


async def _slots_create(settings: Settings, args: argparse.Namespace) -> int:
    from callcenter.services.appointments import create_slots

    first = args.first or datetime.now(settings.tz).date()
    last = args.last or first + timedelta(days=13)
    if last < first or (last - first).days > 366:
        print("callcenter: --last must be on or after --first, within a year",
              file=sys.stderr)
        return 2
    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        created = await create_slots(pool, first_day=first, last_day=last, tz=settings.tz,
                                     capacity=args.capacity, hours=settings.hours)
    print(f"{created} new appointment slots from {first} to {last} "
          f"(capacity {args.capacity} each; existing slots kept)")
    return 0


async def _recordings_reconcile(settings: Settings, _: argparse.Namespace) -> int:
    from callcenter.services.recordings import reconcile

    async with migrated_pool(settings.database_url, settings.data_dir) as pool:
        report = await reconcile(pool, settings.recordings_dir)
    for path in report.orphans:
        print(f"orphan file (no recording row): {path}")
    for recording_id in report.missing:
        print(f"missing file for recording {recording_id}")
    print(f"{len(report.orphans)} orphan files, {len(report.missing)} missing files")
    return 1 if report.orphans or report.missing else 0


async def _settings(settings: Settings, _: argparse.Namespace) -> int:
    for name, value in settings.redacted().items():
        print(f"CALLCENTER_{name.upper()}={value}")
    return 0


# -- parsing -----------------------------------------------------------------------


def _positive(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callcenter", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Contact-center server beside Asterisk (AMI + FastAGI, PostgreSQL).",
        epilog=SETTINGS_EPILOG)
    parser.add_argument("--config", type=Path, help="TOML file of settings (names in lower "
                        "case without the CALLCENTER_ prefix); the environment wins")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the server: web console, AMI client, FastAGI",
                           description="Run the server. With no CALLCENTER_DATABASE_URL an "
                           "embedded PostgreSQL starts in CALLCENTER_DATA_DIR. Migrations are "
                           "applied at start.")
    serve.set_defaults(run=_serve)

    migrate = sub.add_parser("migrate", help="apply database migrations and exit",
                             description="Apply the numbered SQL migrations that are missing "
                             "(under an advisory lock, so several servers may race safely).")
    migrate.set_defaults(run=_migrate)

    imp = sub.add_parser("import", help="import customers/vehicles or service orders "
                         "from .xlsx or .csv",
                         description="Import one spreadsheet. The kind (customers with "
                         "vehicles, or service orders) is recognised from the header row, in "
                         "Chinese or English (see docs/imports.md). All or nothing: any bad "
                         "row rejects the file and every bad row is reported. Importing the "
                         "same file again changes nothing. Due follow-up tasks are created.")
    imp.add_argument("file", type=Path, help="the .xlsx or .csv file")
    imp.set_defaults(run=_import)

    user = sub.add_parser("user", help="manage console accounts (agents, supervisors, admins)")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_sub.add_parser("add", help="create an account",
                              description="Create an account. The password is asked twice "
                              "on the terminal, or read from stdin with --password-stdin; "
                              "it is never an argument (arguments show in ps and history).")
    add.add_argument("username")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENT.value)
    add.add_argument("--name", default="", help="display name (default: the username)")
    add.add_argument("--extension", help="the agent's phone extension (PJSIP endpoint)")
    add.add_argument("--locale", choices=LOCALES, default="zh-CN", help="console language")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin")
    add.set_defaults(run=_user_add)
    ls = user_sub.add_parser("list", help="list accounts (state, live sessions)")
    ls.set_defaults(run=_user_list)
    for action, text in (("disable", "disable an account: its sessions end at once and it "
                          "cannot log in"), ("enable", "enable a disabled account again")):
        toggle = user_sub.add_parser(action, help=text.split(":")[0], description=text + ".")
        toggle.add_argument("username")
        toggle.set_defaults(run=_user_disable)
    change = user_sub.add_parser("set", help="change an account's role, extension, name or "
                                 "language", description="Change what is given; the rest "
                                 "stays. An agent needs an extension.")
    change.add_argument("username")
    change.add_argument("--role", choices=[r.value for r in Role])
    change.add_argument("--name", help="display name")
    phone = change.add_mutually_exclusive_group()
    phone.add_argument("--extension", help="the phone extension (PJSIP endpoint)")
    phone.add_argument("--no-extension", action="store_true",
                       help="take the extension away (not for an agent)")
    change.add_argument("--locale", choices=LOCALES, help="console language")
    mobile = change.add_mutually_exclusive_group()
    mobile.add_argument("--mobile", help="E.164 mobile number (late complaint steps' SMS)")
    mobile.add_argument("--no-mobile", action="store_true", help="take the mobile away")
    change.set_defaults(run=_user_set)
    reset = user_sub.add_parser(
        "reset-password", help="set a temporary password, to be changed at next login",
        description="Set a temporary password (asked twice, or --password-stdin). The "
        "user's sessions end; at their next login the console asks for a new password "
        "before anything else.")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of stdin")
    reset.set_defaults(run=_user_reset_password)

    slots = sub.add_parser("slots", help="service appointment slots (what the IVR offers)")
    slots_sub = slots.add_subparsers(dest="slots_command", required=True, metavar="ACTION")
    create = slots_sub.add_parser(
        "create", help="create the bookable slots of a date range",
        description="Create hourly service slots during business hours for each open day "
        "of the range (closed days skipped; see docs/ivr.md). Existing slots keep their "
        "capacity and bookings, so running it again is harmless.")
    create.add_argument("--first", type=date.fromisoformat, help="first day (default today)")
    create.add_argument("--last", type=date.fromisoformat,
                        help="last day (default: two weeks from the first)")
    create.add_argument("--capacity", type=_positive, default=2,
                        help="bookings per slot: service bays or advisors (default 2)")
    create.set_defaults(run=_slots_create)

    rec = sub.add_parser("recordings", help="call recordings housekeeping")
    rec_sub = rec.add_subparsers(dest="recordings_command", required=True, metavar="ACTION")
    check = rec_sub.add_parser(
        "reconcile", help="list recording files without rows and rows without files",
        description="Compare CALLCENTER_RECORDINGS_DIR with the recordings table: files "
        "no call knows (left by transfers or pickups) and rows whose file is gone. Files "
        "younger than ten minutes are not judged. Exit code 1 when anything is found.")
    check.set_defaults(run=_recordings_reconcile)

    prompts = sub.add_parser("prompts", help="the hotline's sound files")
    prompts_sub = prompts.add_subparsers(dest="prompts_command", required=True,
                                         metavar="ACTION")
    pcheck = prompts_sub.add_parser(
        "check", help="list missing, silent or unplayable prompt and digit files",
        description="Check the hotline's sound set (both languages; docs/ivr.md) in "
        "Asterisk's sounds folder: every file there, 8 kHz mono 16-bit when WAV, not "
        "silent. Exit code 1 when anything is wrong (the server then starts no hotline).")
    pcheck.add_argument("--sounds", type=Path,
                        help="the sounds folder (default: CALLCENTER_SOUNDS_DIR)")
    pcheck.set_defaults(run=_prompts_check)

    show = sub.add_parser("settings", help="print the effective settings (secrets masked)")
    show.set_defaults(run=_settings)
    return parser


async def _prompts_check(settings: Settings, args: argparse.Namespace) -> int:
    from callcenter.telephony.sounds import check_sounds, greeting_made_for, required_sounds

    folder = args.sounds or (Path(settings.sounds_dir) if settings.sounds_dir else None)
    if folder is None:
        raise SettingsError("no sounds folder: set CALLCENTER_SOUNDS_DIR or pass --sounds")
    problems = await asyncio.to_thread(check_sounds, folder)
    for problem in problems:
        print(problem)
    made_for = greeting_made_for(folder)
    if made_for is not None and made_for != settings.dealership_name.strip():
        print(f"note: the greeting names {made_for!r}, CALLCENTER_DEALERSHIP_NAME is "
              f"{settings.dealership_name!r} (run scripts/make-prompts again)")
    total = len(required_sounds())
    print(f"{total - len(problems)} of {total} sound files ready in {folder}",
          file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(config_file=args.config)
    except SettingsError as exc:
        print(f"callcenter: {exc.message}", file=sys.stderr)
        return 2
    _setup_logging(settings.log_level, serving=args.run is _serve)
    run: Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]] = args.run
    try:
        return asyncio.run(run(settings, args))
    except CallcenterError as exc:
        print(f"callcenter: {exc.message}", file=sys.stderr)
        return 2 if exc.http_status == 400 else 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
