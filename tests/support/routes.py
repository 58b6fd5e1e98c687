"""Every route of the app and how to reach it as someone: the route table the security tests walk.

Routes are read from ``app.url_map``, so routes added later are covered without editing tests. A route is public
only if listed in ``PUBLIC`` (or under ``/lti/``, the protocol endpoints); a route that only needs some launch is
listed in ``ANY_LAUNCH`` with the reason (``tests/security/test_role_safety.py`` holds the rest).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from lti_tool import create_app
from tests.support import tutor_factories as f

PUBLIC = {
    "static": "stylesheets and scripts",
    "health.healthz": "the load balancer's health check",
    "site.favicon": "the tool's logo, which browsers ask for on every page",
    "learner.no_course": "a fixed message asking the person to open the tool from a course; shows no data",
    "certificates.verify": "anyone holding a certificate code may check it (shows name, module, version, date)",
    "session.sign_out": "ends this browser's own session; shows no data",
    "dev.launch_page": "development only: a redirect to the platform emulator (never registered otherwise)",
}
PUBLIC_PREFIX = "/lti/"  # OIDC login, launch, JWKS, dynamic registration, resume: protocol endpoints
ANY_LAUNCH = {
    "content_assets.module_asset": "a module's images and PDFs are shown to anyone with a live launch; no course data",
    "deep_linking.choose": "placeholder picker: checks only that some launch exists",
}
NOT_PUBLIC_UNDER_LTI = {"deep_linking.choose"}  # under /lti/ but a page for people, not a protocol endpoint
DENIED = {401, 403, 404}


def rule_methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) & {"GET", "POST", "PUT", "PATCH", "DELETE"})


def routes() -> list[Rule]:
    """The app's routes, read once at collection so each gets its own test id."""
    app = create_app({"ENV": "testing", "SECRET_KEY": "collect", "DATABASE_URL": "sqlite://"})
    found = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    app.extensions["db_engine"].dispose()
    return found


ALL_ROUTES = routes()


def is_public(rule: Rule) -> bool:
    if rule.endpoint in NOT_PUBLIC_UNDER_LTI:
        return False
    return rule.endpoint in PUBLIC or rule.rule.startswith(PUBLIC_PREFIX)


GUARDED = [rule for rule in ALL_ROUTES if not is_public(rule)]


def url_values(world: Any) -> dict[str, object]:
    """A real seeded row for every URL parameter name the app uses; a new name must be added here."""
    return {
        "course_id": world.course.id, "module_slug": "img-supervision", "user_id": world.amara.id,
        "quiz_slug": "img-supervision-check", "grade_sync_id": world.amara_sync.id,
        "platform_id": world.deployment.platform_id, "deployment_id": world.deployment.deployment_id,
        "launch_id": world.tutor_launch.id, "filename": "images/missing.png", "code": world.certificate.code,
        "quiz_id": "img-supervision-check", "export_format": "gift", "page_slug": "why-it-matters", "number": 1,
        "slug": "img-supervision", "path": "01-why-it-matters.md",
    }


def build_url(rule: Rule, world: Any) -> str:
    values = url_values(world)
    missing = sorted(set(rule.arguments) - set(values))
    if missing:
        pytest.fail(f"{rule.rule}: add a seeded value for URL parameter(s) {missing} to url_values()")
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<{name}>", str(values[name]))
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{name}>", str(values[name]))
    return path


def client_as(app: Flask, *launches: Any) -> FlaskClient:
    """A fresh browser holding these launches (none: a browser that never launched)."""
    client = app.test_client()
    if launches:
        f.sign_in(client, *launches)
    return client
