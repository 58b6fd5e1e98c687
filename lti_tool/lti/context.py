"""What the rest of the tool knows of a launch: its settings in, a :class:`LaunchContext` out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import claims as c


@dataclass(frozen=True)
class LaunchSettings:
    """The configuration login and launch read, taken from the app config once per request."""

    leeway: int
    state_seconds: int
    launch_seconds: int
    jwks_cache_seconds: int
    http_timeout: float
    secure: bool

    @classmethod
    def from_config(cls, config: dict[str, Any], secure: bool) -> LaunchSettings:
        return cls(leeway=int(config["JWT_LEEWAY_SECONDS"]), state_seconds=int(config["OIDC_STATE_SECONDS"]),
                   launch_seconds=int(config["LAUNCH_SECONDS"]), jwks_cache_seconds=int(config["JWKS_CACHE_SECONDS"]),
                   http_timeout=float(config["HTTP_TIMEOUT_SECONDS"]), secure=secure)


@dataclass(frozen=True)
class LaunchContext:
    """What a validated launch lets this browser do; views read this, never the raw claims."""

    launch_id: str
    platform_id: int
    user_id: int
    course_id: int | None
    resource_link_pk: int | None
    role: str
    message_type: str
    module_slug: str | None
    edition_id: int | None
    custom: dict[str, Any] = field(default_factory=dict)
    return_url: str | None = None
    is_platform_admin: bool = False  # an institution or system administrator of this launch's platform
    administers_all_platforms: bool = False  # granted from the command line
    may_edit_content: bool = False  # granted from the command line
    person_name: str = ""  # for the page header, read with the launch
    course_title: str = ""

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == c.MESSAGE_DEEP_LINKING

    @property
    def is_admin(self) -> bool:
        """May open the admin pages (what they show is limited by :meth:`administers`)."""
        return self.is_platform_admin or self.administers_all_platforms or self.may_edit_content

    def administers(self, platform_id: int) -> bool:
        """Platform administrators administer the platform they launched from; granted administrators, all."""
        return self.administers_all_platforms or (self.is_platform_admin and platform_id == self.platform_id)
