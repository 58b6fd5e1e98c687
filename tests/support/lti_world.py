"""End-to-end LTI harness: the tool and the platform emulator, each on a real loopback HTTP server.

`LtiWorld.launch(...)` walks a browser (a requests.Session with its cookie jar) through the real flow:
platform login initiation → tool /lti/login → platform /auth → auto-posted id_token → tool /lti/launch.
`LtiWorld.begin_login(...)` stops after the tool's login so tests can forge the id_token themselves.
Fixture: ``lti_world``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask

from lti_platform_emulator import (
    PlatformSettings,
    PlatformState,
    RunningServer,
    create_platform_app,
    platform_state,
    serve_in_thread,
    sign_id_token,
)

CLIENT_ID = "btg-test-client"
DEPLOYMENT_ID = "btg-test-deployment"


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action")
        if tag == "input" and a.get("name"):
            self.fields[str(a["name"])] = a.get("value") or ""


def form_link(html: str) -> str:
    """The "open in a new window" resume link a page offers when the iframe dropped the session cookie."""
    return re.search(r'href="(/lti/resume\?[^"]+window=new[^"]*)"', html).group(1).replace("&amp;", "&")


def form_of(html: str) -> tuple[str | None, dict[str, str]]:
    parser = _Form()
    parser.feed(html)
    return parser.action, parser.fields


@dataclass
class PendingLogin:
    """A login the tool answered: the state and nonce it issued, and the scenario the platform holds."""

    browser: requests.Session
    state: str
    nonce: str
    hint: str
    redirect_uri: str


@dataclass
class LtiWorld:
    app: Flask
    tool: RunningServer
    platform: RunningServer
    platform_state: PlatformState
    settings: PlatformSettings
    platform_id: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tool_url(self) -> str:
        return self.tool.url

    def new_browser(self) -> requests.Session:
        return requests.Session()

    def launch(self, browser: requests.Session | None = None, **scenario: Any) -> requests.Response:
        """A full launch; returns the final response after the tool's redirects."""
        browser = browser or self.new_browser()
        login_url = self.platform_state.prepare_launch(**scenario)
        auth_page = browser.get(login_url, timeout=10)
        assert auth_page.status_code == 200, auth_page.text[:500]
        action, fields = form_of(auth_page.text)
        assert action and "id_token" in fields, auth_page.text[:500]
        response = browser.post(action, data=fields, timeout=10)
        response.id_token = fields["id_token"]  # type: ignore[attr-defined]
        response.launch_fields = fields  # type: ignore[attr-defined]
        return response

    def begin_login(self, browser: requests.Session | None = None, **scenario: Any) -> PendingLogin:
        browser = browser or self.new_browser()
        login_url = self.platform_state.prepare_launch(**scenario)
        response = browser.get(login_url, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return PendingLogin(browser=browser, state=query["state"][0], nonce=query["nonce"][0],
                            hint=query["lti_message_hint"][0], redirect_uri=query["redirect_uri"][0])

    def valid_claims(self, pending: PendingLogin) -> dict[str, Any]:
        return self.platform_state.build_claims(self.platform_state.scenario(pending.hint), pending.nonce)

    def sign(self, claims: dict[str, Any], **kwargs: Any) -> str:
        kwargs.setdefault("key", self.platform_state.signing_key)
        return sign_id_token(claims, **kwargs)

    def post_launch(self, pending: PendingLogin, id_token: str, state: str | None = None,
                    **kwargs: Any) -> requests.Response:
        data = {"id_token": id_token, "state": pending.state if state is None else state}
        return pending.browser.post(pending.redirect_uri, data=data, timeout=10, **kwargs)


def start_world(app: Flask) -> LtiWorld:
    """Serve the tool and the emulator, and register the emulator as an active platform of the tool."""
    from lti_tool.db import session_factory
    from lti_tool.lti import registration

    tool = serve_in_thread(app)
    settings = PlatformSettings(
        client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID, tool_login_url=f"{tool.url}/lti/login",
        tool_launch_url=f"{tool.url}/lti/launch", tool_jwks_url=f"{tool.url}/lti/jwks.json",
    )
    platform_app = create_platform_app(settings)
    platform = serve_in_thread(platform_app)
    settings.issuer = platform.url
    with session_factory(app)() as session:
        row = registration.add_platform(
            session, issuer=platform.url, client_id=CLIENT_ID, auth_login_url=f"{platform.url}/auth",
            auth_token_url=f"{platform.url}/token", keyset_url=f"{platform.url}/jwks.json", name="Emulated Learn",
            deployment_ids=(DEPLOYMENT_ID,),
        )
        session.commit()
        platform_id = row.id
    return LtiWorld(app=app, tool=tool, platform=platform, platform_state=platform_state(platform_app),
                    settings=settings, platform_id=platform_id)


@pytest.fixture
def lti_world(app: Flask, published) -> Iterator[LtiWorld]:
    """The tool with its content published and the platform emulator, both on loopback HTTP, the emulator
    registered with the tool."""
    world = start_world(app)
    yield world
    world.platform.stop()
    world.tool.stop()
