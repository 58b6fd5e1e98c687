"""LTI Dynamic Registration (https://www.imsglobal.org/spec/lti-dr/v1p0): a platform admin pastes one URL and
the platform and tool exchange their configuration.

Anyone can start a registration, so the platform it creates has its deployment switched off until an admin
of this tool activates it; until then its launches are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException
from sqlalchemy.orm import Session

from ..models import Deployment, Platform
from ..vocabulary import SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_NRPS, SCOPE_RESULT_READONLY, SCOPE_SCORE
from .config import find_platform
from .errors import LaunchError

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


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
                 timeout: float) -> None:
        self.session = session
        self.urls = urls
        self.openid_configuration_url = openid_configuration
        self.registration_token = registration_token
        self.timeout = timeout
        self.platform: Platform | None = None

    def get_request_session(self) -> requests.Session:
        http = requests.Session()
        http.request = _with_timeout(http.request, self.timeout)  # type: ignore[method-assign]
        return http

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

    def get_registration_token(self) -> str:
        return self.registration_token  # type: ignore[return-value]

    def complete_registration(self, openid_configuration: dict[str, Any],
                              openid_registration: dict[str, Any]) -> Platform:
        issuer = openid_configuration.get("issuer")
        client_id = openid_registration.get("client_id")
        needed = {"issuer": issuer, "client_id": client_id,
                  "authorization_endpoint": openid_configuration.get("authorization_endpoint"),
                  "token_endpoint": openid_configuration.get("token_endpoint"),
                  "jwks_uri": openid_configuration.get("jwks_uri")}
        missing = [k for k, v in needed.items() if not v]
        if missing:
            raise LaunchError("registration_incomplete", f"The platform's configuration lacks {', '.join(missing)}.")
        platform = find_platform(self.session, issuer, client_id)
        if platform is None:
            platform = Platform(issuer=issuer, client_id=client_id, auth_login_url=needed["authorization_endpoint"],
                                auth_token_url=needed["token_endpoint"], keyset_url=needed["jwks_uri"],
                                name=openid_configuration.get(
                                    "https://purl.imsglobal.org/spec/lti-platform-configuration", {}
                                ).get("product_family_code", issuer),
                                auth_audience=openid_configuration.get("authorization_server"))
            self.session.add(platform)
            self.session.flush()
        deployment_id = (openid_registration.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
        if deployment_id:
            self.session.add(Deployment(platform_id=platform.id, deployment_id=str(deployment_id), is_active=False))
        self.session.commit()
        self.platform = platform
        return platform


def _with_timeout(request, timeout: float):  # noqa: ANN001, ANN202
    def call(method, url, **kwargs):  # noqa: ANN001, ANN202
        kwargs.setdefault("timeout", timeout)
        return request(method, url, **kwargs)

    return call


def register(session: Session, urls: ToolUrls, openid_configuration: str, registration_token: str | None,
             timeout: float) -> Platform:
    """Run the registration and record the platform, its deployment switched off."""
    if not openid_configuration.startswith(("https://", "http://")):
        raise LaunchError("registration_invalid", "The registration link has no valid `openid_configuration`.")
    flow = ToolDynamicRegistration(session, urls, openid_configuration, registration_token, timeout)
    try:
        return flow.register()
    except (LtiException, AssertionError, requests.RequestException, ValueError) as exc:
        session.rollback()
        raise LaunchError("registration_failed", f"The platform did not accept the registration: {exc}",
                          status=502) from exc
