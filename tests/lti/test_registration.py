"""Platform registration by CLI, admin page and LTI Dynamic Registration; the admin setup page."""

from __future__ import annotations

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from lti_platform_emulator import serve_in_thread
from lti_platform_emulator.views_registration import DYNAMIC_CLIENT_ID, DYNAMIC_DEPLOYMENT_ID, REGISTRATION_TOKEN
from lti_tool.lti import admin_access, dynamic_registration, registration
from lti_tool.models import AuditEntry, Deployment, Platform, RegistrationInvite, User

INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"


def test_cli_adds_a_blackboard_platform_from_the_preset_with_an_active_deployment(app, db):
    result = app.test_cli_runner().invoke(args=["platform", "add", "--preset", "blackboard", "--client-id", "APP-1",
                                                "--deployment-id", "dep-1", "--deployment-id", "dep-2"])
    assert result.exit_code == 0, result.output
    platform = db.scalars(select(Platform)).one()
    assert platform.issuer == "https://blackboard.com"
    assert platform.keyset_url.endswith("/applications/APP-1/jwks.json")
    assert sorted((d.deployment_id, d.is_active) for d in platform.deployments) == [("dep-1", True), ("dep-2", True)]


def test_cli_lists_deactivates_and_removes(app, db):
    runner = app.test_cli_runner()
    runner.invoke(args=["platform", "add", "--issuer", "https://moodle.example", "--client-id", "m1",
                        "--auth-login-url", "https://moodle.example/auth", "--auth-token-url",
                        "https://moodle.example/token", "--keyset-url", "https://moodle.example/jwks",
                        "--deployment-id", "3"])
    platform_id = db.scalars(select(Platform.id)).one()
    assert runner.invoke(args=["platform", "deployment-deactivate", str(platform_id), "3"]).exit_code == 0
    listing = runner.invoke(args=["platform", "list"]).output
    assert "https://moodle.example" in listing and "INACTIVE" in listing
    assert runner.invoke(args=["platform", "deployment-activate", str(platform_id), "3"]).exit_code == 0
    db.expire_all()
    assert db.scalars(select(Deployment.is_active)).one() is True
    assert runner.invoke(args=["platform", "remove", str(platform_id), "--yes"]).exit_code == 0
    db.expire_all()
    assert db.scalars(select(Platform)).first() is None


def test_cli_refuses_a_duplicate_and_incomplete_registration(app):
    runner = app.test_cli_runner()
    args = ["platform", "add", "--preset", "canvas", "--client-id", "c1"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already registered" in str(again.exception or again.output)
    missing = runner.invoke(args=["platform", "add", "--client-id", "x"])
    assert missing.exit_code != 0 and "--issuer" in missing.output


def test_keys_rotate_keeps_the_previous_key_published(app, client):
    first = client.get("/lti/jwks.json").json["keys"]
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0
    after = client.get("/lti/jwks.json").json["keys"]
    assert len(after) == 2
    assert first[0]["kid"] in {k["kid"] for k in after}
    assert after[0]["kid"] != first[0]["kid"], "the new signing key is listed first"


def _register(lti_world, invite: str | None, token: str = REGISTRATION_TOKEN, configuration: str | None = None):
    params = {"openid_configuration": configuration or f"{lti_world.platform.url}/.well-known/openid-configuration",
              "registration_token": token}
    if invite is not None:
        params["invite"] = invite
    return requests.get(f"{lti_world.tool_url}/lti/register", params=params, timeout=10)


@pytest.fixture
def unregistered(lti_world, db):
    """The emulator is not yet a platform of the tool: Dynamic Registration is how it becomes one."""
    registration.remove_platform(db, lti_world.platform_id)
    db.commit()
    return lti_world


def test_dynamic_registration_with_an_admins_link_records_the_platform_switched_off(unregistered, db):
    lti_world = unregistered
    invite = dynamic_registration.issue_invite(db, "Ada Admin (user 1)")
    db.commit()
    response = _register(lti_world, invite)
    assert response.status_code == 200, response.text[:400]
    assert "js/registration-close.js" in response.text, "the page tells the platform to close its window"
    sent = lti_world.platform_state.dynamic_registrations[0]
    assert sent["initiate_login_uri"] == f"{lti_world.tool_url}/lti/login"
    assert sent["jwks_uri"] == f"{lti_world.tool_url}/lti/jwks.json"
    platform = db.scalars(select(Platform).where(Platform.client_id == DYNAMIC_CLIENT_ID)).one()
    assert platform.auth_token_url == f"{lti_world.platform.url}/token"
    deployment = db.scalars(select(Deployment).where(Deployment.platform_id == platform.id)).one()
    assert (deployment.deployment_id, deployment.is_active) == (DYNAMIC_DEPLOYMENT_ID, False)
    again = _register(lti_world, invite)
    assert again.status_code == 403, "a registration link works once"
    assert len(lti_world.platform_state.dynamic_registrations) == 1


def test_without_an_admins_link_registration_is_refused_and_nothing_is_fetched(unregistered, db):
    calls: list[str] = []
    watcher = Flask("watcher")

    @watcher.route("/<path:anything>", methods=["GET", "POST"])
    def anything(anything):
        calls.append(anything)
        return {}

    server = serve_in_thread(watcher)
    try:
        expired = dynamic_registration.issue_invite(db, "admin", seconds=-1)
        db.commit()
        for invite in (None, "", "made-up", expired, "x" * 5000):
            response = _register(unregistered, invite, configuration=f"{server.url}/.well-known/openid")
            assert response.status_code == 403, (invite, response.status_code)
            assert "registration_not_invited" in response.text
    finally:
        server.stop()
    assert calls == [], "no request left the tool"
    assert db.scalars(select(Platform)).first() is None


def test_a_platform_refusing_the_registration_is_a_clear_error_and_the_link_stays_usable(unregistered, db):
    invite = dynamic_registration.issue_invite(db, "admin")
    db.commit()
    response = _register(unregistered, invite, token="wrong")
    assert response.status_code == 502
    assert "registration_failed" in response.text
    assert "401" not in response.text and "Traceback" not in response.text, "no details of what the fetch met"
    assert db.scalars(select(Platform)).first() is None
    assert _register(unregistered, invite).status_code == 200


def test_a_repeated_registration_never_attaches_to_or_alters_a_registered_platform(lti_world, db):
    """The emulator is registered already (issuer, client, deployment): a registration of the same issuer is
    refused with a clear message, instead of a 500 or a deployment added to the existing platform."""
    before = [(d.platform_id, d.deployment_id, d.is_active) for d in db.scalars(select(Deployment))]
    invite = dynamic_registration.issue_invite(db, "admin")
    db.commit()
    response = _register(lti_world, invite)
    assert response.status_code == 409
    assert "already registered" in response.text
    db.expire_all()
    assert [(d.platform_id, d.deployment_id, d.is_active) for d in db.scalars(select(Deployment))] == before
    assert db.scalars(select(Platform.client_id)).all() == ["btg-test-client"]


@pytest.mark.parametrize(("field", "value"), [
    ("authorization_endpoint", "javascript:alert(1)"),
    ("authorization_endpoint", "https://user:pw@platform.example/auth"),
    ("token_endpoint", "ftp://platform.example/token"),
    ("jwks_uri", "https://exa mple.example/jwks"),
    ("registration_endpoint", "gopher://platform.example/register"),
])
def test_a_configuration_with_an_unsafe_url_is_refused_before_anything_is_sent(unregistered, db, field, value):
    posted: list[dict] = []
    fake = Flask("fake-platform")

    @fake.get("/config")
    def config():
        base = server.url
        body = {"issuer": base, "authorization_endpoint": f"{base}/auth", "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks", "registration_endpoint": f"{base}/register",
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {"product_family_code": "fake"}}
        return {**body, field: value}

    @fake.post("/register")
    def register():
        posted.append({})
        return {"client_id": "evil"}

    server = serve_in_thread(fake)
    try:
        invite = dynamic_registration.issue_invite(db, "admin")
        db.commit()
        response = _register(unregistered, invite, configuration=f"{server.url}/config")
    finally:
        server.stop()
    assert response.status_code == 400, response.text[:300]
    assert "registration_invalid" in response.text
    assert posted == [], "the tool's configuration was not sent"
    assert db.scalars(select(Platform)).first() is None


def test_an_admin_of_every_platform_issues_a_one_time_link_on_the_platforms_page(unregistered, db):
    import re

    lti_world = unregistered
    browser = lti_world.new_browser()
    # An admin of every platform, signed in through a platform registered by hand.
    registration.add_platform(db, issuer=lti_world.platform.url, client_id="btg-test-client",
                              auth_login_url=f"{lti_world.platform.url}/auth",
                              auth_token_url=f"{lti_world.platform.url}/token",
                              keyset_url=f"{lti_world.platform.url}/jwks.json", deployment_ids=("btg-test-deployment",))
    db.commit()
    lti_world.launch(browser, user_id="admin-1", roles=[INSTITUTION_ADMIN], omit_claims=[CONTEXT_CLAIM])
    page = browser.get(f"{lti_world.tool_url}/admin/platforms", timeout=10)
    assert "Issue a registration link" not in page.text, "only administrators of every platform issue links"
    admin_access.grant(db, db.scalars(select(User.id).where(User.sub == "admin-1")).one(), all_platforms=True,
                       content=False)
    db.commit()
    page = browser.get(f"{lti_world.tool_url}/admin/platforms", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    issued = browser.post(f"{lti_world.tool_url}/admin/platforms/registration-link", data={"csrf_token": token},
                          timeout=10)
    assert issued.status_code == 200
    url = re.search(r'value="(http[^"]+/lti/register\?invite=[^"]+)"', issued.text).group(1)
    invite = url.split("invite=", 1)[1]
    assert len(invite) >= 40
    assert db.scalars(select(RegistrationInvite.token_sha256)).one() != invite, "only a digest is stored"
    assert db.scalars(select(AuditEntry.action).where(AuditEntry.action == "registration.invite")).one()


def test_admin_setup_page_shows_what_to_paste(lti_world):
    browser = lti_world.new_browser()
    assert lti_world.launch(browser, user_id="admin-1", roles=[
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], omit_claims=[
        "https://purl.imsglobal.org/spec/lti/claim/context"]).status_code == 200
    page = browser.get(f"{lti_world.tool_url}/admin/setup", timeout=10)
    assert page.status_code == 200
    for value in ("/lti/login", "/lti/launch", "/lti/jwks.json", "RS256", "/lti/register"):
        assert value in page.text


def test_admin_registers_and_activates_through_the_pages_with_csrf(lti_world, db):
    import re

    browser = lti_world.new_browser()
    lti_world.launch(browser, user_id="admin-1", roles=[
        "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], omit_claims=[
        "https://purl.imsglobal.org/spec/lti/claim/context"])
    admin_id = db.scalars(select(User.id).where(User.sub == "admin-1")).one()
    admin_access.grant(db, admin_id, all_platforms=True, content=False)
    db.commit()
    page = browser.get(f"{lti_world.tool_url}/admin/platforms", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    no_token = browser.post(f"{lti_world.tool_url}/admin/platforms", data={"preset": "blackboard",
                                                                          "client_id": "APP-9"}, timeout=10)
    assert no_token.status_code == 400
    ok = browser.post(f"{lti_world.tool_url}/admin/platforms", timeout=10, data={
        "csrf_token": token, "preset": "blackboard", "client_id": "APP-9", "deployment_ids": "site-a"})
    assert ok.status_code == 200 and "Registered Blackboard Learn" in ok.text
    platform = db.scalars(select(Platform).where(Platform.client_id == "APP-9")).one()
    browser.post(f"{lti_world.tool_url}/admin/platforms/{platform.id}/deployments/site-a/state", timeout=10,
                 data={"csrf_token": token, "active": "0"})
    db.expire_all()
    assert db.scalars(select(Deployment.is_active).where(Deployment.deployment_id == "site-a")).one() is False
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["admin.grant", "platform.add", "deployment.deactivate"]


def test_a_learner_cannot_reach_admin_pages(lti_world):
    browser = lti_world.new_browser()
    lti_world.launch(browser, user_id="learner-1", role="learner")
    assert browser.get(f"{lti_world.tool_url}/admin/platforms", timeout=10).status_code == 403
    assert lti_world.new_browser().get(f"{lti_world.tool_url}/admin/", timeout=10).status_code == 401
