"""Every route of the app, requested by people who must not get it: nobody, a learner, a tutor of another course.

Routes are read from ``app.url_map``, so routes added later are covered without editing this file. A route is
public only if listed in ``PUBLIC`` (or under ``/lti/``, the protocol endpoints); a guarded route names its role
through ``require_course_role`` / ``require_admin`` (``ROLE_ATTRIBUTE``); a route that only needs some launch is
listed in ``ANY_LAUNCH`` with the reason. Any other route fails ``test_every_route_is_public_guarded_or_listed``
until it is decorated or listed here.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.routing import Rule

from lti_tool import create_app
from lti_tool.web.auth import ROLE_ATTRIBUTE
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


def required_role(app, rule: Rule) -> str | None:
    return getattr(app.view_functions[rule.endpoint], ROLE_ATTRIBUTE, None)


GUARDED = [rule for rule in ALL_ROUTES if not is_public(rule)]
GUARDED_CASES = [pytest.param(rule, id=rule.endpoint) for rule in GUARDED]


def url_values(world) -> dict[str, object]:
    """A real seeded row for every URL parameter name the app uses; a new name must be added here."""
    return {
        "course_id": world.course.id, "module_slug": "img-supervision", "user_id": world.amara.id,
        "quiz_slug": "img-supervision-check", "grade_sync_id": world.amara_sync.id,
        "platform_id": world.deployment.platform_id, "deployment_id": world.deployment.deployment_id,
        "launch_id": world.tutor_launch.id, "filename": "images/missing.png", "code": world.certificate.code,
        "quiz_id": "img-supervision-check", "export_format": "gift", "page_slug": "why-it-matters", "number": 1,
        "slug": "img-supervision", "path": "01-why-it-matters.md",
    }


def build_url(rule: Rule, world) -> str:
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


def client_as(app, *launches):
    """A fresh browser holding these launches (none: a browser that never launched)."""
    client = app.test_client()
    if launches:
        f.sign_in(client, *launches)
    return client


def valid_csrf_token(app, client) -> str:
    """What Flask-WTF's ``generate_csrf`` does, written into this client's session."""
    raw = hashlib.sha1(os.urandom(64)).hexdigest()
    with client.session_transaction() as flask_session:
        flask_session["csrf_token"] = raw
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def request(app, client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": valid_csrf_token(app, client)})


def test_every_route_is_public_guarded_or_listed(app):
    unclassified = [f"{rule.rule} ({rule.endpoint})" for rule in GUARDED
                    if required_role(app, rule) is None and rule.endpoint not in ANY_LAUNCH]
    assert unclassified == [], ("decorate these with require_course_role/require_admin, or list them in "
                                "ANY_LAUNCH or PUBLIC with the reason")


def test_the_enumeration_sees_the_routes_it_must_protect():
    endpoints = {rule.endpoint for rule in GUARDED}
    assert {"tutor.course_view", "tutor.resend_grade", "admin.add_platform", "admin_interchange.save",
            "admin_interchange.export", "certificates.download", "learner.module_home"} <= endpoints


def test_development_routes_are_absent_outside_development():
    assert not [rule.rule for rule in ALL_ROUTES if rule.rule.startswith("/dev")]


@pytest.mark.parametrize("rule", GUARDED_CASES)
def test_route_refuses_people_without_the_role(app, world, rule):
    url = build_url(rule, world)
    role = required_role(app, rule)
    for method in rule_methods(rule):
        outcomes = {"no launch": request(app, client_as(app), method, url).status_code}
        expected = {"no launch": {401}}
        outcomes["tutor of another course"] = request(app, client_as(app, world.other_tutor_launch), method,
                                                      url).status_code
        expected["tutor of another course"] = DENIED
        if role in ("tutor", "admin"):
            outcomes["learner"] = request(app, client_as(app, world.learner_launch), method, url).status_code
            expected["learner"] = {403, 404}
        if role == "admin":
            outcomes["tutor of this course"] = request(app, client_as(app, world.tutor_launch), method,
                                                       url).status_code
            expected["tutor of this course"] = {403}
        for who, status in outcomes.items():
            assert status not in (200, 500), f"{method} {url} as {who}: {status}"
            if who in expected:
                assert status in expected[who], f"{method} {url} as {who}: {status}, expected {expected[who]}"


POST_ROUTES = [rule for rule in ALL_ROUTES if "POST" in rule_methods(rule) and not rule.rule.startswith("/lti/")]


@pytest.mark.parametrize("rule", POST_ROUTES, ids=lambda rule: f"{rule.endpoint}")
def test_post_without_csrf_token_is_refused_with_400(app, world, rule):
    url = build_url(rule, world)
    for launches in ((), (world.admin_launch, world.tutor_launch), (world.learner_launch,)):
        response = client_as(app, *launches).post(url, data={"anything": "1"})
        assert response.status_code == 400, f"POST {url}: {response.status_code}"
        assert "csrf_failed" in response.get_data(as_text=True)


def test_there_are_post_routes_to_check():
    assert {"admin_interchange.upload", "admin_interchange.save", "tutor.resend_grade"} <= {
        rule.endpoint for rule in POST_ROUTES}


def test_a_valid_csrf_token_is_accepted_so_refusals_above_are_about_roles(app, world):
    client = client_as(app, world.admin_launch)
    response = request(app, client, "POST", "/admin/quizzes/import")
    assert response.status_code == 302
