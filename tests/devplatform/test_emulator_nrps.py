"""Names and Role Provisioning Services: the roster, in pages, filtered by role."""

import requests

from lti_platform_emulator import constants as c
from tests.support.emulator_harness import Emulator


def test_following_next_links_fetches_every_member_once(emulator: Emulator) -> None:
    emulator.state.seed_roster("btg-101", 23)
    auth = emulator.bearer([c.SCOPE_NRPS])
    url: str | None = f"{emulator.url}/contexts/btg-101/memberships?limit=5"
    user_ids: list[str] = []
    pages = 0

    while url:
        response = requests.get(url, headers=auth, timeout=5)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(c.MEDIA_MEMBERSHIP_CONTAINER)
        body = response.json()
        assert body["context"]["id"] == "btg-101"
        user_ids += [member["user_id"] for member in body["members"]]
        url = response.links.get("next", {}).get("url")
        pages += 1

    assert len(user_ids) == len(set(user_ids)) == 6 + 23
    assert pages == 6
    assert "admin-1" not in user_ids  # administrators are not enrolled


def test_members_have_the_nrps_fields_and_the_student_preview_user(
    emulator: Emulator,
) -> None:
    auth = emulator.bearer([c.SCOPE_NRPS])

    members = requests.get(
        f"{emulator.url}/contexts/btg-101/memberships", headers=auth, timeout=5
    ).json()["members"]

    by_id = {member["user_id"]: member for member in members}
    assert by_id["learner-1"] == {
        "status": "Active",
        "name": "Amara Okafor",
        "given_name": "Amara",
        "family_name": "Okafor",
        "email": "amara.okafor@example.ac.uk",
        "user_id": "learner-1",
        "lis_person_sourcedid": "aokafor",
        "roles": list(c.ROLE_PRESETS["learner"]),
    }
    assert c.ROLE_TEST_USER in by_id["preview-1"]["roles"]


def test_role_filter_accepts_a_short_name_or_a_full_uri(emulator: Emulator) -> None:
    auth = emulator.bearer([c.SCOPE_NRPS])
    url = f"{emulator.url}/contexts/btg-101/memberships"

    short = requests.get(
        url, params={"role": "Instructor"}, headers=auth, timeout=5
    ).json()
    full = requests.get(
        url, params={"role": c.ROLE_LEARNER}, headers=auth, timeout=5
    ).json()

    assert [m["user_id"] for m in short["members"]] == ["instructor-1"]
    assert {m["user_id"] for m in full["members"]} == {
        "learner-1",
        "learner-2",
        "learner-3",
        "preview-1",
    }


def test_memberships_need_the_nrps_scope(emulator: Emulator) -> None:
    auth = emulator.bearer([c.SCOPE_SCORE])

    response = requests.get(
        f"{emulator.url}/contexts/btg-101/memberships", headers=auth, timeout=5
    )

    assert response.status_code == 403


def test_an_unknown_context_is_not_found(emulator: Emulator) -> None:
    auth = emulator.bearer([c.SCOPE_NRPS])

    response = requests.get(
        f"{emulator.url}/contexts/nope/memberships", headers=auth, timeout=5
    )

    assert response.status_code == 404
