"""Settings: ``CALLCENTER_*`` environment variables over an optional TOML file.

Validated once at start; a bad value raises SettingsError naming the setting, which
the CLI prints as one line before exiting with code 2.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import yarl

from callcenter.domain.attempts import CallAgainGap
from callcenter.domain.complaints import DEFAULT_CATEGORIES, DEFAULT_DEPARTMENTS
from callcenter.domain.ivr import ServiceHours
from callcenter.errors import SettingsError

ENV_PREFIX = "CALLCENTER_"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Field annotations are strings under ``from __future__ import annotations``.
_KINDS: dict[str, type] = {"str": str, "int": int, "float": float, "Path": Path,
                           "bool": bool}
_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True,
             "false": False, "0": False, "no": False, "off": False}


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default="", metadata={
        "help": "PostgreSQL URL; empty starts an embedded PostgreSQL in data_dir"})
    data_dir: Path = field(default=Path(".data"), metadata={
        "help": "folder of the embedded PostgreSQL and other server state"})
    http_host: str = field(default="127.0.0.1", metadata={"help": "web console address"})
    http_port: int = field(default=8080, metadata={"help": "web console port"})
    ami_host: str = field(default="127.0.0.1", metadata={"help": "Asterisk AMI host"})
    ami_port: int = field(default=15038, metadata={"help": "Asterisk AMI port"})
    ami_username: str = field(default="callcenter", metadata={"help": "AMI user"})
    ami_secret: str = field(default="", metadata={"help": "AMI secret (never logged)"})
    ami_ping_interval: float = field(default=5.0, metadata={
        "help": "seconds between AMI pings"})
    ami_ping_timeout: float = field(default=3.0, metadata={
        "help": "seconds without a Pong before the AMI link counts as dead"})
    ami_action_timeout: float = field(default=10.0, metadata={
        "help": "seconds an AMI action may wait for its answer (an Originate's too)"})
    ami_reconnect_max: float = field(default=30.0, metadata={
        "help": "longest wait between AMI reconnect attempts (backoff doubles up to it)"})
    agent_ring_seconds: int = field(default=30, metadata={
        "help": "how long click-to-call rings the agent's own phone"})
    customer_ring_seconds: int = field(default=30, metadata={
        "help": "how long click-to-call rings the customer before 'no answer'"})
    agi_host: str = field(default="127.0.0.1", metadata={"help": "FastAGI listen address"})
    agi_port: int = field(default=14573, metadata={"help": "FastAGI listen port"})
    recordings_dir: Path = field(default=Path("recordings"), metadata={
        "help": "folder where Asterisk writes call recordings"})
    recordings_retention_days: int = field(default=0, metadata={
        "help": "days a recording's audio is kept; 0 keeps it for ever"})
    recordings_transcriber: str = field(default="pocketsphinx", metadata={
        "help": "speech-to-text for recording search: pocketsphinx or none"})
    service_hours: str = field(default="08:30-18:00", metadata={
        "help": "the service center's opening hours, HH:MM-HH:MM (IVR, appointment slots)"})
    service_closed_days: str = field(default="sun", metadata={
        "help": "days the service center is closed, e.g. 'sun' or 'sat,sun' ('' for none)"})
    slot_minutes: int = field(default=60, metadata={
        "help": "length of an appointment slot in minutes"})
    sms_webhook_url: str = field(default="", metadata={
        "help": "URL that SMS messages are POSTed to as JSON; empty logs them instead"})
    phone_region: str = field(default="CN", metadata={
        "help": "region for numbers written without a country code"})
    timezone: str = field(default="Asia/Shanghai", metadata={
        "help": "the dealership's time zone (due dates, business hours)"})
    hotline_language: str = field(default="zh", metadata={
        "help": "what the IVR hotline speaks first: zh (Mandarin) or en; the greeting "
                "offers the other one on key 9"})
    dealership_name: str = field(default="华通汽车", metadata={
        "help": "the name the hotline's greeting says; read by scripts/make-prompts when it "
                "builds the prompts (the greeting is a recording)"})
    hotline_number: str = field(default="", metadata={
        "help": "the hotline number as customers dial it, e.g. 400-800-1234: named in the "
                "SMS texts (greetings, docs/greetings.md)"})
    sms_quiet_hours: str = field(default="21:00-08:00", metadata={
        "help": "HH:MM-HH:MM of the center's time when no SMS is sent (queued messages "
                "wait for its end); empty: none"})
    dms_inbox: str = field(default="", metadata={
        "help": "folder the dealership's DMS drops its nightly .csv/.xlsx exports in; "
                "imported each night into done/ or failed/ (docs/imports.md); empty: none"})
    dms_import_time: str = field(default="01:00", metadata={
        "help": "HH:MM of the center's time after which the DMS folder is imported each "
                "day (before the scheduler's run)"})
    integration_token_sha256: str = field(default="", metadata={
        "help": "hex SHA-256 of the token the DMS sends as 'Authorization: Bearer ...' "
                "to POST /api/imports; empty: only admins may push files"})
    sounds_dir: str = field(default="", metadata={
        "help": "Asterisk's sounds folder as this server sees it; when set, the hotline "
                "starts only if every prompt is there (callcenter prompts check)"})
    https: bool = field(default=False, metadata={
        "help": "true when browsers reach the console over HTTPS (a TLS proxy in front): "
                "the session cookie becomes Secure and __Host- prefixed, the origin https"})
    allowed_origins: str = field(default="", metadata={
        "help": "comma-separated origins the console is served from, e.g. "
                "https://cc.example.com behind a reverse proxy; empty: the origin the "
                "request's Host names. A state-changing request or WebSocket from any "
                "other origin is refused"})
    trusted_proxies: str = field(default="", metadata={
        "help": "comma-separated addresses or networks of reverse proxies whose "
                "X-Forwarded-For names the client (login throttle, audit log)"})
    login_free_failures: int = field(default=5, metadata={
        "help": "failed logins of one username before each further one blocks it, "
                "1 s doubling (four times as many per client address)"})
    login_max_delay_seconds: int = field(default=300, metadata={
        "help": "longest a username or address is blocked after failed logins"})
    complaint_clock: str = field(default="calendar", metadata={
        "help": "calendar, or working: the 2-1-2-3 complaint deadlines run only during the "
                "service hours on open days (docs/complaints.md)"})
    complaint_categories: str = field(default=",".join(DEFAULT_CATEGORIES), metadata={
        "help": "the complaint categories the console offers, comma-separated (names the "
                "console knows are shown in its language, others as written)"})
    complaint_departments: str = field(default=",".join(DEFAULT_DEPARTMENTS), metadata={
        "help": "the departments a complaint can be assigned to, comma-separated"})
    complaint_management: str = field(default="", metadata={
        "help": "usernames, comma-separated, of the senior managers who get a major "
                "complaint's late management reply; empty: the admins"})
    queue_service_level_seconds: int = field(default=20, metadata={
        "help": "queue statistics: a caller answered within this many seconds counts for "
                "the service level (docs/queue_statistics.md)"})
    queue_short_abandon_seconds: int = field(default=5, metadata={
        "help": "queue statistics: a caller who hangs up sooner is a short abandon, "
                "counted apart from the abandoned and out of the service level"})
    queue_log_file: str = field(default="", metadata={
        "help": "Asterisk's queue_log file as this server sees it; its lines the table "
                "lacks (written while PostgreSQL was away) are imported; empty: none"})
    queue_log_import_seconds: float = field(default=30.0, metadata={
        "help": "how often the queue_log file's new lines are read (and once at start)"})
    queue_log_pg_user: str = field(default="asterisk_queue_log", metadata={
        "help": "the PostgreSQL role Asterisk writes queue_log with (INSERT only)"})
    queue_log_pg_password: str = field(default="", metadata={
        "help": "its password; when set, the server creates or updates that role at "
                "start (never logged)"})
    embedded_pg_port: int = field(default=0, metadata={
        "help": "the embedded PostgreSQL listens on 127.0.0.1 at this port too, with "
                "passwords, for Asterisk's queue_log; 0: its unix socket only"})
    scheduler_time: str = field(default="02:00", metadata={
        "help": "HH:MM of the center's time from which each day's scheduled work is made "
                "(and once at start; docs/scheduler.md)"})
    scheduler_catch_up_days: int = field(default=14, metadata={
        "help": "after an outage the scheduler makes at most this many missed days' work"})
    maintenance_first_km: int = field(default=5000, metadata={
        "help": "first maintenance at this mileage after delivery, or ..."})
    maintenance_first_months: int = field(default=6, metadata={
        "help": "... this many months after delivery, whichever comes first"})
    maintenance_every_km: int = field(default=10000, metadata={
        "help": "then maintenance every this many km after the last service, or ..."})
    maintenance_every_months: int = field(default=12, metadata={
        "help": "... every this many months, whichever comes first"})
    maintenance_remind_days: int = field(default=7, metadata={
        "help": "a maintenance reminder call is due this many days before the maintenance"})
    win_back_months: int = field(default=12, metadata={
        "help": "a customer with no visit for this many months gets a win-back call"})
    lost_contact_failures: int = field(default=2, metadata={
        "help": "a customer goes on the lost-contact list when each of their phones' last "
                "this many attempts were unreachable or a wrong number"})
    call_again_gap: str = field(default="next_day", metadata={
        "help": "how long a follow-up customer who was not reached waits for the next "
                "call: next_day (the next day in the center's time zone), or a duration "
                "such as 30s, 90m, 4h; click-to-call refuses earlier calls"})
    log_level: str = field(default="INFO", metadata={"help": "DEBUG, INFO, WARNING or ERROR"})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def call_again(self) -> CallAgainGap:
        return CallAgainGap.parse(self.call_again_gap, self.tz)

    @property
    def hours(self) -> ServiceHours:
        opens, _, closes = self.service_hours.partition("-")
        closed = {_WEEKDAYS.index(d.strip().lower()[:3])
                  for d in self.service_closed_days.split(",") if d.strip()}
        return ServiceHours(time.fromisoformat(opens.strip()),
                            time.fromisoformat(closes.strip()), frozenset(closed),
                            self.slot_minutes)

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        """(start, end) of the SMS quiet hours, None when there are none."""
        if not self.sms_quiet_hours.strip():
            return None
        start, _, end = self.sms_quiet_hours.partition("-")
        hours = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
        if hours[0] == hours[1]:
            raise ValueError("the quiet hours start and end at the same time")
        return hours

    @property
    def scheduler_run_at(self) -> time:
        return time.fromisoformat(self.scheduler_time.strip())

    @property
    def complaint_category_names(self) -> list[str]:
        return _names(self.complaint_categories)

    @property
    def complaint_department_names(self) -> list[str]:
        return _names(self.complaint_departments)

    @property
    def managers(self) -> list[str]:
        return _names(self.complaint_management)

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def proxies(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(p.strip(), strict=False)
                for p in self.trusted_proxies.split(",") if p.strip()]

    def redacted(self) -> dict[str, Any]:
        """The settings as they may be logged: secrets and passwords masked."""
        shown = dataclasses.asdict(self)
        shown["ami_secret"] = "***" if self.ami_secret else ""
        shown["queue_log_pg_password"] = "***" if self.queue_log_pg_password else ""
        shown["integration_token_sha256"] = "***" if self.integration_token_sha256 else ""
        if self.database_url:
            shown["database_url"] = _mask_url_password(self.database_url)
        return shown


def _names(listed: str) -> list[str]:
    """A comma-separated setting's names, blanks left out."""
    return [name.strip() for name in listed.split(",") if name.strip()]


def _mask_url_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at or ":" not in creds:
        return url
    user = creds.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _convert(name: str, kind: Any, raw: Any) -> Any:
    try:
        if kind is int:
            whole = int(raw)
            if name.endswith("_port") and not 0 <= whole <= 65535:
                raise ValueError("a port is 0..65535")
            if name.endswith("_seconds") and not 1 <= whole <= 600:
                raise ValueError("1..600 seconds")
            return whole
        if kind is float:
            number = float(raw)
            if number <= 0:
                raise ValueError("must be positive")
            return number
        if kind is Path:
            return Path(str(raw)).expanduser()
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            if str(raw).strip().lower() not in _BOOLEANS:
                raise ValueError("use true or false")
            return _BOOLEANS[str(raw).strip().lower()]
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(
            f"invalid setting {env_name(name)}={raw!r}: {exc}", setting=env_name(name)
        ) from None


def _check(settings: Settings) -> None:
    try:
        settings.tz  # noqa: B018 - validates the zone name
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"invalid setting {env_name('timezone')}={settings.timezone!r}: unknown time zone",
            setting=env_name("timezone"),
        ) from None
    if settings.phone_region not in phonenumbers.SUPPORTED_REGIONS:
        raise SettingsError(
            f"invalid setting {env_name('phone_region')}={settings.phone_region!r}: "
            "not a region code such as CN", setting=env_name("phone_region"))
    if settings.hotline_language not in ("zh", "en"):
        raise SettingsError(
            f"invalid setting {env_name('hotline_language')}={settings.hotline_language!r}: "
            "use zh or en", setting=env_name("hotline_language"))
    if not settings.dealership_name.strip():
        raise SettingsError(f"invalid setting {env_name('dealership_name')}: empty",
                            setting=env_name("dealership_name"))
    if settings.complaint_clock not in ("calendar", "working"):
        raise SettingsError(
            f"invalid setting {env_name('complaint_clock')}={settings.complaint_clock!r}: "
            "use calendar or working", setting=env_name("complaint_clock"))
    if settings.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(
            f"invalid setting {env_name('log_level')}={settings.log_level!r}: "
            "use DEBUG, INFO, WARNING or ERROR", setting=env_name("log_level"))
    try:
        hours = settings.hours
    except ValueError:
        raise SettingsError(
            f"invalid setting {env_name('service_hours')}={settings.service_hours!r} or "
            f"{env_name('service_closed_days')}={settings.service_closed_days!r}: use "
            "HH:MM-HH:MM and day names such as sat,sun", setting=env_name("service_hours"),
        ) from None
    if hours.close_at <= hours.open_at or not hours.slot_times_fit():
        raise SettingsError(
            f"invalid setting {env_name('service_hours')}={settings.service_hours!r}: "
            f"closing must come after opening, with room for one {settings.slot_minutes}-"
            "minute slot", setting=env_name("service_hours"))
    if settings.sms_webhook_url and not settings.sms_webhook_url.startswith(
            ("http://", "https://")):
        raise SettingsError(
            f"invalid setting {env_name('sms_webhook_url')}: must be an http(s) URL",
            setting=env_name("sms_webhook_url"))
    for origin in settings.origins:
        url = yarl.URL(origin)
        if url.scheme not in ("http", "https") or not url.host or url.path not in ("", "/"):
            raise SettingsError(
                f"invalid setting {env_name('allowed_origins')}: {origin!r} is not an "
                "origin such as https://cc.example.com", setting=env_name("allowed_origins"))
    try:
        settings.proxies  # noqa: B018 - validates the addresses
    except ValueError:
        raise SettingsError(
            f"invalid setting {env_name('trusted_proxies')}={settings.trusted_proxies!r}: "
            "use addresses or networks such as 10.0.0.5,10.1.0.0/16",
            setting=env_name("trusted_proxies")) from None
    _check_sms_and_dms(settings)
    _check_scheduler(settings)
    try:
        settings.call_again  # noqa: B018 - validates the gap
    except ValueError as exc:
        raise SettingsError(
            f"invalid setting {env_name('call_again_gap')}={settings.call_again_gap!r}: "
            f"{exc}", setting=env_name("call_again_gap")) from None
    if settings.login_free_failures < 1:
        raise SettingsError(f"invalid setting {env_name('login_free_failures')}: at least 1",
                            setting=env_name("login_free_failures"))
    if settings.database_url and not settings.database_url.startswith(
            ("postgresql://", "postgres://")):
        raise SettingsError(
            f"invalid setting {env_name('database_url')}: must start with postgresql://",
            setting=env_name("database_url"))


def _check_sms_and_dms(settings: Settings) -> None:
    if settings.sms_quiet_hours.strip():
        try:
            settings.quiet_hours  # noqa: B018 - validates the times
        except ValueError:
            raise SettingsError(
                f"invalid setting {env_name('sms_quiet_hours')}={settings.sms_quiet_hours!r}: "
                "use HH:MM-HH:MM, e.g. 21:00-08:00, or empty for none",
                setting=env_name("sms_quiet_hours")) from None
    try:
        time.fromisoformat(settings.dms_import_time.strip())
    except ValueError:
        raise SettingsError(
            f"invalid setting {env_name('dms_import_time')}={settings.dms_import_time!r}: "
            "use HH:MM", setting=env_name("dms_import_time")) from None
    if settings.integration_token_sha256 and not re.fullmatch(
            "[0-9a-f]{64}", settings.integration_token_sha256.strip().lower()):
        raise SettingsError(
            f"invalid setting {env_name('integration_token_sha256')}: 64 hex digits, "
            "the SHA-256 of the token (never the token itself)",
            setting=env_name("integration_token_sha256"))


def _check_scheduler(settings: Settings) -> None:
    try:
        settings.scheduler_run_at  # noqa: B018 - validates the time
    except ValueError:
        raise SettingsError(
            f"invalid setting {env_name('scheduler_time')}={settings.scheduler_time!r}: "
            "use HH:MM", setting=env_name("scheduler_time")) from None
    for name in ("scheduler_catch_up_days", "maintenance_first_km", "maintenance_first_months",
                 "maintenance_every_km", "maintenance_every_months", "maintenance_remind_days",
                 "win_back_months", "lost_contact_failures"):
        if getattr(settings, name) < 1:
            raise SettingsError(f"invalid setting {env_name(name)}: at least 1",
                                setting=env_name(name))


def load_settings(
    environ: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Read the TOML file (if any), then the environment, which wins."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    config_file = config_file or (
        Path(environ[env_name("config")]) if env_name("config") in environ else None)
    if config_file is not None:
        try:
            raw.update(tomllib.loads(config_file.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read config file {config_file}: {exc}") from None
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise SettingsError(f"unknown setting {unknown[0]!r} in {config_file}")
    for name in fields:
        if env_name(name) in environ:
            raw[name] = environ[env_name(name)]
    values = {name: _convert(name, _KINDS[str(fields[name].type)], value)
              for name, value in raw.items()}
    settings = Settings(**values)
    _check(settings)
    return settings


def describe_settings() -> list[tuple[str, str, str]]:
    """(variable, default, help) rows for --help and the README's settings table."""
    rows = []
    for f in dataclasses.fields(Settings):
        rows.append((env_name(f.name), str(f.default), f.metadata.get("help", "")))
    return rows
