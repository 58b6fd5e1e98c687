"""Development only: the platform emulator mounted at /dev/platform, so a new user can launch the tool
through the real OIDC login and the real validation code without an LMS. Never mounted in production."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lti_platform_emulator import PlatformSettings, create_platform_app

DEV_PREFIX = "/dev/platform"
DEV_CLIENT_ID = "dev-client"
DEV_DEPLOYMENT_ID = "dev-deployment"

bp = Blueprint("dev", __name__)


@bp.get("/dev/")
def launch_page():
    return redirect(DEV_PREFIX + "/")


def dev_base_url(app: Flask) -> str:
    return (app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


def dev_platform_settings(app: Flask) -> PlatformSettings:
    base = dev_base_url(app)
    return PlatformSettings(
        client_id=DEV_CLIENT_ID, deployment_id=DEV_DEPLOYMENT_ID, issuer=base + DEV_PREFIX,
        base_url=base + DEV_PREFIX, tool_login_url=f"{base}/lti/login", tool_launch_url=f"{base}/lti/launch",
        tool_jwks_url=f"{base}/lti/jwks.json",
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    platform = create_platform_app(dev_platform_settings(app))
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {DEV_PREFIX: platform})  # type: ignore[method-assign]
