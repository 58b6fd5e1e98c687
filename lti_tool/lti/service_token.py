"""OAuth 2 access tokens for a platform's services, and the authorised HTTP calls made with them.

Client credentials with a signed JWT assertion (LTI Security Framework §4.1, RFC 7523;
https://www.imsglobal.org/spec/security/v1p0/#using-json-web-tokens-with-oauth-2-0-client-credentials-grant).
Blackboard refuses an assertion without integer ``iat``/``exp`` or without ``jti`` ("iat missing",
background P7), and rate-limits tools that ask for a token per call (P6), so tokens are cached in the
``access_token`` table, shared by every worker, per (platform, sorted scopes) until 60 s before expiry.
A 401, or the 403 Open edX's LTI consumer answers instead, to a request made with a cached token drops that
token and retries once with a fresh one (packback's pattern). A token refused because the platform could not
fetch the tool's JWKS at that moment is a transient failure, retried later like a 5xx.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeGuard

import jwt
import requests
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import AccessToken, Platform, utcnow
from . import claims as c
from . import keys

EXPIRY_MARGIN_SECONDS = 60
ASSERTION_LIFETIME_SECONDS = 300
STALE_TOKEN_STATUSES = frozenset({401, 403})
# The platform checks the client assertion against the tool's JWKS, fetched over the network at that moment; when
# the fetch fails (the tool restarting, a proxy time-out) the token endpoint answers 400/401 with a message that
# names the key set. That says nothing about the registration, so the request is worth making again later.
KEYS_UNREACHABLE = re.compile(r"(fetch|retriev|download|reach|connect|load|time[ds]? ?out)\w*\b.{0,60}"
                              r"\b(jwks|key ?set|public keys?)\b|\b(jwks|key ?set)\b.{0,60}"
                              r"(unreachable|unavailable|fetch|time[ds]? ?out)", re.IGNORECASE)


class ServiceError(Exception):
    """A platform service call that did not succeed; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool,
                 retry_after: float | None = None, body: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.body = body


def scope_key(scopes: Iterable[str]) -> str:
    return " ".join(sorted(set(scopes)))


def client_assertion(session: Session, platform: Platform) -> str:
    """The signed JWT that authenticates the tool at the platform's token endpoint."""
    key = keys.signing_key(session)
    now = int(time.time())
    claims = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.auth_audience or platform.auth_token_url,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME_SECONDS,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_from_response(response: requests.Response, what: str) -> ServiceError:
    """5xx and 429 may pass; other statuses are the platform's final word on this request."""
    text = response.text[:500]
    try:
        body = response.json()
        if isinstance(body, dict):
            text = " ".join(str(body[k]) for k in ("error", "error_description", "message") if body.get(k)) or text
    except ValueError:
        pass
    status = response.status_code
    return ServiceError(f"{what}: HTTP {status} {text}".strip(), status=status,
                        retryable=status >= 500 or status == 429, retry_after=_retry_after(response), body=text)


def error_from_exception(exc: requests.RequestException, what: str) -> ServiceError:
    kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
    return ServiceError(f"{what}: {kind} ({type(exc).__name__})", retryable=True)


def _request_token(session: Session, platform: Platform, scopes: str, http: requests.Session,
                   timeout: float) -> tuple[str, int]:
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": c.CLIENT_ASSERTION_TYPE,
        "client_assertion": client_assertion(session, platform),
        "scope": scopes,
    }
    try:
        response = http.post(platform.auth_token_url, data=data, timeout=timeout,
                             headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise error_from_exception(exc, "token request") from exc
    if response.status_code != 200:
        error = error_from_response(response, "token request")
        if response.status_code in (400, 401) and KEYS_UNREACHABLE.search(error.body):
            error.retryable = True
            error.message += " (the platform could not fetch the tool's keys; trying again later)"
        raise error
    try:
        body = response.json()
        token = str(body["access_token"])
        expires_in = int(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError) as exc:
        raise ServiceError("token request: the platform's answer has no access_token", status=200,
                           retryable=True) from exc
    return token, expires_in


def _cached(session: Session, platform_id: int, key: str) -> AccessToken | None:
    return session.scalars(select(AccessToken).where(AccessToken.platform_id == platform_id,
                                                     AccessToken.scope_key == key)
                           .execution_options(populate_existing=True)).first()


def _live(cached: AccessToken | None) -> TypeGuard[AccessToken]:
    return cached is not None and cached.expires_at > utcnow() + timedelta(seconds=EXPIRY_MARGIN_SECONDS)


Fetched = tuple[str, bool, datetime]


def access_token(session: Session, platform: Platform, scopes: Iterable[str], *, http: requests.Session,
                 timeout: float) -> Fetched:
    """A live token for these scopes, whether it came from the cache, and when it expires: the shared cached one,
    or a new one (stored for every worker)."""
    key = scope_key(scopes)
    cached = _cached(session, platform.id, key)
    if _live(cached):
        return cached.token, True, cached.expires_at
    keys.signing_key(session)  # may commit when the tool's first key is made: do it before taking the lock
    if session.get_bind().dialect.name == "postgresql":
        # One worker asks, the others wait on the platform row and then reuse its token (no stampede).
        session.execute(select(Platform.id).where(Platform.id == platform.id).with_for_update())
        cached = _cached(session, platform.id, key)
        if _live(cached):
            session.commit()  # release the platform row's lock: the other workers waiting on it reuse this token
            return cached.token, True, cached.expires_at
    token, expires_in = _request_token(session, platform, key, http, timeout)
    expires_at = utcnow() + timedelta(seconds=expires_in)
    if cached is None:
        session.add(AccessToken(platform_id=platform.id, scope_key=key, token=token, expires_at=expires_at))
    else:
        cached.token, cached.expires_at = token, expires_at
    try:
        session.commit()  # a cache of the platform's token, shared with every worker (and the lock released)
    except IntegrityError:  # another worker stored one at the same moment; theirs is as good as ours
        session.rollback()
    return token, False, expires_at


def drop_token(session: Session, platform: Platform, scopes: Iterable[str], token: str) -> None:
    """Forget a token the platform refused (only if nobody replaced it meanwhile)."""
    session.execute(delete(AccessToken).where(AccessToken.platform_id == platform.id,
                                              AccessToken.scope_key == scope_key(scopes),
                                              AccessToken.token == token))
    session.commit()  # forget the refused token for every worker, whatever happens to this call


class TokensInHand:
    """The tokens one outbox pass holds, shared by its sending threads: the ``access_token`` table is read (or the
    platform asked) once per platform and scopes, not once per score, and while one thread fetches, the others
    wait for its token instead of asking too."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[int, str], threading.Lock] = {}
        self._held: dict[tuple[int, str], tuple[str, datetime]] = {}

    def token(self, key: tuple[int, str], fetch: Callable[[], Fetched]) -> tuple[str, bool]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            held = self._held.get(key)
            if held is not None and held[1] > utcnow() + timedelta(seconds=EXPIRY_MARGIN_SECONDS):
                return held[0], True
            token, cached, expires_at = fetch()
            self._held[key] = (token, expires_at)
            return token, cached

    def forget(self, key: tuple[int, str], token: str) -> None:
        with self._guard:
            if self._held.get(key, ("", None))[0] == token:
                del self._held[key]


class ServiceClient:
    """Authorised calls to one platform's services, with time-outs and one retry when a cached token is refused."""

    def __init__(self, session: Session, platform: Platform, *, http: requests.Session, timeout: float,
                 tokens: TokensInHand | None = None) -> None:
        self.session = session
        self.platform = platform
        self.http = http
        self.timeout = timeout
        self.tokens = tokens

    def _token(self, scopes: tuple[str, ...]) -> tuple[str, bool]:
        def fetch() -> Fetched:
            return access_token(self.session, self.platform, scopes, http=self.http, timeout=self.timeout)

        if self.tokens is None:
            token, cached, _ = fetch()
            return token, cached
        return self.tokens.token((self.platform.id, scope_key(scopes)), fetch)

    def request(self, method: str, url: str, scopes: Iterable[str], *, what: str,
                **kwargs: Any) -> requests.Response:
        """The response for a 2xx; ServiceError otherwise. A 401 or 403 to a cached token is answered by one more
        try with a fresh token, so the error is the platform's answer to a token it has just issued."""
        scopes = tuple(scopes)
        token, cached = self._token(scopes)
        response = self._send(method, url, token, what, kwargs)
        if cached and response.status_code in STALE_TOKEN_STATUSES:
            drop_token(self.session, self.platform, scopes, token)
            if self.tokens is not None:
                self.tokens.forget((self.platform.id, scope_key(scopes)), token)
            token, _ = self._token(scopes)
            response = self._send(method, url, token, what, kwargs)
        if 200 <= response.status_code < 300:
            return response
        raise error_from_response(response, what)

    def _send(self, method: str, url: str, token: str, what: str, kwargs: dict[str, Any]) -> requests.Response:
        headers = {**kwargs.get("headers", {}), "Authorization": f"Bearer {token}"}
        try:
            return self.http.request(method, url, timeout=self.timeout, **{**kwargs, "headers": headers})
        except requests.RequestException as exc:
            raise error_from_exception(exc, what) from exc
