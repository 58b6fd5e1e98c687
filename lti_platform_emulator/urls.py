"""The emulator's routes, in one table used both to serve them and to build absolute URLs.

URLs that go into tokens and Link headers are built from a base URL (which may include a
mount prefix such as /dev/platform), never from hand-written paths.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from werkzeug.routing import Map, Rule

_GET = ("GET",)
_POST = ("POST",)
_GET_POST = ("GET", "POST")


@dataclass(frozen=True)
class Route:
    endpoint: str
    path: str
    methods: tuple[str, ...]


_LINEITEM = "/contexts/<context_id>/lineitems/<lineitem_id>"

ROUTES: tuple[Route, ...] = (
    Route("launch_page", "/", _GET),
    Route("jwks", "/jwks.json", _GET),
    Route("launch_start", "/launch/start", _GET_POST),
    Route("auth", "/auth", _GET_POST),
    Route("token", "/token", _POST),
    Route("lineitems", "/contexts/<context_id>/lineitems", _GET_POST),
    Route("lineitem", _LINEITEM, ("GET", "PUT", "DELETE")),
    Route("scores", _LINEITEM + "/scores", _POST),
    Route("results", _LINEITEM + "/results", _GET),
    Route("memberships", "/contexts/<context_id>/memberships", _GET),
    Route("deep_link_return", "/deep-link/return", _POST),
    Route("launch_return", "/return", _GET),
    Route("openid_configuration", "/.well-known/openid-configuration", _GET),
    Route("register", "/register", _POST),
    Route("inspect_state", "/_emulator/state", _GET),
    Route("inspect_reset", "/_emulator/reset", _POST),
    Route("inspect_faults", "/_emulator/faults", _POST),
    Route("inspect_launches", "/_emulator/launches", _POST),
    Route("inspect_members", "/_emulator/contexts/<context_id>/members", _POST),
    Route("inspect_rotate_key", "/_emulator/rotate-key", _POST),
)

_URL_MAP = Map(
    [Rule(r.path, endpoint=r.endpoint, methods=list(r.methods)) for r in ROUTES]
)


class PlatformUrls:
    """Absolute URLs of the emulator's endpoints under one base URL."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        self.base_url = base_url.rstrip("/")
        self._adapter = _URL_MAP.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
        )

    def build(self, endpoint: str, **values: Any) -> str:
        """Build a URL; values that are not path variables become the query string."""
        query = {name: value for name, value in values.items() if value is not None}
        return self._adapter.build(endpoint, query, force_external=True)
