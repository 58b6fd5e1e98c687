"""Security headers and rate limits for every response of the tool.

The Content-Security-Policy allows scripts, styles and images from the tool only, and lets the tool be framed
only by itself, the registered platforms and the sites they have launched it from (a Blackboard Learn site sits
behind the shared issuer https://blackboard.com, so its origin is learnt from launches), plus FRAME_ANCESTORS.
"""

from __future__ import annotations

import time
from threading import Lock
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from ..db import session_factory
from ..models import Platform

FRAME_ORIGINS_CACHE_SECONDS = 60


class FrameOrigins:
    """Origins allowed to frame the tool, re-read from the database at most once a minute (a cache that can be lost)."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._value: tuple[str, ...] = ()
        self._read_at = 0.0

    def get(self, app: Flask) -> tuple[str, ...]:
        with self._lock:
            if time.monotonic() - self._read_at < FRAME_ORIGINS_CACHE_SECONDS:
                return self._value
        origins: set[str] = set(str(app.config.get("FRAME_ANCESTORS") or "").split())
        with session_factory(app)() as session:
            for login_url, learnt in session.execute(select(Platform.auth_login_url, Platform.frame_origins)):
                parts = urlsplit(login_url)
                origins.add(f"{parts.scheme}://{parts.netloc}")
                origins.update(learnt or [])
        with self._lock:
            self._value, self._read_at = tuple(sorted(origins)), time.monotonic()
            return self._value



def content_security_policy(ancestors: tuple[str, ...]) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors " + " ".join(("'self'", *ancestors)),
    ])


def init_app(app: Flask) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATE_LIMIT_STORAGE"]
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    # One limiter per application: counters never leak between two apps in one process (tests, benchmarks).
    app.extensions["rate_limiter"] = Limiter(get_remote_address, app=app, default_limits=[])
    production = app.config["ENV"] == "production"
    app.extensions["frame_origins"] = FrameOrigins()

    @app.after_request
    def _headers(response):  # noqa: ANN001, ANN202
        if request.blueprint == "dev":
            return response
        try:
            app_object = current_app._get_current_object()  # type: ignore[attr-defined]
            ancestors = app_object.extensions["frame_origins"].get(app_object)
        except Exception:  # noqa: BLE001 - a database hiccup must not break every page; fall back to self only
            ancestors = ()
        response.headers.setdefault("Content-Security-Policy", content_security_policy(ancestors))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def rate_limited(app: Flask, *endpoints: str) -> None:
    """Apply RATE_LIMIT_LTI to the named endpoints (login, launch, registration, verification)."""
    limit = app.config["RATE_LIMIT_LTI"]
    limiter: Limiter = app.extensions["rate_limiter"]
    for endpoint in endpoints:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(limit)(view)
