"""How the emulated platform is registered with the tool under test."""

from dataclasses import dataclass

from .keys import SigningKey


@dataclass
class PlatformSettings:
    """The registration both sides agree on, as the Blackboard Developer Portal would show it.

    Mutable on purpose: a test often learns the emulator's port only after starting it,
    and then sets `issuer` on the same object the running app reads.
    """

    client_id: str
    deployment_id: str
    tool_login_url: str
    tool_launch_url: str
    tool_jwks_url: str
    tool_deep_link_url: str | None = None
    # None: the root URL the request arrived on (script root included). Blackboard's real
    # issuer is https://blackboard.com, unrelated to its service hosts, hence two fields.
    issuer: str | None = None
    base_url: str | None = None
    signing_key: SigningKey | None = None
    token_lifetime: int = 3600
    platform_guid: str = "emulated-learn-site"
    # Quirks of other platforms, for the tool's robustness tests. Open edX's LTI consumer answers 403, not 401,
    # to a token it no longer accepts, and offers a launch fewer AGS scopes (no `lineitem`); a strict platform
    # refuses a token request naming a scope the launch did not offer (`invalid_scope`).
    stale_token_status: int = 401
    offered_ags_scopes: tuple[str, ...] | None = None
    strict_scopes: bool = False

    @property
    def deep_link_url(self) -> str:
        return self.tool_deep_link_url or self.tool_launch_url

    @property
    def redirect_uris(self) -> frozenset[str]:
        """Registered redirect URIs; Blackboard recommends one, so normally this is one URL."""
        return frozenset((self.tool_launch_url, self.deep_link_url))
