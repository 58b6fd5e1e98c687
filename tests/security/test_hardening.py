"""Security headers, frame-ancestors learnt from launches, rate limits on LTI endpoints, logs without personal data."""

from __future__ import annotations

import logging

import pytest

from lti_tool import create_app


def _csp(response) -> dict[str, str]:
    parts = [p.strip().split(" ", 1) for p in response.headers["Content-Security-Policy"].split(";")]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


def test_every_page_carries_a_strict_content_security_policy(client):
    response = client.get("/healthz")
    csp = _csp(response)
    assert csp["script-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers, "HSTS only in production"


def test_frame_ancestors_allow_the_registered_platform_and_the_site_it_launched_from(lti_world):
    browser = lti_world.new_browser()
    response = lti_world.launch(browser, user_id="learner-1", role="learner", extra_claims={
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
            "document_target": "iframe", "return_url": "https://learn.school.example/webapps/return?x=1"}})
    assert response.status_code == 200
    ancestors = _csp(browser.get(f"{lti_world.tool_url}/healthz", timeout=5))["frame-ancestors"].split()
    assert "https://learn.school.example" in ancestors
    assert lti_world.platform.url in ancestors
    assert "*" not in ancestors


def test_production_sends_hsts(test_config):
    app = create_app({**test_config, "ENV": "production"})
    response = app.test_client().get("/healthz", base_url="https://tool.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    app.extensions["db_engine"].dispose()


def test_lti_endpoints_are_rate_limited_per_client(test_config):
    app = create_app({**test_config, "RATE_LIMIT_LTI": "3 per minute"})
    client = app.test_client()
    statuses = [client.get("/lti/login", query_string={"iss": "x"}).status_code for _ in range(4)]
    assert statuses[:3] == [400, 400, 400]
    assert statuses[3] == 429
    assert client.get("/healthz").status_code == 200, "other routes are not limited"
    app.extensions["db_engine"].dispose()


def test_a_refused_launch_logs_no_personal_data(lti_world, caplog):
    from tests.support.lti_world import PendingLogin  # noqa: F401 - the harness shapes the forged launch

    caplog.set_level(logging.DEBUG)
    pending = lti_world.begin_login(user_id="learner-3", role="learner")
    claims = lti_world.valid_claims(pending)
    claims["https://purl.imsglobal.org/spec/lti/claim/version"] = "1.1"
    response = lti_world.post_launch(pending, lti_world.sign(claims))
    assert response.status_code == 400
    tool_records = [r for r in caplog.records if r.name.startswith("lti_tool")]
    assert tool_records, "the refusal is logged"
    logged = " ".join(r.getMessage() for r in tool_records)
    for personal in ("learner-3", "Priya", "Raman", "@"):
        assert personal not in logged


@pytest.mark.parametrize("path", ["/lti/jwks.json", "/healthz"])
def test_public_endpoints_never_set_a_session_cookie(client, path):
    assert "btg_session" not in client.get(path).headers.get("Set-Cookie", "")
