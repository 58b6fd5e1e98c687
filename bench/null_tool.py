"""The launch ceiling: an LTI tool that does nothing but the two hops of a launch.

``/login`` redirects to the platform's authorization endpoint with a fresh state and nonce; ``/launch`` answers
the platform's form post with a small page. No validation, no storage, no session: whatever an LTI tool must do
on top of this is the cost the benchmark measures. Configured by ``NULL_TOOL_AUTH_URL``, ``NULL_TOOL_CLIENT_ID``
and ``NULL_TOOL_LAUNCH_URL`` (served by the same gunicorn setup as the tool).
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlencode

from flask import Flask, redirect, render_template_string, request

PAGE = "<!doctype html><title>{{ title }}</title><h1>{{ title }}</h1><p>Launched.</p>"


def create_app() -> Flask:
    app = Flask(__name__)
    auth_url = os.environ.get("NULL_TOOL_AUTH_URL", "")
    client_id = os.environ.get("NULL_TOOL_CLIENT_ID", "")
    launch_url = os.environ.get("NULL_TOOL_LAUNCH_URL", "")

    @app.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    @app.route("/login", methods=["GET", "POST"])
    def login():
        params = request.values
        query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
                 "client_id": client_id, "redirect_uri": launch_url, "state": secrets.token_urlsafe(16),
                 "nonce": secrets.token_urlsafe(16), "login_hint": params.get("login_hint", ""),
                 "lti_message_hint": params.get("lti_message_hint", "")}
        return redirect(f"{auth_url}?{urlencode(query)}", code=302)

    @app.post("/launch")
    def launch() -> str:
        return render_template_string(PAGE, title="Null tool")

    return app
