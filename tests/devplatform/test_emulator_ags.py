"""Assignment and Grade Services: line items, scores and results, with their refusals."""

from typing import Any

import pytest
import requests

from lti_platform_emulator import constants as c
from tests.support.emulator_harness import Emulator

SCORE_TYPE = {"Content-Type": c.MEDIA_SCORE}
LINEITEM_TYPE = {"Content-Type": c.MEDIA_LINEITEM}


def score(user_id: str = "learner-1", **overrides: Any) -> dict[str, Any]:
    body = {
        "userId": user_id,
        "scoreGiven": 8,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-11-25T10:00:00+00:00",
        "comment": "Module complete",
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not None}


@pytest.fixture
def lineitem_url(emulator: Emulator) -> str:
    return f"{emulator.url}/contexts/btg-101/lineitems/li-img-supervision"


def post_score(
    emulator: Emulator,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> requests.Response:
    auth = emulator.bearer([c.SCOPE_SCORE])
    return requests.post(
        f"{url}/scores",
        json=body,
        headers={**auth, **SCORE_TYPE, **(headers or {})},
        timeout=5,
    )


def test_accepted_scores_are_recorded_in_order_and_give_scaled_results(
    emulator: Emulator, lineitem_url: str
) -> None:
    first = post_score(emulator, lineitem_url, score(scoreGiven=5))
    second = post_score(
        emulator, lineitem_url, score(scoreGiven=8, timestamp="2026-11-25T11:00:00Z")
    )

    assert (first.status_code, second.status_code) == (204, 204)
    recorded = emulator.state.scores("btg-101", "li-img-supervision")
    assert [s.body["scoreGiven"] for s in recorded] == [5, 8]
    auth = emulator.bearer([c.SCOPE_RESULT_READONLY])
    results = requests.get(f"{lineitem_url}/results", headers=auth, timeout=5)
    assert results.headers["Content-Type"].startswith(c.MEDIA_RESULT_CONTAINER)
    (result,) = results.json()
    assert result["userId"] == "learner-1"
    assert result["resultScore"] == 80  # 8/10 on a column out of 100
    assert result["comment"] == "Module complete"


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"userId": None}, "userId"),
        ({"activityProgress": "Done"}, "activityProgress"),
        ({"gradingProgress": "Graded"}, "gradingProgress"),
        ({"scoreGiven": 11}, "scoreMaximum"),
        ({"scoreMaximum": None}, "scoreMaximum"),
        ({"scoreGiven": -1}, "scoreGiven"),
        ({"timestamp": "2026-11-25T10:00:00"}, "time zone"),
        ({"timestamp": "yesterday"}, "ISO 8601"),
        ({"timestamp": None}, "timestamp"),
    ],
)
def test_invalid_scores_are_refused_with_the_reason(
    emulator: Emulator, lineitem_url: str, overrides: dict[str, Any], complaint: str
) -> None:
    response = post_score(emulator, lineitem_url, score(**overrides))

    assert response.status_code == 400
    assert complaint in response.json()["error_description"]
    assert emulator.state.scores("btg-101", "li-img-supervision") == []


def test_a_timestamp_not_later_than_the_last_score_is_refused(
    emulator: Emulator, lineitem_url: str
) -> None:
    assert post_score(emulator, lineitem_url, score()).status_code == 204

    same = post_score(emulator, lineitem_url, score(scoreGiven=9))
    earlier = post_score(
        emulator, lineitem_url, score(timestamp="2026-11-25T09:00:00Z")
    )
    other_user = post_score(emulator, lineitem_url, score(user_id="learner-2"))

    assert (same.status_code, earlier.status_code, other_user.status_code) == (
        409,
        409,
        204,
    )
    assert len(emulator.state.scores("btg-101", "li-img-supervision")) == 2


def test_a_score_for_a_user_not_enrolled_is_refused(
    emulator: Emulator, lineitem_url: str
) -> None:
    response = post_score(emulator, lineitem_url, score(user_id="admin-1"))

    assert response.status_code == 422
    assert response.json()["error"] == "not_enrolled"


def test_scores_need_the_score_media_type(
    emulator: Emulator, lineitem_url: str
) -> None:
    response = post_score(
        emulator, lineitem_url, score(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 415


def test_services_need_a_live_bearer_token_with_the_right_scope(
    emulator: Emulator, lineitem_url: str
) -> None:
    no_token = requests.post(
        f"{lineitem_url}/scores", json=score(), headers=SCORE_TYPE, timeout=5
    )
    wrong_scope = requests.post(
        f"{lineitem_url}/scores",
        json=score(),
        headers={**emulator.bearer([c.SCOPE_NRPS]), **SCORE_TYPE},
        timeout=5,
    )
    auth = emulator.bearer([c.SCOPE_SCORE])
    emulator.state.expire_access_tokens()
    expired = requests.post(
        f"{lineitem_url}/scores",
        json=score(),
        headers={**auth, **SCORE_TYPE},
        timeout=5,
    )

    assert (
        no_token.status_code == 401 and "Bearer" in no_token.headers["WWW-Authenticate"]
    )
    assert wrong_scope.status_code == 403
    assert expired.status_code == 401


def test_line_items_are_created_listed_in_pages_and_filtered(
    emulator: Emulator,
) -> None:
    auth = emulator.bearer([c.SCOPE_LINEITEM])
    container = f"{emulator.url}/contexts/btg-101/lineitems"
    created = [
        requests.post(
            container,
            json={
                "label": f"Quiz {n}",
                "scoreMaximum": 10,
                "tag": "quiz",
                "resourceId": f"q{n}",
            },
            headers={**auth, **LINEITEM_TYPE},
            timeout=5,
        )
        for n in range(3)
    ]
    assert [r.status_code for r in created] == [201, 201, 201]
    assert created[0].json()["id"].startswith(container + "/")

    urls, url = [], f"{container}?limit=2"
    while url:
        page = requests.get(url, headers=auth, timeout=5)
        assert page.headers["Content-Type"].startswith(c.MEDIA_LINEITEM_CONTAINER)
        urls += [item["id"] for item in page.json()]
        url = page.links.get("next", {}).get("url")
    assert len(urls) == 4  # the sample column and three new ones

    quizzes = requests.get(
        container, params={"tag": "quiz"}, headers=auth, timeout=5
    ).json()
    assert sorted(item["label"] for item in quizzes) == ["Quiz 0", "Quiz 1", "Quiz 2"]
    by_link = requests.get(
        container,
        params={"resource_link_id": "rl-img-supervision"},
        headers=auth,
        timeout=5,
    ).json()
    assert [item["resourceId"] for item in by_link] == ["img-supervision"]


def test_line_item_creation_needs_a_label_and_a_maximum(emulator: Emulator) -> None:
    auth = emulator.bearer([c.SCOPE_LINEITEM])
    response = requests.post(
        f"{emulator.url}/contexts/btg-101/lineitems",
        json={"label": "No maximum"},
        headers={**auth, **LINEITEM_TYPE},
        timeout=5,
    )

    assert response.status_code == 400
    assert "scoreMaximum" in response.json()["error_description"]


def test_a_line_item_can_be_updated_and_deleted(
    emulator: Emulator, lineitem_url: str
) -> None:
    auth = emulator.bearer([c.SCOPE_LINEITEM])

    updated = requests.put(
        lineitem_url,
        json={"label": "Renamed", "scoreMaximum": 50},
        headers={**auth, **LINEITEM_TYPE},
        timeout=5,
    )
    read_only_id = requests.put(
        lineitem_url,
        json={"id": lineitem_url, "label": "Renamed", "scoreMaximum": 50},
        headers={**auth, **LINEITEM_TYPE},
        timeout=5,
    )
    deleted = requests.delete(lineitem_url, headers=auth, timeout=5)
    gone = requests.get(lineitem_url, headers=auth, timeout=5)

    assert updated.status_code == 200 and updated.json()["label"] == "Renamed"
    assert read_only_id.status_code == 400
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_read_only_scope_cannot_create_line_items(emulator: Emulator) -> None:
    auth = emulator.bearer([c.SCOPE_LINEITEM_READONLY])
    container = f"{emulator.url}/contexts/btg-101/lineitems"

    listing = requests.get(container, headers=auth, timeout=5)
    creating = requests.post(
        container,
        json={"label": "X", "scoreMaximum": 1},
        headers={**auth, **LINEITEM_TYPE},
        timeout=5,
    )

    assert (listing.status_code, creating.status_code) == (200, 403)


def test_a_stale_token_can_be_answered_with_403_like_open_edx(
    emulator: Emulator, lineitem_url: str
) -> None:
    emulator.settings.stale_token_status = 403
    auth = emulator.bearer([c.SCOPE_SCORE])
    emulator.state.expire_access_tokens()

    expired = requests.post(
        f"{lineitem_url}/scores", json=score(), headers={**auth, **SCORE_TYPE}, timeout=5
    )

    assert expired.status_code == 403 and expired.json()["error"] == "invalid_token"
