"""The seeded course the role and input tests attack: learners, tutors of this and another course, an admin."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lti_tool.learning.certificates import certificate_for_learner
from tests.support import tutor_factories as f


@pytest.fixture
def world(db: Session):
    s = f.Scenario(db)
    s.learner_launch = f.launch(db, s.amara, s.course, role="learner")
    s.tutor_launch = f.launch(db, s.tutor, s.course, role="tutor")
    s.other_tutor_launch = f.launch(db, s.other_tutor, s.other_course, role="tutor")
    admin = f.person(db, s.other_course, name="Ada Admin", role="tutor")
    s.admin_launch = f.launch(db, admin, s.other_course, role="tutor", platform_admin=True, all_platforms=True,
                              content=True)
    s.deployment = db.get(f.Deployment, s.course.deployment_id)
    db.commit()
    s.certificate = certificate_for_learner(db, s.amara.id, s.course.id, "img-supervision")
    db.commit()  # issuing flushes; left open, its row lock would hold the pages' own certificate reads on PostgreSQL
    return s
