"""Injected faults, and the JSON endpoints for tests in another process."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from lti_platform_emulator import FaultPlan
from lti_platform_emulator import constants as c
from tests.support.emulator_harness import Emulator

SCORE = {
    "userId": "learner-1",
    "scoreGiven": 1,
    "scoreMaximum": 1,
    "activityProgress": "Completed",
    "gradingProgress": "FullyGraded",
}


def post_score(
    emulator: Emulator, auth: dict[str, str], second: int
) -> requests.Response:
    return requests.post(
        f"{emulator.url}/contexts/btg-101/lineitems/li-img-supervision/scores",
        json={**SCORE, "timestamp": f"2026-11-25T10:00:{second:02d}Z"},
        headers={**auth, "Content-Type": c.MEDIA_SCORE},
        timeout=5,
    )


def test_fail_next_gives_503s_then_the_endpoint_recovers(emulator: Emulator) -> None:
    auth = emulator.bearer([c.SCOPE_SCORE])
    emulator.state.faults.fail_next("scores", status=503, count=2)

    statuses = [post_score(emulator, auth, second).status_code for second in range(3)]

    assert statuses == [503, 503, 204]
    assert len(emulator.state.scores("btg-101", "li-img-supervision")) == 1


def test_429_carries_retry_after(emulator: Emulator) -> None:
    auth = emulator.bearer([c.SCOPE_SCORE])
    emulator.state.faults.fail_next("scores", status=429, retry_after=7)

    response = post_score(emulator, auth, 0)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"


def test_a_down_endpoint_stays_down_until_set_up(emulator: Emulator) -> None:
    emulator.state.faults.set_down("jwks")
    down = [
        requests.get(f"{emulator.url}/jwks.json", timeout=5).status_code
        for _ in range(2)
    ]
    emulator.state.faults.set_down("jwks", False)

    assert down == [503, 503]
    assert requests.get(f"{emulator.url}/jwks.json", timeout=5).status_code == 200


def test_fail_for_lasts_only_its_window(emulator: Emulator) -> None:
    emulator.state.faults.fail_for("token", seconds=0.3, status=500)

    during = emulator.request_token([c.SCOPE_SCORE]).status_code
    time.sleep(0.35)
    after = emulator.request_token([c.SCOPE_SCORE]).status_code

    assert (during, after) == (500, 200)


def test_a_delay_makes_a_client_time_out(emulator: Emulator) -> None:
    emulator.state.faults.delay("memberships", seconds=0.5, count=1)
    url = f"{emulator.url}/contexts/btg-101/memberships"
    auth = emulator.bearer([c.SCOPE_NRPS])

    with pytest.raises(requests.Timeout):
        requests.get(url, headers=auth, timeout=0.1)
    assert requests.get(url, headers=auth, timeout=5).status_code == 200


def test_an_unknown_fault_point_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault point"):
        FaultPlan().fail_next("grades")


def test_faults_can_be_set_over_http(emulator: Emulator) -> None:
    set_fault = requests.post(
        f"{emulator.url}/_emulator/faults",
        json={"kind": "fail_next", "endpoint": "token", "status": 502, "count": 1},
        timeout=5,
    )
    bad_fault = requests.post(
        f"{emulator.url}/_emulator/faults", json={"kind": "explode"}, timeout=5
    )

    assert (set_fault.status_code, bad_fault.status_code) == (204, 400)
    assert emulator.request_token([c.SCOPE_SCORE]).status_code == 502
    assert emulator.request_token([c.SCOPE_SCORE]).status_code == 200


def test_state_endpoint_reports_scores_tokens_and_launches(emulator: Emulator) -> None:
    emulator.launch()
    auth = emulator.bearer([c.SCOPE_SCORE])
    assert post_score(emulator, auth, 0).status_code == 204

    snapshot = requests.get(f"{emulator.url}/_emulator/state", timeout=5).json()

    assert snapshot["token_requests"] == 1
    assert len(snapshot["launches"]) == 1
    scores = snapshot["contexts"]["btg-101"]["scores"]["li-img-supervision"]
    assert [s["userId"] for s in scores] == ["learner-1"]


def test_reset_forgets_scores_but_keeps_the_signing_key(emulator: Emulator) -> None:
    kid = emulator.state.signing_key.kid
    auth = emulator.bearer([c.SCOPE_SCORE])
    assert post_score(emulator, auth, 0).status_code == 204

    assert (
        requests.post(f"{emulator.url}/_emulator/reset", timeout=5).status_code == 204
    )

    assert emulator.state.scores("btg-101", "li-img-supervision") == []
    assert emulator.state.token_requests == 0
    assert emulator.state.signing_key.kid == kid


def test_launches_and_members_can_be_prepared_over_http(emulator: Emulator) -> None:
    added = requests.post(
        f"{emulator.url}/_emulator/contexts/btg-202/members",
        json={
            "user_id": "u-9",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "role": "instructor",
        },
        timeout=5,
    )
    prepared = requests.post(
        f"{emulator.url}/_emulator/launches",
        json={"user_id": "u-9", "context_id": "btg-202", "resource_link_id": None},
        timeout=5,
    )
    refused = requests.post(
        f"{emulator.url}/_emulator/launches", json={"user_id": "nobody"}, timeout=5
    )

    assert added.status_code == 200
    assert prepared.status_code == 200
    assert prepared.json()["login_url"].startswith(
        emulator.settings.tool_login_url + "?"
    )
    assert refused.status_code == 400
    login_url = prepared.json()["login_url"]
    response = requests.get(
        f"{emulator.url}/auth", params=emulator.auth_params(login_url), timeout=5
    )
    assert response.status_code == 200


def test_the_local_launch_page_is_a_labelled_form(emulator: Emulator) -> None:
    page = requests.get(f"{emulator.url}/", timeout=5).text

    for field in (
        "user_id",
        "role",
        "context_id",
        "resource_link_id",
        "custom",
        "no_pii",
    ):
        assert (
            f'<label for="{field}"' in page or f'class="inline" for="{field}"' in page
        )
        assert f'id="{field}"' in page
    assert 'value="teaching_assistant"' in page
    assert 'value="deep_linking"' in page


def test_the_privacy_checkbox_label_sits_beside_its_box(emulator: Emulator) -> None:
    """Inline labels are inline wherever they are, not only inside a fieldset (the privacy box has none)."""
    page = requests.get(f"{emulator.url}/", timeout=5).text
    assert '<label class="inline" for="no_pii">' in page
    assert re.search(r"(?m)^\s*label\.inline\s*\{[^}]*display:\s*inline;", page)


def test_launch_start_passes_custom_parameters_from_the_form(
    emulator: Emulator,
) -> None:
    response = requests.get(
        f"{emulator.url}/launch/start",
        params={
            "user_id": "ta-1",
            "role": "teaching_assistant",
            "resource_link_id": "rl-course-tool",
            "custom": "module=img-supervision\nview=dashboard",
            "no_pii": "1",
        },
        allow_redirects=False,
        timeout=5,
    )
    hint = parse_qs(urlsplit(response.headers["Location"]).query)["lti_message_hint"][0]
    scenario = emulator.state.scenario(hint)

    assert scenario.custom == {"module": "img-supervision", "view": "dashboard"}
    assert scenario.roles == c.ROLE_PRESETS["teaching_assistant"]
    assert scenario.pii is False
