"""Blackboard's Student Preview user is known from one place: the roles its enrolment keeps. A launch's claims
never say otherwise, for grades or for the tutor's views."""

from __future__ import annotations

from sqlalchemy import select, update

from lti_tool.learning.course_matrix import course_matrix
from lti_tool.models import GradeSync, Launch
from tests.support.platform_emulator import learner, progress_for, record_score

BLACKBOARD_TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def test_the_enrolment_alone_says_who_is_student_preview_whatever_the_launch_claims(db, course):
    preview = learner(db, course, "preview-1", lti_roles=[LEARNER_ROLE, BLACKBOARD_TEST_USER])
    real = learner(db, course, "learner-1", lti_roles=[LEARNER_ROLE])
    # Launch rows from older releases carried their own test-user flag; here each says the opposite.
    for user, claimed in ((preview, False), (real, True)):
        db.execute(update(Launch).where(Launch.user_id == user.id).values(claims={"test_user": claimed}))
    db.commit()

    assert record_score(db, progress_for(db, course, preview), 1.0) is None
    row = record_score(db, progress_for(db, course, real), 1.0)
    assert row is not None
    assert [r.user_sub for r in db.scalars(select(GradeSync))] == ["learner-1"]
    assert [r.user_id for r in course_matrix(db, course.id).rows] == [real.id]
