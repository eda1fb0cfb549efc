"""What every request and response goes through for the browser's sake: CSRF checks,
security headers, the client's address and the session cookie's name (docs/security.md).

- **Origin.** A state-changing request (any method but GET, HEAD, OPTIONS) and the
  WebSocket upgrade must come from the console's own origin: its ``Origin`` header (or,
  without one, its ``Referer``) must be one of ``CALLCENTER_ALLOWED_ORIGINS`` or, when
  that is empty, the origin the request's ``Host`` names. Anything else, ``null``
  included, is refused with 403 ``foreign_origin``. A request with neither header is not
  from a browser page (browsers send ``Origin`` on every POST and every WebSocket), so
  it passes: a script or curl has no victim's cookie to abuse.
- **Content type.** A state-changing request to ``/api/`` must say
  ``Content-Type: application/json`` (415 ``unsupported_media_type`` otherwise): an HTML
  form cannot send that, and a cross-origin ``fetch`` cannot without a CORS preflight,
  which this server never grants.
- **Headers** on every response, errors and static files included: a
  Content-Security-Policy that lets the page load only this server's own scripts,
  styles, images, media and connections (no inline script or style, no framing), and
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``,
  ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``; with HTTPS also
  ``Strict-Transport-Security``.
- **HTTPS.** With ``CALLCENTER_HTTPS=true`` (a TLS proxy in front) or a TLS connection,
  the session cookie is ``__Host-cc_session`` with ``Secure``: the browser then never
  sends it over plain HTTP, and no subdomain can set it.
- **Client address.** ``request.remote``, or, when that is one of
  ``CALLCENTER_TRUSTED_PROXIES``, the last address of ``X-Forwarded-For`` that is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address

import yarl
from aiohttp import web
from aiohttp.typedefs import Handler

from callcenter.domain.login_throttle import ThrottlePolicy
from callcenter.errors import CallcenterError, Forbidden
from callcenter.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Routes whose body is a file, not JSON: the DMS's push (http/handlers/imports.py).
FILE_BODIES = frozenset({"/api/imports"})
COOKIE = "cc_session"
SECURE_COOKIE = "__Host-cc_session"

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    # data: for the empty favicon of index.html (it spares a request for /favicon.ico)
    "img-src 'self' data:",
    "media-src 'self'",
    "connect-src 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000"


class ForeignOrigin(Forbidden):
    error_id = "foreign_origin"


class UnsupportedMediaType(CallcenterError):
    error_id = "unsupported_media_type"
    http_status = 415


Origin = tuple[str, str, int | None]


def _origin(text: str) -> Origin | None:
    """(scheme, host, port) of an origin or URL, the port made explicit; None if none."""
    url = yarl.URL(text)
    if not url.is_absolute() or url.scheme not in ("http", "https") or not url.host:
        return None
    return url.scheme, url.host.lower(), url.port


@dataclass(frozen=True)
class WebSecurity:
    """The settings the checks need, parsed once at start."""

    https: bool
    allowed_origins: frozenset[Origin]
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...]
    throttle: ThrottlePolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> WebSecurity:
        origins = {_origin(o) for o in settings.origins}
        return cls(settings.https, frozenset(o for o in origins if o is not None),
                   tuple(settings.proxies),
                   ThrottlePolicy(free=settings.login_free_failures,
                                  address_free=4 * settings.login_free_failures,
                                  max_delay=float(settings.login_max_delay_seconds)))

    def secure(self, request: web.Request) -> bool:
        return self.https or request.secure

    def cookie_name(self, request: web.Request) -> str:
        return SECURE_COOKIE if self.secure(request) else COOKIE

    def accepts(self, request: web.Request, origin: Origin) -> bool:
        if self.allowed_origins:
            return origin in self.allowed_origins
        scheme = "https" if self.secure(request) else request.scheme
        return origin == _origin(f"{scheme}://{request.host}")

    def client(self, request: web.Request) -> str | None:
        remote = request.remote
        if not self.trusted_proxies or remote is None or not self._trusted(remote):
            return remote
        hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", ())
                for hop in value.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._trusted(hop):
                return hop
        return remote

    def _trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.trusted_proxies)


SECURITY = web.AppKey("web_security", WebSecurity)


def _request_origin(request: web.Request) -> str | None:
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin
    referer = request.headers.get("Referer")
    return str(yarl.URL(referer).origin()) if referer and _origin(referer) else referer


def _is_upgrade(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    changes_state = request.method not in SAFE_METHODS
    if changes_state or _is_upgrade(request):
        sent = _request_origin(request)
        if sent is not None:
            origin = _origin(sent)
            if origin is None or not request.app[SECURITY].accepts(request, origin):
                raise ForeignOrigin(f"requests from {sent[:100]} are not accepted",
                                    origin=sent[:100])
    # A body's type matters only to a route that takes it: a method the path does not
    # have is its 405 (with Allow), an unknown path its 404.
    routed = request.match_info.http_exception is None
    if changes_state and routed and request.path.startswith("/api/") and (
            request.content_type != "application/json") and request.path not in FILE_BODIES:
        raise UnsupportedMediaType("send the body as application/json",
                                   content_type=request.content_type[:100])
    return await handler(request)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: runs for every response, whoever made it."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.app[SECURITY].secure(request):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
