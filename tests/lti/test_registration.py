"""Platform registration by CLI, admin page and LTI Dynamic Registration; the admin setup page."""

from __future__ import annotations

import requests
from sqlalchemy import select

from lti_tool.devplatform.views_registration import DYNAMIC_CLIENT_ID, DYNAMIC_DEPLOYMENT_ID, REGISTRATION_TOKEN
from lti_tool.lti import admin_access
from lti_tool.models import AuditEntry, Deployment, Platform, User


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


def test_dynamic_registration_records_the_platform_switched_off(lti_world, db):
    emulator = lti_world.platform.url
    response = requests.get(f"{lti_world.tool_url}/lti/register", params={
        "openid_configuration": f"{emulator}/.well-known/openid-configuration",
        "registration_token": REGISTRATION_TOKEN}, timeout=10)
    assert response.status_code == 200, response.text[:400]
    assert "js/registration-close.js" in response.text, "the page tells the platform to close its window"
    sent = lti_world.platform_state.dynamic_registrations[0]
    assert sent["initiate_login_uri"] == f"{lti_world.tool_url}/lti/login"
    assert sent["jwks_uri"] == f"{lti_world.tool_url}/lti/jwks.json"
    platform = db.scalars(select(Platform).where(Platform.client_id == DYNAMIC_CLIENT_ID)).one()
    assert platform.auth_token_url == f"{emulator}/token"
    deployment = db.scalars(select(Deployment).where(Deployment.platform_id == platform.id)).one()
    assert (deployment.deployment_id, deployment.is_active) == (DYNAMIC_DEPLOYMENT_ID, False)


def test_dynamic_registration_with_a_bad_token_is_a_clear_error(lti_world, db):
    response = requests.get(f"{lti_world.tool_url}/lti/register", params={
        "openid_configuration": f"{lti_world.platform.url}/.well-known/openid-configuration",
        "registration_token": "wrong"}, timeout=10)
    assert response.status_code == 502
    assert "registration_failed" in response.text
    assert db.scalars(select(Platform).where(Platform.client_id == DYNAMIC_CLIENT_ID)).first() is None


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
