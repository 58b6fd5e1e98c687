"""LTI Dynamic Registration (https://www.imsglobal.org/spec/lti-dr/v1p0): a platform admin pastes one URL and
the platform and tool exchange their configuration.

Only an administrator of every platform can start one: the admin page issues a one-time URL (a secret token,
kept only as its SHA-256, valid for an hour, used once). Without a valid token the tool answers 403 and fetches
nothing. Every URL of the platform's configuration passes :func:`urls.check_url`; fetches go through
:class:`urls.GuardedHttp`. A registration only ever creates a new platform, its deployment switched off until
an admin activates it: it never attaches to or alters one already registered.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import requests
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, ToolError
from ..models import Deployment, Platform, RegistrationInvite, utcnow
from ..vocabulary import SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_NRPS, SCOPE_RESULT_READONLY, SCOPE_SCORE
from .errors import LaunchError
from .registration import checked_urls
from .urls import GuardedHttp, UnsafeUrl, check_url

log = logging.getLogger(__name__)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
INVITE_SECONDS = 3600


@dataclass(frozen=True)
class ToolUrls:
    login: str
    launch: str
    jwks: str
    logo: str
    domain: str


class ToolDynamicRegistration(DynamicRegistration):
    client_name = "Bridging the Gaps"
    description = "Modules on supervising and supporting international medical graduates, with grade-book sync."

    def __init__(self, session: Session, urls: ToolUrls, openid_configuration: str, registration_token: str | None,
                 timeout: float, production: bool) -> None:
        self.session = session
        self.urls = urls
        self.openid_configuration_url = openid_configuration
        self.registration_token = registration_token
        self.timeout = timeout
        self.production = production
        self.platform: Platform | None = None

    def get_request_session(self) -> requests.Session:
        return GuardedHttp(production=self.production, timeout=self.timeout)

    def get_openid_configuration(self) -> dict[str, Any]:
        """The platform's configuration, refused unless every URL in it passes the checks (before the tool
        sends anything to its registration endpoint)."""
        configuration = super().get_openid_configuration()
        if not isinstance(configuration, dict):
            raise LaunchError("registration_invalid", "The platform's configuration is not a JSON object.")
        for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
            if not isinstance(configuration.get(name), str) or not configuration.get(name):
                raise LaunchError("registration_incomplete", f"The platform's configuration lacks {name}.")
        audience = configuration.get("authorization_server")
        try:
            checked = checked_urls(
                production=self.production, issuer=configuration["issuer"],
                auth_login_url=configuration["authorization_endpoint"],
                auth_token_url=configuration["token_endpoint"], keyset_url=configuration["jwks_uri"],
                auth_audience=audience if isinstance(audience, str) and audience else None)
            self.registration_endpoint = _checked(configuration["registration_endpoint"], self.production)
        except ToolError as exc:
            raise LaunchError("registration_invalid",
                              f"The platform's configuration was refused: {exc.message}") from exc
        self.checked = checked
        return {**configuration, "registration_endpoint": self.registration_endpoint}

    def get_initiate_login_uri(self) -> str:
        return self.urls.login

    def get_jwks_uri(self) -> str:
        return self.urls.jwks

    def get_redirect_uris(self) -> list[str]:
        return [self.urls.launch]

    def get_target_link_uri(self) -> str:
        return self.urls.launch

    def get_domain(self) -> str:
        return self.urls.domain

    def get_logo_uri(self) -> str:
        return self.urls.logo

    def get_scopes(self) -> list[str]:
        return [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE, SCOPE_NRPS]

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "name", "given_name", "family_name", "email"]

    def get_messages(self) -> list[dict[str, str]]:
        return [{"type": "LtiDeepLinkingRequest", "target_link_uri": self.urls.launch, "label": "Bridging the Gaps"}]

    def get_openid_configuration_endpoint(self) -> str:
        return self.openid_configuration_url

    def get_registration_token(self) -> str | None:  # type: ignore[override]  # pylti1p3 says str, handles None
        """None when the platform sent none: pylti1p3 then registers without an Authorization header."""
        return self.registration_token

    def complete_registration(self, openid_configuration: dict[str, Any],
                              openid_registration: dict[str, Any]) -> Platform:
        issuer = str(self.checked["issuer"])
        client_id = openid_registration.get("client_id") if isinstance(openid_registration, dict) else None
        if not isinstance(client_id, str) or not client_id or len(client_id) > 255 or not client_id.isprintable():
            raise LaunchError("registration_incomplete", "The platform's answer has no usable client_id.")
        already = self.session.scalars(select(Platform).where(Platform.issuer == issuer)).first()
        if already is not None:
            raise Conflict(f"A platform with issuer {issuer} is already registered here, so this registration "
                           "was not recorded. An administrator of the tool can add its deployment on the "
                           "platforms page.", code="registration_repeated", title="Already registered")
        tool = openid_registration.get(TOOL_CONFIGURATION)
        deployment_id = tool.get("deployment_id") if isinstance(tool, dict) else None
        product = openid_configuration.get(PLATFORM_CONFIGURATION)
        name = product.get("product_family_code") if isinstance(product, dict) else None
        platform = Platform(issuer=issuer, client_id=client_id, auth_login_url=self.checked["auth_login_url"],
                            auth_token_url=self.checked["auth_token_url"], keyset_url=self.checked["keyset_url"],
                            name=str(name or issuer)[:200], auth_audience=self.checked["auth_audience"])
        self.session.add(platform)
        self.session.flush()
        if isinstance(deployment_id, str | int) and str(deployment_id).strip():
            self.session.add(Deployment(platform_id=platform.id, deployment_id=str(deployment_id)[:255],
                                        is_active=False))
        self.platform = platform
        return platform


def _checked(url: str, production: bool) -> str:
    try:
        return checked_urls(production=production, keyset_url=url)["keyset_url"] or ""
    except ToolError as exc:
        raise ToolError(exc.message.replace("keyset URL", "registration endpoint")) from exc


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_invite(session: Session, created_by: str, seconds: int = INVITE_SECONDS) -> str:
    """A new one-time registration token; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    session.add(RegistrationInvite(token_sha256=_digest(token), created_by=created_by,
                                   expires_at=utcnow() + timedelta(seconds=seconds)))
    session.flush()
    return token


def _claim_invite(session: Session, token: str) -> int:
    """Take the invite for this registration (one request wins), or refuse with 403 before anything is fetched."""
    refused = LaunchError("registration_not_invited",
                          "This registration link is not valid: it was never issued, has expired or was used.",
                          status=403, advice="Ask an administrator of the tool for a new registration link "
                                             "(Admin → Platforms); each link works once, within an hour.")
    if not token or len(token) > 200:
        raise refused
    invite_id = session.scalars(select(RegistrationInvite.id).where(
        RegistrationInvite.token_sha256 == _digest(token), RegistrationInvite.used_at.is_(None),
        RegistrationInvite.expires_at > utcnow())).first()
    if invite_id is None:
        raise refused
    claimed = cast(CursorResult[Any], session.execute(update(RegistrationInvite).where(
        RegistrationInvite.id == invite_id, RegistrationInvite.used_at.is_(None)).values(used_at=utcnow())))
    session.commit()  # the claim: a second registration with this invite is refused while this one runs
    if claimed.rowcount != 1:
        raise refused
    return invite_id


def register(session: Session, urls: ToolUrls, invite: str, openid_configuration: str,
             registration_token: str | None, *, timeout: float, production: bool) -> Platform:
    """Run the registration and record a new platform, its deployment switched off; the invite is used up
    only by a registration that succeeds."""
    invite_id = _claim_invite(session, invite)
    try:
        try:
            check_url(openid_configuration, production=production, what="registration link's openid_configuration")
        except UnsafeUrl as exc:
            raise LaunchError("registration_invalid", str(exc)) from exc
        flow = ToolDynamicRegistration(session, urls, openid_configuration, registration_token, timeout, production)
        try:
            # pylti1p3 types register() as the platform's configuration; it returns complete_registration's result
            platform = cast(Platform, flow.register())
        except UnsafeUrl as exc:
            raise LaunchError("registration_invalid", f"The platform's configuration was refused: {exc}") from exc
        except (LtiException, AssertionError, requests.RequestException, ValueError) as exc:
            log.warning("dynamic registration failed: %s", type(exc).__name__)
            raise LaunchError("registration_failed", "The platform's configuration could not be fetched, or the "
                              "platform did not accept the registration.", status=502) from exc
        session.execute(update(RegistrationInvite).where(RegistrationInvite.id == invite_id)
                        .values(platform_id=platform.id))
        session.commit()  # the platform already holds the registration: keep ours before answering it
        return platform
    except Exception:
        session.rollback()
        session.execute(update(RegistrationInvite).where(RegistrationInvite.id == invite_id).values(used_at=None))
        session.commit()  # give the claimed invite back: the request's own failure rolls back everything else
        raise
