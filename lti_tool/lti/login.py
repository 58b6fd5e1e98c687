"""OIDC third-party initiated login: issue a state and a nonce bound together, then send the browser to the platform.

Spec: LTI Core §4.1 (https://www.imsglobal.org/spec/security/v1p0/#openid_connect_launch_flow) and the
1EdTech Security Framework §5.1.1. Returns what to do as data; ``web.lti`` renders it.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from . import storage
from .config import find_platform
from .context import LaunchSettings
from .errors import LaunchError

CHECKED_PARAM = "lti1p3_new_window"
STATE_COOKIE_PREFIX = "lti1p3-"  # the name pylti1p3 gave the cookie, kept so launches in flight at an upgrade finish
FORWARDED_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")


def state_cookie_name(state: str) -> str:
    """The cookie that binds a login's state to the browser it was issued to."""
    return STATE_COOKIE_PREFIX + state


@dataclass(frozen=True)
class CookieCheck:
    """First make sure the browser keeps cookies here: post the login again with ``params``."""

    params: dict[str, str]


@dataclass(frozen=True)
class AuthRedirect:
    """Go to the platform's authorisation URL, setting the state cookie (and, when the platform offers its
    storage, keeping state and nonce there first)."""

    url: str
    state: str
    nonce: str
    cookie_seconds: int
    storage_target: str | None

    @property
    def cookie_name(self) -> str:
        return state_cookie_name(self.state)


def start_login(session: Session, params: Mapping[str, str], *, launch_url: str,
                settings: LaunchSettings) -> CookieCheck | AuthRedirect:
    """Answer a third-party initiated login: check cookies where needed, else issue state and nonce."""
    iss, login_hint = params.get("iss"), params.get("login_hint")
    if not iss or not login_hint:
        raise LaunchError("login_incomplete", "The platform's login request is missing `iss` or `login_hint`.")
    platform = find_platform(session, iss, params.get("client_id") or None)
    if platform is None:
        raise LaunchError(
            "platform_unknown",
            "This tool has not been registered for the platform that sent you here.",
            advice="An administrator of the tool must register this platform (issuer and client ID) first.",
        )
    storage_target = params.get("lti_storage_target") or None
    if storage_target is None and settings.secure and not params.get(CHECKED_PARAM):
        forwarded = {name: params[name] for name in FORWARDED_PARAMS if params.get(name)}
        return CookieCheck({**forwarded, CHECKED_PARAM: "1"})
    state = "state-" + uuid.uuid4().hex
    nonce = secrets.token_urlsafe(32)
    storage.issue_state(session, state=state, nonce=nonce, platform_id=platform.id, lifetime=settings.state_seconds,
                        target_link_uri=params.get("target_link_uri"), storage_target=storage_target)
    auth_params = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": platform.client_id, "redirect_uri": launch_url, "state": state, "nonce": nonce,
        "login_hint": login_hint,
    }
    if params.get("lti_message_hint"):
        auth_params["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return AuthRedirect(url=platform.auth_login_url + separator + urlencode(auth_params), state=state, nonce=nonce,
                        cookie_seconds=settings.state_seconds, storage_target=storage_target)
