"""Every launch the tool must refuse: the 1EdTech certification guide's known-bad payloads and the
Security Framework's checks. Each refusal is a 4xx page with a stable code, creates no session and
records no launch; nothing a platform sends produces a 500."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from lti_platform_emulator import SigningKey
from lti_tool.models import Deployment, Launch

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _refused(response, code: str, status: int | None = None) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:400])
    if status:
        assert response.status_code == status
    assert f"<code>{code}</code>" in response.text, response.text[:600]
    assert "btg_session" not in response.headers.get("Set-Cookie", ""), "a refused launch must not start a session"


def _no_launch_recorded(db) -> None:
    assert db.scalar(select(func.count()).select_from(Launch)) == 0


def _forge(world, mutate=None, **sign_kwargs):
    pending = world.begin_login(user_id="learner-1", role="learner")
    claims = world.valid_claims(pending)
    if mutate:
        mutate(claims)
    return pending, world.sign(claims, **sign_kwargs)


def _drop(*names):
    def mutate(claims):
        for name in names:
            claims.pop(name, None)
    return mutate


def _set(name, value):
    def mutate(claims):
        claims[name] = value
    return mutate


CERT_BAD_PAYLOADS = [
    ("no_kid", None, {"kid": None}, "kid_missing"),
    ("wrong_kid", None, {"kid": "not-a-key-the-platform-has"}, "key_unknown"),
    ("wrong_lti_version", _set(LTI + "version", "1.2.0"), {}, "version_invalid"),
    ("no_lti_version", _drop(LTI + "version"), {}, "version_missing"),
    ("missing_lti_claims", _drop(LTI + "version", LTI + "message_type", LTI + "roles", LTI + "deployment_id",
                                 LTI + "resource_link", LTI + "context", LTI + "target_link_uri"), {},
     "deployment_id_missing"),
    ("timestamps_incorrect", lambda c: c.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), {},
     "token_expired"),
    ("message_type_missing", _drop(LTI + "message_type"), {}, "message_type_missing"),
    ("roles_missing", _drop(LTI + "roles"), {}, "roles_missing"),
    ("deployment_id_missing", _drop(LTI + "deployment_id"), {}, "deployment_id_missing"),
    ("resource_link_id_missing", _drop(LTI + "resource_link"), {}, "resource_link_missing"),
    ("user_missing", _drop("sub"), {}, "user_missing"),
]


@pytest.mark.parametrize(("mutate", "sign_kwargs", "code"), [p[1:] for p in CERT_BAD_PAYLOADS],
                         ids=[p[0] for p in CERT_BAD_PAYLOADS])
def test_certification_bad_payloads_are_refused(lti_world, db, mutate, sign_kwargs, code):
    pending, token = _forge(lti_world, mutate, **sign_kwargs)
    _refused(lti_world.post_launch(pending, token), code)
    _no_launch_recorded(db)


@pytest.mark.parametrize("id_token", ["not-a-jwt", "a.b.c", "e30.e30.", "W10.W10.sig", ""],
                         ids=["garbage", "bad-base64", "empty-signature", "json-arrays", "empty"])
def test_an_invalid_lti_message_is_refused_not_crashed(lti_world, db, id_token):
    pending = lti_world.begin_login(user_id="learner-1", role="learner")
    response = lti_world.post_launch(pending, id_token)
    assert 400 <= response.status_code < 500
    _no_launch_recorded(db)


def test_unsigned_token_is_refused(lti_world, db):
    pending = lti_world.begin_login(user_id="learner-1", role="learner")
    token = lti_world.sign(lti_world.valid_claims(pending), key=None, alg="none",
                           kid=lti_world.platform_state.signing_key.kid)
    _refused(lti_world.post_launch(pending, token), "alg_invalid")


def test_hs256_algorithm_confusion_with_the_public_key_is_refused(lti_world, db):
    pending = lti_world.begin_login(user_id="learner-1", role="learner")
    platform_key = lti_world.platform_state.signing_key
    token = lti_world.sign(lti_world.valid_claims(pending), key=platform_key.public_pem(), alg="HS256",
                           kid=platform_key.kid)
    _refused(lti_world.post_launch(pending, token), "alg_invalid")


def test_a_token_signed_by_another_key_under_the_platform_kid_is_refused(lti_world, db):
    pending = lti_world.begin_login(user_id="learner-1", role="learner")
    impostor = SigningKey.generate()
    token = lti_world.sign(lti_world.valid_claims(pending), key=impostor,
                           kid=lti_world.platform_state.signing_key.kid)
    _refused(lti_world.post_launch(pending, token), "signature_invalid")


def test_a_token_for_another_tool_is_refused(lti_world, db):
    pending, token = _forge(lti_world, _set("aud", "some-other-tool"))
    _refused(lti_world.post_launch(pending, token), "aud_invalid")


def test_several_audiences_need_azp_naming_this_tool(lti_world, db):
    pending, token = _forge(lti_world, lambda c: (c.update(aud=[c["aud"], "other"]), c.pop("azp", None)))
    _refused(lti_world.post_launch(pending, token), "azp_invalid")
    pending, token = _forge(lti_world, lambda c: c.update(aud=[c["aud"], "other"], azp=c["aud"]))
    assert lti_world.post_launch(pending, token).status_code == 200


def test_a_wrong_azp_is_refused(lti_world, db):
    pending, token = _forge(lti_world, _set("azp", "someone-else"))
    _refused(lti_world.post_launch(pending, token), "azp_invalid")


def test_an_unregistered_issuer_is_refused(lti_world, db):
    pending, token = _forge(lti_world, _set("iss", "https://evil.example"))
    _refused(lti_world.post_launch(pending, token), "platform_unknown")


def test_a_replayed_id_token_is_refused(lti_world, db):
    first = lti_world.launch(user_id="learner-1", role="learner")
    assert first.status_code == 200
    # The same browser, cookies and all, posting the very same id_token and state again.
    browser = lti_world.new_browser()
    pending = lti_world.begin_login(browser, user_id="learner-1", role="learner")
    token = lti_world.sign(lti_world.valid_claims(pending))
    assert lti_world.post_launch(pending, token).status_code == 200
    _refused(lti_world.post_launch(pending, token), "nonce_invalid")
    assert db.scalar(select(func.count()).select_from(Launch)) == 2


def test_a_nonce_that_was_not_issued_with_this_state_is_refused(lti_world, db):
    pending, token = _forge(lti_world, _set("nonce", "made-up-nonce"))
    _refused(lti_world.post_launch(pending, token), "nonce_invalid")


def test_state_must_be_bound_to_the_browser_that_logged_in(lti_world, db):
    pending, token = _forge(lti_world)
    stranger = lti_world.new_browser()
    response = stranger.post(pending.redirect_uri, data={"id_token": token, "state": pending.state}, timeout=10)
    _refused(response, "state_not_bound", 403)


def test_missing_and_unknown_state_are_refused(lti_world, db):
    pending, token = _forge(lti_world)
    _refused(lti_world.post_launch(pending, token, state=""), "state_missing")
    _refused(lti_world.post_launch(pending, token, state="state-never-issued"), "state_unknown")


def test_clock_skew_within_the_leeway_is_accepted(lti_world, db):
    now = int(time.time())
    pending, token = _forge(lti_world, lambda c: c.update(iat=now + 5, exp=now - 5 + 3600))
    assert lti_world.post_launch(pending, token).status_code == 200
    pending, token = _forge(lti_world, lambda c: c.update(iat=now - 300, exp=now - 5))
    assert lti_world.post_launch(pending, token).status_code == 200


def test_clock_skew_beyond_the_leeway_is_refused(lti_world, db):
    now = int(time.time())
    pending, token = _forge(lti_world, lambda c: c.update(iat=now + 120))
    _refused(lti_world.post_launch(pending, token), "token_not_yet_valid")
    pending, token = _forge(lti_world, lambda c: c.update(exp=now - 60))
    _refused(lti_world.post_launch(pending, token), "token_expired")


def test_unsupported_message_type_is_refused(lti_world, db):
    pending, token = _forge(lti_world, _set(LTI + "message_type", "LtiSubmissionReviewRequest"))
    _refused(lti_world.post_launch(pending, token), "message_type_unsupported")


def test_an_unknown_deployment_is_recorded_and_refused_until_an_admin_activates_it(lti_world, db, app):
    from lti_tool.lti import registration

    pending, token = _forge(lti_world, _set(LTI + "deployment_id", "new-school-site"))
    response = lti_world.post_launch(pending, token)
    _refused(response, "deployment_inactive", 403)
    assert "new-school-site" in response.text
    row = db.scalars(select(Deployment).where(Deployment.deployment_id == "new-school-site")).one()
    assert row.is_active is False and row.refused_launches == 1

    registration.set_deployment_active(db, lti_world.platform_id, "new-school-site", True)
    db.commit()
    pending, token = _forge(lti_world, _set(LTI + "deployment_id", "new-school-site"))
    assert lti_world.post_launch(pending, token).status_code == 200


def test_a_deactivated_deployment_is_refused(lti_world, db):
    from lti_tool.lti import registration
    from tests.support.lti_world import DEPLOYMENT_ID

    registration.set_deployment_active(db, lti_world.platform_id, DEPLOYMENT_ID, False)
    db.commit()
    _refused(lti_world.launch(user_id="learner-1", role="learner"), "deployment_inactive", 403)


def test_login_from_an_unregistered_platform_is_refused(lti_world):
    browser = lti_world.new_browser()
    response = browser.get(f"{lti_world.tool_url}/lti/login", params={
        "iss": "https://unknown.example", "login_hint": "x", "target_link_uri": f"{lti_world.tool_url}/lti/launch"})
    _refused(response, "platform_unknown", 400)


def test_login_without_a_login_hint_is_refused(lti_world):
    response = lti_world.new_browser().get(f"{lti_world.tool_url}/lti/login",
                                           params={"iss": lti_world.platform.url})
    _refused(response, "login_incomplete", 400)


def test_platform_key_rotation_is_followed_by_one_refetch(lti_world, db):
    assert lti_world.launch(user_id="learner-1", role="learner").status_code == 200
    lti_world.platform_state.rotate_key(keep_old=False)
    time.sleep(1.1)  # unknown kids re-fetch at most once a second, so junk kids cannot hammer the platform
    response = lti_world.launch(user_id="learner-1", role="learner")
    assert response.status_code == 200, response.text[:300]


def test_cached_platform_keys_keep_launches_working_when_the_jwks_endpoint_is_down(lti_world):
    assert lti_world.launch(user_id="learner-1", role="learner").status_code == 200
    lti_world.platform_state.faults.set_down("jwks", True)
    assert lti_world.launch(user_id="learner-2", role="learner").status_code == 200


def test_first_launch_with_the_jwks_endpoint_down_is_a_clear_502_not_a_500(lti_world):
    lti_world.platform_state.faults.set_down("jwks", True)
    _refused_status = lti_world.launch(user_id="learner-1", role="learner")
    assert _refused_status.status_code == 502
    assert "platform_keys_unavailable" in _refused_status.text
