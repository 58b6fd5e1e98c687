"""Checking every URL a platform gives the tool, and fetching a platform's URL within limits.

The same rules hold for the admin page, the CLI and Dynamic Registration: http(s) only (https in production), a
host that is ASCII or IDNA-encodable (stored in its ASCII form, so it can go into a response header), no user
name or password, nothing that breaks a header, and in production no loopback, private, link-local or other
non-public address (checked again on every fetch, after resolving the name).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

import requests

log = logging.getLogger(__name__)

MAX_URL_LENGTH = 1000
MAX_FETCH_BYTES = 256 * 1024
FORBIDDEN_CHARACTERS = frozenset(" \t\r\n\"'<>\\^`{|};,")
LOCAL_NAMES = ("localhost", "localhost.localdomain")


class UnsafeUrl(ValueError):
    """A URL the tool will not store or fetch; the message says why, without echoing what a fetch revealed."""


def _ascii_host(host: str) -> str:
    if not host:
        raise UnsafeUrl("it has no host")
    try:
        encoded = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise UnsafeUrl("its host name is neither ASCII nor a valid international domain name") from exc
    if any(c in FORBIDDEN_CHARACTERS or not c.isprintable() for c in encoded):
        raise UnsafeUrl("its host name holds characters a host name cannot")
    return encoded.lower()


def _is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


def _literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def check_url(url: object, *, production: bool, what: str = "URL") -> str:
    """The URL in the form the tool stores (host in ASCII), or :class:`UnsafeUrl` saying what is wrong."""
    if not isinstance(url, str) or not url:
        raise UnsafeUrl(f"The {what} is missing.")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"The {what} is longer than {MAX_URL_LENGTH} characters.")
    if any(not c.isprintable() or c in " \t\r\n" for c in url):
        raise UnsafeUrl(f"The {what} holds spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname or ""
    except ValueError as exc:
        raise UnsafeUrl(f"The {what} is not a valid URL.") from exc
    allowed = ("https",) if production else ("https", "http")
    if parts.scheme.lower() not in allowed:
        raise UnsafeUrl(f"The {what} must start with {' or '.join(s + '://' for s in allowed)}.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeUrl(f"The {what} must not hold a user name or password.")
    try:
        host = _ascii_host(hostname)
    except UnsafeUrl as exc:
        raise UnsafeUrl(f"The {what} is not usable: {exc}.") from exc
    if production:
        literal = _literal_address(host)
        if host in LOCAL_NAMES or host.endswith(".localhost") or (literal and not _is_public_address(literal)):
            raise UnsafeUrl(f"The {what} points to a local or private address.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def origin_of(url: str, *, production: bool) -> str | None:
    """``scheme://host[:port]`` of a URL that passes :func:`check_url`, else None (logged): safe in any header."""
    try:
        parts = urlsplit(check_url(url, production=production))
    except UnsafeUrl as exc:
        log.warning("left out of the security headers: %s", exc)
        return None
    return f"{parts.scheme}://{parts.netloc}"


class GuardedHttp(requests.Session):
    """A requests session for platform URLs: each URL checked, in production the resolved addresses must be
    public, no redirects, a time-out, and at most MAX_FETCH_BYTES read."""

    def __init__(self, *, production: bool, timeout: float) -> None:
        super().__init__()
        self.production = production
        self.timeout = timeout
        self.trust_env = False

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        checked = check_url(url if isinstance(url, str) else url.decode(), production=self.production)
        if self.production:
            self._refuse_private_resolution(urlsplit(checked))
        kwargs["timeout"] = min(float(kwargs.get("timeout") or self.timeout), self.timeout)
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        response = super().request(method, checked, *args, **kwargs)
        body = b""
        for chunk in response.iter_content(16384):
            body += chunk
            if len(body) > MAX_FETCH_BYTES:
                response.close()
                raise UnsafeUrl(f"The platform's answer is larger than {MAX_FETCH_BYTES // 1024} KB.")
        response._content = body
        response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag; not in its stubs
        return response

    @staticmethod
    def _refuse_private_resolution(parts: SplitResult) -> None:
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise UnsafeUrl("The platform's host name could not be resolved.") from exc
        if any(not _is_public_address(str(info[4][0])) for info in infos):
            raise UnsafeUrl("The platform's host name resolves to a local or private address.")
