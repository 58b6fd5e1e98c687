"""A platform's public keys: cached in the database, fetched again once when a token names an unknown key.

Platforms rotate keys (D2L roughly hourly), so a fixed-lifetime cache alone breaks launches; fetching on
every launch makes launches slow and fragile. A stale cache is still used when the platform's JWKS
endpoint is down, so launches keep working through a short outage.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy.orm import Session

from ..models import Platform, utcnow
from .errors import LaunchError

log = logging.getLogger(__name__)
REFETCH_MIN_SECONDS = 1


def _fetch(platform: Platform, timeout: float) -> dict[str, Any]:
    response = requests.get(platform.keyset_url, timeout=timeout, headers={"Accept": "application/json"})
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
        raise ValueError("not a JWK set")
    return body


def _refresh(session: Session, platform: Platform, timeout: float) -> bool:
    try:
        platform.jwks_cache = _fetch(platform, timeout)
    except (requests.RequestException, ValueError) as exc:
        log.warning("could not fetch the JWKS of platform %s: %s", platform.id, type(exc).__name__)
        return False
    platform.jwks_fetched_at = utcnow()
    session.commit()  # a cache of the platform's keys: kept even if the launch that fetched them is refused
    return True


def _find(jwks: dict[str, Any] | None, kid: str) -> dict[str, Any] | None:
    for key in (jwks or {}).get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


def key_for(session: Session, platform: Platform, kid: str, *, cache_seconds: int, timeout: float) -> dict[str, Any]:
    """The platform's JWK with this kid, or a LaunchError that says why there is none."""
    now = utcnow()
    fetched = platform.jwks_fetched_at
    if platform.jwks_cache is None or fetched is None or now - fetched > timedelta(seconds=cache_seconds):
        if not _refresh(session, platform, timeout) and platform.jwks_cache is None:
            raise LaunchError("platform_keys_unavailable",
                              "The platform's public keys could not be fetched, so this launch cannot be checked.",
                              status=502, advice="Try again in a few minutes.")
    key = _find(platform.jwks_cache, kid)
    if key is None and (platform.jwks_fetched_at is None
                        or now - platform.jwks_fetched_at > timedelta(seconds=REFETCH_MIN_SECONDS)):
        _refresh(session, platform, timeout)
        key = _find(platform.jwks_cache, kid)
    if key is None:
        raise LaunchError("key_unknown", "The launch was signed with a key the platform does not publish.")
    return key
