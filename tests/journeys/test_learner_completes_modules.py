"""Journey 1: as a learner, each of the three shipped modules completes end to end in a real browser, from a real
launch: every page read, the quizzes answered correctly like a person fills a form, the completion page, the
grade-book status line and a certificate whose code the public verify page accepts."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from lti_tool.devplatform import DEFAULT_CONTEXT_ID
from lti_tool.learning import editions
from lti_tool.models import Course, utcnow
from tests.journeys.journey import Journey, answer_quiz, current_quiz, read_every_page

pytestmark = pytest.mark.browser
MODULE_URL = re.compile(r"(/course/\d+)/module/([\w-]+)/$")


def course_link(journey: Journey, module_slug: str, title: str, *, graded: bool = True) -> str:
    link = journey.world.platform_state.add_resource_link(DEFAULT_CONTEXT_ID, title, custom={"module": module_slug},
                                                         score_maximum=100 if graded else None)
    return link.id


def land_in_module(journey: Journey, page, module_slug: str, resource_link_id: str) -> str:
    journey.launch(page, user_id="learner-1", role="learner", resource_link_id=resource_link_id)
    landed = MODULE_URL.search(page.url)
    assert landed and landed.group(2) == module_slug, page.url
    journey.check(page, f"{module_slug} overview")
    return landed.group(1)


def take_quiz(journey: Journey, page, course_path: str, module_slug: str, quiz_slug: str) -> None:
    page.goto(f"{journey.tool}{course_path}/module/{module_slug}/quiz/{quiz_slug}/")
    journey.check(page, "quiz start")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("form[data-autosave-url]")
    journey.check(page, f"{quiz_slug} form")
    answered = answer_quiz(page, current_quiz(journey.db, quiz_slug))
    assert answered >= 10
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_url(re.compile(r"/attempt/1/$"))
    assert "100%: passed" in page.locator("main").inner_text()
    journey.check(page, "quiz result")


def assert_completed_with_certificate(journey: Journey, page, course_path: str, module_slug: str, title: str,
                                      *, graded: bool = True) -> None:
    page.goto(f"{journey.tool}{course_path}/module/{module_slug}/complete")
    main = page.locator("main").inner_text()
    assert "You have completed version 1 of this module" in main
    assert "Completed" in page.locator(".nhsuk-tag").first.inner_text()
    if graded:
        assert "waiting to be sent to your course's grade book" in page.locator("#grade-status").inner_text()
    else:
        assert page.locator("#grade-status").count() == 0, "a handbook has no grade-book column"
    journey.check(page, "completion summary")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    code = re.search(rb"/verify/([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})", pdf).group(1).decode()
    verify = journey.window()
    verify.goto(f"{journey.tool}/verify/{code}")
    assert "This is a genuine certificate issued by Bridging the Gaps." in verify.locator("main").inner_text()
    assert title in verify.locator("main").inner_text() and "Amara Okafor" in verify.locator("main").inner_text()
    journey.check(verify, "certificate check")


def test_a_learner_reads_every_handbook_page_and_completes_it(journey):
    page = journey.window()
    link = course_link(journey, "img-handbook", "Handbook", graded=False)
    course_path = land_in_module(journey, page, "img-handbook", link)
    read_every_page(journey, page, course_path, "img-handbook")
    assert_completed_with_certificate(journey, page, course_path, "img-handbook", "Handbook", graded=False)


def test_a_learner_reads_supervision_passes_its_quiz_and_completes_it(journey):
    from lti_tool.devplatform import GRADED_RESOURCE_LINK_ID

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
