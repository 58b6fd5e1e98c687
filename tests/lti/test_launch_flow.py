"""Valid launches end to end: the emulator signs real id_tokens and the tool validates them over HTTP.

Covers the 1EdTech certification guide's valid-launch cases: instructor and learner, multiple roles,
short role names, unknown roles, no roles, no personal data, no context.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from lti_platform_emulator import DEFAULT_CONTEXT_ID
from lti_tool.models import Course, Enrollment, Launch, OidcState, ResourceLink, User
from tests.support.lti_world import DEPLOYMENT_ID

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"


def test_a_learner_launch_lands_on_the_module_and_records_who_and_where(lti_world, db):
    response = lti_world.launch(user_id="learner-1", role="learner", custom={"module": "img-supervision"})
    assert response.status_code == 200
    assert urlsplit(response.url).path.endswith("/module/img-supervision/")
    user = db.scalars(select(User).where(User.sub == "learner-1")).one()
    assert user.given_name == "Amara"
    course = db.scalars(select(Course)).one()
    assert course.context_id == DEFAULT_CONTEXT_ID
    assert course.deployment.deployment_id == DEPLOYMENT_ID
    assert course.lineitems_url and course.memberships_url, "service endpoints are kept for later, outside requests"
    enrollment = db.scalars(select(Enrollment)).one()
    assert (enrollment.role, enrollment.user_id) == ("learner", user.id)
    link = db.scalars(select(ResourceLink)).one()
    assert link.module_slug == "img-supervision"
    assert link.lineitem_url, "the graded link's lineitem claim is kept"


def test_an_instructor_lands_on_the_tutor_view(lti_world):
    response = lti_world.launch(user_id="instructor-1", role="instructor")
    assert response.status_code == 200
    assert urlsplit(response.url).path.endswith("/tutor/")


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([MEMBERSHIP + "Learner", MEMBERSHIP + "Mentor", INSTITUTION + "Student"], "learner"),
        (["Instructor"], "tutor"),
        (["Learner"], "learner"),
        (["http://example.com/roles#Astronaut", "Wizard"], "learner"),
        ([], "learner"),
        ([INSTITUTION + "Administrator"], "tutor"),
        ([MEMBERSHIP + "Learner", INSTITUTION + "Administrator"], "learner"),
    ],
    ids=["multiple", "short", "short-learner", "unknown", "empty", "institution-admin", "course-role-wins"],
)
def test_role_variants_are_accepted_and_mapped(lti_world, db, roles, expected):
    response = lti_world.launch(user_id="learner-2", roles=roles, custom={"module": "img-supervision"})
    assert response.status_code == 200, response.text[:300]
    assert db.scalars(select(Launch.role)).one() == expected


def test_a_launch_without_personal_data_is_accepted(lti_world, db):
    response = lti_world.launch(user_id="learner-3", role="learner", pii=False, custom={"module": "img-supervision"})
    assert response.status_code == 200
    user = db.scalars(select(User)).one()
    assert (user.name, user.email, user.given_name) == ("", "", "")
    assert "Priya" not in user.display_name


def test_a_launch_without_a_context_is_accepted(lti_world, db):
    response = lti_world.launch(user_id="learner-1", role="learner", omit_claims=[
        "https://purl.imsglobal.org/spec/lti/claim/context"])
    assert response.status_code == 200
    assert urlsplit(response.url).path == "/no-course"
    assert db.scalar(select(func.count()).select_from(Course)) == 0
    assert db.scalars(select(Launch.course_id)).one() is None


def test_state_and_nonce_are_used_once_and_stored_in_the_database(lti_world, db):
    lti_world.launch(user_id="learner-1", role="learner")
    row = db.scalars(select(OidcState)).one()
    assert row.used_at is not None


def test_the_jwks_lists_the_tool_signing_key(lti_world):
    import requests

    keys = requests.get(f"{lti_world.tool_url}/lti/jwks.json", timeout=5).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert "d" not in keys[0], "the private exponent must never be published"


def test_login_accepts_post_as_well_as_get(lti_world):
    from urllib.parse import parse_qsl

    login_url = lti_world.platform_state.prepare_launch(user_id="learner-1", role="learner")
    base, query = login_url.split("?", 1)
    browser = lti_world.new_browser()
    response = browser.post(base, data=dict(parse_qsl(query)), allow_redirects=False, timeout=5)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{lti_world.platform.url}/auth?")
