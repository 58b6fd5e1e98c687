from __future__ import annotations

import pytest

from lti_tool.learning.progress import Learner
from tests.support.launches import make_course, make_launch


@pytest.fixture
def arranged(db):
    course = make_course(db)
    return make_launch(db, course, module_slug="img-demo")


@pytest.fixture
def learner(arranged):
    return Learner(user_id=arranged.user_id, course_id=arranged.course_id, resource_link_pk=arranged.resource_link_pk)
