"""Every route of the app, requested by people who must not get it: nobody, a learner, a tutor of another course.

Routes are read from ``app.url_map``, so routes added later are covered without editing this file. A route is
public only if listed in ``PUBLIC`` (or under ``/lti/``, the protocol endpoints); a guarded route names its role
through ``require_course_role`` / ``require_admin`` (``ROLE_ATTRIBUTE``); a route that only needs some launch is
listed in ``ANY_LAUNCH`` with the reason. Any other route fails ``test_every_route_is_public_guarded_or_listed``
until it is decorated or listed in ``tests/support/routes.py``.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.routing import Rule

from lti_tool.web.auth import ROLE_ATTRIBUTE
from tests.support.routes import (
    ALL_ROUTES,
    ANY_LAUNCH,
    DENIED,
    GUARDED,
    build_url,
    client_as,
    rule_methods,
)


def required_role(app, rule: Rule) -> str | None:
    return getattr(app.view_functions[rule.endpoint], ROLE_ATTRIBUTE, None)


GUARDED_CASES = [pytest.param(rule, id=rule.endpoint) for rule in GUARDED]


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
