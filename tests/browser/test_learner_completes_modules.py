"""Journey 1: as a learner, each of the three shipped modules completes end to end in a real browser, from a real
launch: every page read, the quizzes answered correctly like a person fills a form, the completion page, the
grade-book status line and a certificate whose code the public verify page accepts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lti_platform_emulator import GRADED_RESOURCE_LINK_ID
from lti_tool.learning import editions
from lti_tool.models import Course, utcnow
from tests.support.journey import (
    assert_completed_with_certificate,
    course_link,
    land_in_module,
    read_every_page,
    take_quiz,
)

pytestmark = pytest.mark.browser


def test_a_learner_reads_every_handbook_page_and_completes_it(journey):
    page = journey.window()
    link = course_link(journey, "img-handbook", "Handbook", graded=False)
    course_path = land_in_module(journey, page, "img-handbook", link)
    read_every_page(journey, page, course_path, "img-handbook")
    assert_completed_with_certificate(journey, page, course_path, "img-handbook", "Handbook", graded=False)


def test_a_learner_reads_supervision_passes_its_quiz_and_completes_it(journey):
    page = journey.window()
    course_path = land_in_module(journey, page, "img-supervision", GRADED_RESOURCE_LINK_ID)
    read_every_page(journey, page, course_path, "img-supervision")
    take_quiz(journey, page, course_path, "img-supervision", "img-supervision-check")
    assert_completed_with_certificate(journey, page, course_path, "img-supervision",
                                      "Supervising international medical graduates")


def test_a_learner_completes_the_portfolio_session_in_the_edition_an_instructor_made(journey):
    link = course_link(journey, "portfolio-arcp", "Portfolio and ARCP preparation")
    tutor = journey.window()
    journey.launch(tutor, user_id="instructor-1", role="instructor", resource_link_id=link)
    course_id = int(re.search(r"/course/(\d+)/", tutor.url).group(1))
    tutor.goto(f"{journey.tool}/course/{course_id}/editions")
    journey.check(tutor, "editions")
    now = utcnow()
    tutor.select_option("#module", "portfolio-arcp")
    tutor.fill("#name", "Spring 2027")
    tutor.fill("#opens", editions.local_input_value(now - timedelta(days=1)))
    tutor.fill("#due", editions.local_input_value(now + timedelta(days=20)))
    tutor.fill("#closes", editions.local_input_value(now + timedelta(days=30)))
    tutor.get_by_role("button", name="Create edition").click()
    assert "Edition “Spring 2027” created." in tutor.locator("main").inner_text()
    assert journey.db.get(Course, course_id) is not None

    page = journey.window()
    course_path = land_in_module(journey, page, "portfolio-arcp", link)
    assert "Spring 2027, due" in page.locator("main").inner_text()
    read_every_page(journey, page, course_path, "portfolio-arcp")
    take_quiz(journey, page, course_path, "portfolio-arcp", "portfolio-arcp-check")
    assert_completed_with_certificate(journey, page, course_path, "portfolio-arcp", "Portfolio")
