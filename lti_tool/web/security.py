"""Security headers and rate limits for every response of the tool.

The Content-Security-Policy allows scripts, styles and images from the tool only. The tool may be framed
(``frame-ancestors``) and may send forms (``form-action``: the OIDC redirect after the cookie check, the
deep-linking return) only to itself and the platforms' origins: the registered platforms' login URLs and the
sites they launched from (a Blackboard Learn site sits behind the shared issuer https://blackboard.com, so its
origin is learnt from launches), plus FRAME_ANCESTORS. In production only https origins count.

Those origins come from :class:`PlatformOrigins`, a per-process cache: emptied when this process commits a
change to a platform, re-read at most once a minute otherwise (other workers' changes), always through the
request's own database session before the view runs. Building the header never touches the database and never
raises: a stored origin that is not a valid ASCII origin is left out and logged.

Pages for a signed-in person carry ``Cache-Control: no-store`` unless the view chose its own caching.

Whole numbers from outside never reach the database out of its range: ``<int:…>`` in every route is bounded
(404 beyond it) and ``request.args.get(…, type=int)`` / ``request.form.get(…, type=int)`` give the default
for a number out of range, as for any other malformed value. A NUL character anywhere in the address or a form
is refused with 400 before any view runs.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterable
from threading import Lock
from typing import Any

from flask import Flask, Request, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from ..db import DatabaseError, get_session
from ..errors import ToolError
from ..lti.platform_origins import on_platform_change, platform_urls
from ..lti.urls import origin_of
from ..numbers import DATABASE_INT_MAX, bounded_int

log = logging.getLogger(__name__)

PLATFORM_ORIGINS_SECONDS = 60
EXTENSION = "platform_origins"
NOT_REFRESHED_FOR = frozenset({"static", "health.healthz"})


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that matches only numbers the database can hold: anything bigger is a 404."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


class BoundedParameters(ImmutableMultiDict[str, str]):
    """Query and form values whose ``get(…, type=int)`` refuses numbers out of the database's range."""

    # Werkzeug's own get overrides dict.get incompatibly (and ignores it there); this one only swaps int.
    def get(self, key: str, default: Any = None,  # type: ignore[override]
            type: Callable[[str], Any] | None = None) -> Any:
        if type is None:
            return super().get(key, default)
        return super().get(key, default, bounded_int if type is int else type)


class BoundedRequest(Request):
    parameter_storage_class = BoundedParameters


class NulCharacter(ToolError):
    code = "bad_input"
    status = 400
    title = "That request could not be read"


def _refuse_nul_characters() -> None:
    """No database stores a NUL character (PostgreSQL refuses it): a request carrying one is refused whole."""
    if "\x00" in request.path or any("\x00" in k or any("\x00" in v for v in values)
                                     for k, values in request.args.lists()):
        raise NulCharacter("The address holds a character that cannot be stored (NUL).")
    if request.method == "POST" and any("\x00" in k or any("\x00" in v for v in values)
                                        for k, values in request.form.lists()):
        raise NulCharacter("The form holds a character that cannot be stored (NUL).")


def bound_numbers(app: Flask) -> None:
    """Before any route is added: the bounded converter and request class for the whole application."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = BoundedRequest


class PlatformOrigins:
    """The origins of every registered platform, valid for a response header (a cache that can be lost)."""

    def __init__(self, extra: Iterable[str], production: bool, seconds: float = PLATFORM_ORIGINS_SECONDS) -> None:
        self.production = production
        self.seconds = seconds
        self._extra = tuple(extra)
        self._lock = Lock()
        self._value: tuple[str, ...] = self._valid(self._extra)
        self._read_at: float | None = None

    def current(self) -> tuple[str, ...]:
        return self._value

    def stale(self) -> bool:
        read_at = self._read_at
        return read_at is None or time.monotonic() - read_at >= self.seconds

    def invalidate(self) -> None:
        self._read_at = None

    def refresh_if_stale(self, session_for_read) -> None:
        """One thread re-reads; the others wait for its answer instead of reading too."""
        if not self.stale():
            return
        with self._lock:
            if not self.stale():
                return
            session = session_for_read()
            try:
                urls = platform_urls(session)
            except DatabaseError:
                session.rollback()
                log.warning("platform origins could not be read; keeping the previous ones for now", exc_info=True)
                self._read_at = time.monotonic() - self.seconds + 5
                return
            self._value = self._valid((*self._extra, *urls))
            self._read_at = time.monotonic()

    def _valid(self, urls: Iterable[str]) -> tuple[str, ...]:
        origins = {origin_of(u, production=self.production) for u in urls if u}
        return tuple(sorted(o for o in origins if o))


def _track_platform_changes(app: Flask) -> None:
    """A commit that changed a platform empties this process's cache: the next request re-reads it."""
    origins: PlatformOrigins = app.extensions[EXTENSION]
    on_platform_change((app.extensions["db_sessionmaker"], app.extensions["db_submit_sessionmaker"]),
                       origins.invalidate)


def allow_form_action(url: str) -> None:
    """Let this response's page send its form to ``url``'s origin too (a deep-linking return URL)."""
    origin = origin_of(url, production=current_app.config["ENV"] == "production")
    if origin:
        g.setdefault("csp_form_origins", set()).add(origin)


def content_security_policy(origins: tuple[str, ...], form_origins: Iterable[str] = ()) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action " + " ".join(("'self'", *sorted({*origins, *form_origins}))),
        "frame-ancestors " + " ".join(("'self'", *origins)),
    ])


def _client_address() -> str:
    return "addr:" + (get_remote_address() or "")


def _platform_user() -> str:
    """Who is launching, as the platform names them (issuer and login hint or `sub`), unverified: only a key for
    counting, so one person cannot use up the allowance of everyone behind the same address."""
    params = request.form if request.method == "POST" else request.args
    issuer, user = params.get("iss", ""), params.get("login_hint", "")
    token = params.get("id_token", "")
    if token.count(".") == 2:
        try:
            payload = token.split(".")[1]
            body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            issuer, user = str(body.get("iss", "")), str(body.get("sub", ""))
        except (ValueError, UnicodeDecodeError, AttributeError):
            pass
    if not user:
        return _client_address()
    return f"user:{issuer[:300]}|{user[:300]}"


def init_app(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATE_LIMIT_STORAGE"]
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    # One limiter per application: counters never leak between two apps in one process (tests, benchmarks).
    app.extensions["rate_limiter"] = Limiter(_client_address, app=app, default_limits=[])
    production = app.config["ENV"] == "production"
    app.extensions[EXTENSION] = PlatformOrigins(str(app.config.get("FRAME_ANCESTORS") or "").split(), production)
    _track_platform_changes(app)

    app.before_request(_refuse_nul_characters)

    @app.before_request
    def _fresh_platform_origins() -> None:
        if request.blueprint != "dev" and request.endpoint not in NOT_REFRESHED_FOR:
            app.extensions[EXTENSION].refresh_if_stale(get_session)

    @app.after_request
    def _headers(response):
        if request.blueprint == "dev":
            return response
        origins = app.extensions[EXTENSION].current()
        response.headers.setdefault("Content-Security-Policy",
                                    content_security_policy(origins, g.get("csp_form_origins", ())))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def rate_limited(app: Flask, *endpoints: str) -> None:
    """Apply RATE_LIMIT_LTI per client address to the named endpoints (login, launch, registration,
    verification), and RATE_LIMIT_LTI_USER per platform user to login and launch."""
    limiter: Limiter = app.extensions["rate_limiter"]
    per_user = {"lti.login", "lti.launch"}
    for endpoint in endpoints:
        # Any callable: the limiter wraps sync and async views alike (mypy cannot carry Flask's union through it).
        view: Callable[..., Any] | None = app.view_functions.get(endpoint)
        if view is None:
            continue
        view = limiter.limit(app.config["RATE_LIMIT_LTI"], key_func=_client_address)(view)
        if endpoint in per_user:
            view = limiter.limit(app.config["RATE_LIMIT_LTI_USER"], key_func=_platform_user)(view)
        app.view_functions[endpoint] = view
