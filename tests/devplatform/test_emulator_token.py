"""The OAuth 2 token endpoint, held to Blackboard's rules for the client assertion."""

import time

import requests

from lti_platform_emulator import SigningKey
from lti_platform_emulator import constants as c
from tests.support.emulator_harness import Emulator


def test_a_good_client_assertion_gets_a_bearer_token_for_the_granted_scopes(
    emulator: Emulator,
) -> None:
    response = emulator.request_token(
        [c.SCOPE_SCORE, c.SCOPE_NRPS, "https://example.org/other"]
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {c.SCOPE_SCORE, c.SCOPE_NRPS}
    assert body["access_token"]
    assert emulator.state.token_requests == 1


def test_float_iat_is_refused_like_blackboard(emulator: Emulator) -> None:
    assertion = emulator.client_assertion(iat=time.time())

    response = emulator.request_token([c.SCOPE_SCORE], assertion)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_jwt_token"
    assert "iat" in response.json()["error_description"]
    assert emulator.state.token_requests == 1


def test_a_reused_jti_is_refused(emulator: Emulator) -> None:
    assertion = emulator.client_assertion(jti="same-jti")
    assert emulator.request_token([c.SCOPE_SCORE], assertion).status_code == 200

    replay = emulator.request_token(
        [c.SCOPE_SCORE], emulator.client_assertion(jti="same-jti")
    )

    assert replay.status_code == 400
    assert "jti" in replay.json()["error_description"]


def test_wrong_audience_expired_or_foreign_issuer_is_refused(
    emulator: Emulator,
) -> None:
    now = int(time.time())
    bad = [
        emulator.client_assertion(aud="https://blackboard.com"),
        emulator.client_assertion(iat=now - 600, exp=now - 300),
        emulator.client_assertion(iss="another-tool", sub="another-tool"),
    ]
    statuses = [emulator.request_token([c.SCOPE_SCORE], a).status_code for a in bad]

    assert statuses == [400, 400, 400]


def test_an_assertion_signed_by_an_unpublished_key_is_refused(
    emulator: Emulator,
) -> None:
    stranger = SigningKey.generate()
    now = int(time.time())
    claims = {
        "iss": "test-client-id",
        "sub": "test-client-id",
        "aud": f"{emulator.url}/token",
        "iat": now,
        "exp": now + 60,
        "jti": "j-1",
    }

    response = emulator.request_token(
        [c.SCOPE_SCORE], emulator.tool.sign(claims, stranger)
    )

    assert response.status_code == 400
    assert "kid" in response.json()["error_description"]


def test_tool_jwks_is_cached_and_fetched_again_for_an_unknown_kid(
    emulator: Emulator,
) -> None:
    assert emulator.request_token([c.SCOPE_SCORE]).status_code == 200
    assert emulator.request_token([c.SCOPE_SCORE]).status_code == 200
    assert emulator.state.tool_keys.fetches == 1

    emulator.tool.keys.insert(0, SigningKey.generate())  # the tool rotates its key

    assert emulator.request_token([c.SCOPE_SCORE]).status_code == 200
    assert emulator.state.tool_keys.fetches == 2


def test_other_grant_types_are_refused(emulator: Emulator) -> None:
    response = requests.post(
        f"{emulator.url}/token", data={"grant_type": "password"}, timeout=5
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_a_strict_platform_refuses_a_scope_the_launch_did_not_offer_and_grants_the_offered_ones(
    emulator: Emulator,
) -> None:
    emulator.settings.offered_ags_scopes = (c.SCOPE_LINEITEM_READONLY, c.SCOPE_SCORE)
    emulator.settings.strict_scopes = True

    refused = emulator.request_token([c.SCOPE_LINEITEM, c.SCOPE_SCORE])
    granted = emulator.request_token([c.SCOPE_LINEITEM_READONLY, c.SCOPE_SCORE])

    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    assert c.SCOPE_LINEITEM in refused.json()["error_description"]
    assert granted.status_code == 200
    assert set(granted.json()["scope"].split()) == {c.SCOPE_LINEITEM_READONLY, c.SCOPE_SCORE}
