"""Login initiation, the OIDC auth endpoint and the id_token it signs."""

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lti_platform_emulator import (
    PlatformSettings,
    create_platform_app,
    jwk_thumbprint,
    platform_state,
    serve_in_thread,
    sign_id_token,
)
from lti_platform_emulator import constants as c
from tests.support.emulator_harness import CLIENT_ID, DEPLOYMENT_ID, Emulator, form_of

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def test_jwks_publishes_the_signing_key_under_its_thumbprint(
    emulator: Emulator,
) -> None:
    response = requests.get(f"{emulator.url}/jwks.json", timeout=5)

    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kid"] == jwk_thumbprint(key) == emulator.state.signing_key.kid
    assert key["alg"] == "RS256" and "d" not in key


def test_launch_start_redirects_to_the_tool_login_with_blackboard_parameters(
    emulator: Emulator,
) -> None:
    response = requests.get(
        f"{emulator.url}/launch/start",
        params={"user_id": "learner-2", "lti_storage_target": "_parent"},
        allow_redirects=False,
        timeout=5,
    )

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (
        f"{location.scheme}://{location.netloc}{location.path}"
        == emulator.settings.tool_login_url
    )
    params = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert params["iss"] == emulator.url
    assert params["login_hint"] == "learner-2"
    assert params["target_link_uri"] == emulator.settings.tool_launch_url
    assert params["lti_deployment_id"] == DEPLOYMENT_ID
    assert params["client_id"] == CLIENT_ID
    assert params["lti_storage_target"] == "_parent"
    assert emulator.state.scenario(params["lti_message_hint"]).user_id == "learner-2"


def test_launch_start_can_initiate_login_with_a_form_post(emulator: Emulator) -> None:
    response = requests.get(
        f"{emulator.url}/launch/start", params={"initiation": "form_post"}, timeout=5
    )

    action, fields = form_of(response.text)
    assert action == emulator.settings.tool_login_url
    assert fields["login_hint"] == "learner-1" and fields["lti_message_hint"]


def test_auth_refuses_a_redirect_uri_that_is_not_registered(emulator: Emulator) -> None:
    login_url = emulator.state.prepare_launch()
    params = emulator.auth_params(
        login_url, redirect_uri=emulator.settings.tool_launch_url + "?module=x"
    )

    response = requests.get(f"{emulator.url}/auth", params=params, timeout=5)

    assert response.status_code == 400
    assert "redirect_uri" in response.text
    assert "id_token" not in response.text


def test_auth_refuses_a_login_hint_it_did_not_send(emulator: Emulator) -> None:
    login_url = emulator.state.prepare_launch(user_id="learner-1")
    params = emulator.auth_params(login_url, login_hint="learner-2")

    response = requests.post(f"{emulator.url}/auth", data=params, timeout=5)

    assert response.status_code == 400
    assert "login_hint" in response.text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lti_message_hint", "never-issued"),
        ("prompt", "login"),
        ("response_mode", "fragment"),
        ("client_id", "someone-else"),
        ("nonce", ""),
    ],
)
def test_auth_refuses_a_wrong_parameter(
    emulator: Emulator, name: str, value: str
) -> None:
    params = emulator.auth_params(emulator.state.prepare_launch(), **{name: value})

    response = requests.get(f"{emulator.url}/auth", params=params, timeout=5)

    assert response.status_code == 400
    assert name in response.text


def test_auth_posts_an_id_token_and_the_state_to_the_redirect_uri(
    emulator: Emulator,
) -> None:
    params = emulator.auth_params(emulator.state.prepare_launch())

    response = requests.get(f"{emulator.url}/auth", params=params, timeout=5)

    action, fields = form_of(response.text)
    assert action == emulator.settings.tool_launch_url
    assert fields["state"] == params["state"]
    claims = emulator.verify_id_token(fields["id_token"])
    assert claims["nonce"] == params["nonce"]
    assert (
        jwt.get_unverified_header(fields["id_token"])["kid"]
        == emulator.state.signing_key.kid
    )


def test_id_token_carries_every_claim_of_a_graded_blackboard_launch(
    emulator: Emulator,
) -> None:
    claims = emulator.launch(user_id="learner-1", custom={"extra": "yes"})

    assert claims["iss"] == emulator.url
    assert claims["aud"] == claims["azp"] == CLIENT_ID
    assert claims["sub"] == "learner-1"
    assert claims["exp"] - claims["iat"] == 300
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == DEPLOYMENT_ID
    assert claims[LTI + "target_link_uri"] == emulator.settings.tool_launch_url
    assert c.ROLE_LEARNER in claims[LTI + "roles"]
    assert claims[LTI + "resource_link"]["id"] == "rl-img-supervision"
    assert claims[LTI + "context"]["id"] == "btg-101"
    assert claims[LTI + "tool_platform"]["product_family_code"] == "BlackboardLearn"
    assert claims[LTI + "launch_presentation"]["document_target"] == "iframe"
    assert claims[LTI + "lis"]["person_sourcedid"] == "aokafor"
    assert claims[LTI + "custom"] == {"module": "img-supervision", "extra": "yes"}
    assert claims["email"] == "amara.okafor@example.ac.uk"
    ags = claims[c.CLAIM_AGS_ENDPOINT]
    assert set(ags["scope"]) == set(c.AGS_SCOPES)
    assert ags["lineitems"] == f"{emulator.url}/contexts/btg-101/lineitems"
    assert (
        ags["lineitem"]
        == f"{emulator.url}/contexts/btg-101/lineitems/li-img-supervision"
    )
    nrps = claims[c.CLAIM_NRPS]
    assert (
        nrps["context_memberships_url"]
        == f"{emulator.url}/contexts/btg-101/memberships"
    )
    assert nrps["service_versions"] == ["2.0"]
    assert c.CLAIM_DL_SETTINGS not in claims


def test_ungraded_link_has_lineitems_but_no_lineitem(emulator: Emulator) -> None:
    claims = emulator.launch(resource_link_id="rl-course-tool", role="instructor")

    assert "lineitem" not in claims[c.CLAIM_AGS_ENDPOINT]
    assert c.ROLE_INSTRUCTOR in claims[LTI + "roles"]


def test_no_pii_scenario_leaves_out_names_and_email(emulator: Emulator) -> None:
    claims = emulator.launch(pii=False)

    assert not {"name", "given_name", "family_name", "email"} & claims.keys()
    assert claims["sub"] == "learner-1"


def test_deep_linking_launch_carries_the_settings_blackboard_sends(
    emulator: Emulator,
) -> None:
    claims = emulator.launch(user_id="instructor-1", message_type="deep_linking")

    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    assert LTI + "resource_link" not in claims
    settings = claims[c.CLAIM_DL_SETTINGS]
    assert settings["deep_link_return_url"] == f"{emulator.url}/deep-link/return"
    assert settings["accept_types"] == ["ltiResourceLink", "link"]
    assert settings["accept_presentation_document_targets"] == ["iframe", "window"]
    assert settings["accept_multiple"] is True and settings["auto_create"] is True
    assert settings["data"]


def test_rotated_key_signs_new_launches_and_the_old_one_can_be_dropped(
    emulator: Emulator,
) -> None:
    old_kid = emulator.state.signing_key.kid
    new_key = emulator.state.rotate_key(keep_old=True)
    kids = [
        key["kid"]
        for key in requests.get(f"{emulator.url}/jwks.json", timeout=5).json()["keys"]
    ]
    assert kids == [new_key.kid, old_kid]

    params = emulator.auth_params(emulator.state.prepare_launch())
    _, fields = form_of(
        requests.get(f"{emulator.url}/auth", params=params, timeout=5).text
    )
    assert jwt.get_unverified_header(fields["id_token"])["kid"] == new_key.kid

    emulator.state.rotate_key(keep_old=False)
    assert len(requests.get(f"{emulator.url}/jwks.json", timeout=5).json()["keys"]) == 1


def test_build_claims_and_sign_id_token_mint_tokens_for_security_tests(
    emulator: Emulator,
) -> None:
    login_url = emulator.state.prepare_launch()
    hint = parse_qs(urlsplit(login_url).query)["lti_message_hint"][0]
    claims = emulator.state.build_claims(emulator.state.scenario(hint), "n-1")
    claims[LTI + "version"] = "1.1"

    token = sign_id_token(claims, key=emulator.state.signing_key, kid=None)

    assert "kid" not in jwt.get_unverified_header(token)
    public_key = emulator.state.signing_key.private_key.public_key()
    decoded = jwt.decode(token, public_key, algorithms=["RS256"], audience=CLIENT_ID)
    assert decoded[LTI + "version"] == "1.1" and decoded["nonce"] == "n-1"


def test_mounted_under_a_prefix_every_url_carries_the_prefix() -> None:
    settings = PlatformSettings(
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        tool_login_url="http://tool.invalid/lti/login",
        tool_launch_url="http://tool.invalid/lti/launch",
        tool_jwks_url="http://tool.invalid/jwks",
    )
    platform = create_platform_app(settings)
    host_app = Flask("host_tool")
    host_app.wsgi_app = DispatcherMiddleware(
        host_app.wsgi_app, {"/dev/platform": platform}
    )  # type: ignore[method-assign]
    server = serve_in_thread(host_app)
    try:
        base = f"{server.url}/dev/platform"
        page = requests.get(f"{base}/", timeout=5)
        assert 'action="/dev/platform/launch/start"' in page.text
        login = requests.get(f"{base}/launch/start", allow_redirects=False, timeout=5)
        params = parse_qs(urlsplit(login.headers["Location"]).query)
        assert params["iss"] == [base]
        hint = params["lti_message_hint"][0]
        with platform.test_request_context(base_url=base):
            state = platform_state(platform)
            claims = state.build_claims(state.scenario(hint), "n")
        assert (
            claims[c.CLAIM_NRPS]["context_memberships_url"]
            == f"{base}/contexts/btg-101/memberships"
        )
    finally:
        server.stop()


def test_sign_id_token_can_mint_unsigned_and_algorithm_confusion_tokens(
    emulator: Emulator,
) -> None:
    key = emulator.state.signing_key
    public_key = key.private_key.public_key()
    claims = {"sub": "learner-1", "aud": CLIENT_ID}

    unsigned = sign_id_token(claims, key=None, alg="none")
    confused = sign_id_token(claims, key=key.public_pem(), kid=key.kid, alg="HS256")

    assert unsigned.endswith(".")
    assert jwt.get_unverified_header(confused) == {
        "typ": "JWT",
        "alg": "HS256",
        "kid": key.kid,
    }
    for token in (unsigned, confused):
        with pytest.raises(jwt.InvalidTokenError):
            jwt.decode(token, public_key, algorithms=["RS256"], audience=CLIENT_ID)
