"""The emulator on loopback HTTP with a stand-in tool that serves a JWKS (helpers: tests/support/emulator_harness.py).

These ``tool`` and ``emulator`` fixtures serve only the emulator's own tests; elsewhere ``emulator`` is the one in
tests/support/platform_emulator.py, registered with the real tool."""

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, jsonify

from lti_platform_emulator import PlatformSettings, SigningKey, create_platform_app, platform_state, serve_in_thread
from tests.support.emulator_harness import CLIENT_ID, DEPLOYMENT_ID, Emulator, FakeTool


@pytest.fixture
def tool() -> Iterator[FakeTool]:
    keys = [SigningKey.generate()]
    app = Flask("fake_tool")

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(keys=[key.public_jwk() for key in keys])

    server = serve_in_thread(app)
    yield FakeTool(server=server, keys=keys)
    server.stop()


@pytest.fixture
def emulator(tool: FakeTool) -> Iterator[Emulator]:
    settings = PlatformSettings(
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        tool_login_url=f"{tool.url}/lti/login",
        tool_launch_url=f"{tool.url}/lti/launch",
        tool_jwks_url=f"{tool.url}/jwks",
    )
    app = create_platform_app(settings)
    server = serve_in_thread(app)
    settings.issuer = server.url
    yield Emulator(
        server=server, state=platform_state(app), settings=settings, tool=tool
    )
    server.stop()
