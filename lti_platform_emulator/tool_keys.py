"""The tool's public keys, fetched from its JWKS URL the way Blackboard does it.

Cached, and re-fetched once when a token names a kid the cache does not know, so the
tool can rotate its keys without the emulator being restarted.
"""

import threading
from collections.abc import Callable
from typing import Any

import jwt
import requests

from .errors import PlatformError


class ToolKeySet:
    """A kid → public key cache over the tool's JWKS endpoint."""

    def __init__(self, jwks_url: Callable[[], str], timeout: float = 5.0) -> None:
        self._jwks_url = jwks_url
        self._timeout = timeout
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}
        self.fetches = 0

    def key_for(self, kid: str | None, refuse: type[PlatformError]) -> Any:
        """The public key for `kid`, or a refusal of kind `refuse` saying why not."""
        if not kid:
            raise refuse("invalid_jwt_token", "the JWT header has no kid")
        with self._lock:
            if kid not in self._keys:
                self._keys = self._fetch(refuse)
            if kid not in self._keys:
                raise refuse(
                    "invalid_jwt_token", f"kid {kid!r} is not in the tool's JWKS"
                )
            return self._keys[kid]

    def _fetch(self, refuse: type[PlatformError]) -> dict[str, Any]:
        self.fetches += 1
        url = self._jwks_url()
        try:
            response = requests.get(url, timeout=self._timeout)
            response.raise_for_status()
            jwk_set = jwt.PyJWKSet.from_dict(response.json())
        except (requests.RequestException, ValueError, jwt.PyJWKSetError) as error:
            raise refuse(
                "invalid_jwt_token", f"could not fetch the tool JWKS at {url}: {error}"
            ) from error
        return {key.key_id: key.key for key in jwk_set.keys if key.key_id}
