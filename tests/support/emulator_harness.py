"""The emulator and a stand-in tool, each on a real loopback HTTP server: helpers for the emulator's own tests
(fixtures in tests/devplatform/conftest.py)."""

import time
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests

from lti_platform_emulator import (
    PlatformSettings,
    PlatformState,
    RunningServer,
    SigningKey,
)

CLIENT_ID = "test-client-id"
DEPLOYMENT_ID = "test-deployment-id"


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.action = attributes.get("action")
        if tag == "input" and attributes.get("name"):
            self.fields[str(attributes["name"])] = attributes.get("value") or ""


def form_of(html: str) -> tuple[str | None, dict[str, str]]:
    """The action and hidden fields of the first auto-submitting form in a page."""
    parser = _FormFields()
    parser.feed(html)
    return parser.action, parser.fields


@dataclass
class FakeTool:
    """Just enough of a tool: its keys, served as a JWKS, and its registered URLs."""

    server: RunningServer
    keys: list[SigningKey]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def key(self) -> SigningKey:
        return self.keys[0]

    def sign(self, claims: dict[str, Any], key: SigningKey | None = None) -> str:
        signer = key or self.key
        return jwt.encode(
            claims, signer.private_key, algorithm="RS256", headers={"kid": signer.kid}
        )


@dataclass
class Emulator:
    """The running emulator and the moves a tool makes against it."""

    server: RunningServer
    state: PlatformState
    settings: PlatformSettings
    tool: FakeTool

    @property
    def url(self) -> str:
        return self.server.url

    def auth_params(self, login_url: str, **overrides: str) -> dict[str, str]:
        """The OIDC auth request a correct tool makes after this login initiation."""
        login = {
            name: values[0]
            for name, values in parse_qs(urlsplit(login_url).query).items()
        }
        params = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": login["client_id"],
            "redirect_uri": self.settings.tool_launch_url,
            "login_hint": login["login_hint"],
            "lti_message_hint": login["lti_message_hint"],
            "nonce": "nonce-" + uuid.uuid4().hex,
            "state": "state-" + uuid.uuid4().hex,
        }
        params.update(overrides)
        return params

    def launch(self, **scenario: Any) -> dict[str, Any]:
        """Run a whole launch and return the id_token's claims, verified against /jwks.json."""
        login_url = self.state.prepare_launch(**scenario)
        response = requests.get(
            f"{self.url}/auth", params=self.auth_params(login_url), timeout=5
        )
        assert response.status_code == 200, response.text
        _, fields = form_of(response.text)
        return self.verify_id_token(fields["id_token"])

    def verify_id_token(self, id_token: str) -> dict[str, Any]:
        signing_key = jwt.PyJWKClient(f"{self.url}/jwks.json").get_signing_key_from_jwt(
            id_token
        )
        return jwt.decode(
            id_token, signing_key.key, algorithms=["RS256"], audience=CLIENT_ID
        )

    def client_assertion(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": CLIENT_ID,
            "sub": CLIENT_ID,
            "aud": f"{self.url}/token",
            "iat": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return self.tool.sign(claims)

    def request_token(
        self, scopes: list[str], assertion: str | None = None
    ) -> requests.Response:
        return requests.post(
            f"{self.url}/token",
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion or self.client_assertion(),
                "scope": " ".join(scopes),
            },
            timeout=5,
        )

    def bearer(self, scopes: list[str]) -> dict[str, str]:
        response = self.request_token(scopes)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}
