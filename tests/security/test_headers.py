"""Headers of every page: no-store on pages for signed-in people, form-action limited to the tool and the
platforms (plus the deep-linking return), https-only frame ancestors in production."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool import create_app
from lti_tool.db import session_factory
from lti_tool.lti import registration
from lti_tool.models import Platform
from tests.support.routes import GUARDED, build_url, client_as


def _csp(response) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in response.headers["Content-Security-Policy"].split(";")]
    return {p[0]: p[1:] for p in parts if p}


def test_every_page_for_a_signed_in_person_is_not_stored(app, world):
    client = client_as(app, world.admin_launch, world.tutor_launch, world.learner_launch)
    checked = []
    for rule in GUARDED:
        if "GET" not in (rule.methods or ()):
            continue
        response = client.get(build_url(rule, world))
        if response.status_code == 200 and rule.endpoint != "content_assets.module_asset":
            assert "no-store" in response.headers.get("Cache-Control", ""), rule.endpoint
            checked.append(rule.endpoint)
    assert {"tutor.learner_detail", "learner.quiz_result", "learner.course_home"} & set(checked)
    assert len(checked) > 10


def test_forms_go_only_to_the_tool_and_the_platforms(lti_world):
    browser = lti_world.new_browser()
    lti_world.launch(browser, user_id="learner-1", role="learner", extra_claims={
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
            "return_url": "https://learn.school.example/webapps/x"}})
    form_action = _csp(browser.get(f"{lti_world.tool_url}/no-course", timeout=5))["form-action"]
    assert form_action[0] == "'self'"
    assert lti_world.platform.url in form_action, "the OIDC redirect after the cookie check"
    assert "https://learn.school.example" in form_action
    assert "*" not in form_action


def test_the_deep_linking_return_page_may_post_to_the_platforms_return_url(lti_world, db):
    browser = lti_world.new_browser()
    chooser = lti_world.launch(browser, user_id="instructor-1", role="instructor", message_type="deep_linking")
    assert chooser.status_code == 200
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', chooser.text).group(1)
    answer = browser.post(chooser.url, data={"csrf_token": token, "module": "img-supervision"}, timeout=10)
    assert answer.status_code == 200
    action = re.search(r'<form[^>]+action="([^"]+)"', answer.text).group(1)
    origin = "/".join(action.split("/")[:3])
    assert origin in _csp(answer)["form-action"]


def test_production_frame_ancestors_and_form_targets_are_https_only(test_config):
    app = create_app({**test_config, "ENV": "production"})
    with session_factory(app)() as session:
        registration.add_platform(session, issuer="https://learn.example", client_id="c",
                                  auth_login_url="https://learn.example/auth", auth_token_url="https://learn.example/t",
                                  keyset_url="https://learn.example/k", production=True)
        platform = session.scalars(select(Platform)).one()
        platform.frame_origins = ["http://plain.example", "https://site.example"]
        session.commit()
    csp = _csp(app.test_client().get("/lti/jwks.json", base_url="https://tool.example"))
    for directive in ("frame-ancestors", "form-action"):
        assert "http://plain.example" not in csp[directive]
        assert {"https://learn.example", "https://site.example"} <= set(csp[directive])
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("env", ["development", "testing"])
def test_outside_production_plain_http_platforms_may_frame_the_tool(test_config, env):
    app = create_app({**test_config, "ENV": env, "BASE_URL": "http://127.0.0.1:5000"})
    with session_factory(app)() as session:
        registration.add_platform(session, issuer="http://127.0.0.1:5001", client_id="c",
                                  auth_login_url="http://127.0.0.1:5001/auth", auth_token_url="http://127.0.0.1:5001/t",
                                  keyset_url="http://127.0.0.1:5001/k")
        session.commit()
    assert "http://127.0.0.1:5001" in _csp(app.test_client().get("/lti/jwks.json"))["frame-ancestors"]
    app.extensions["db_engine"].dispose()
