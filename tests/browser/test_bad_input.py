"""Journey 6: what a careless or curious learner can do wrong. A tampered quiz form (a made-up score field, an
option that does not exist) gets a clear message and no score from the browser; two submissions racing (a double
press on a slow line) count one attempt; a used, expired or made-up launch hand-off asks the person to open the
tool from the course again; and on a 320px phone the module, a page and the quiz do not scroll sideways."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select, update

from lti_platform_emulator import GRADED_RESOURCE_LINK_ID
from lti_tool.models import Attempt, GradeSync, Launch, utcnow
from tests.support.journey import answer_quiz, current_quiz, land_in_module, read_every_page
from tests.support.lti_world import form_of
from tests.support.quiz_form import plain

pytestmark = pytest.mark.browser
QUIZ = "img-supervision-check"
OPEN_AGAIN = "Please open this from your course again"


def start_quiz(journey, page, course_path: str) -> None:
    page.goto(f"{journey.tool}{course_path}/module/img-supervision/quiz/{QUIZ}/")
    page.get_by_role("button", name=re.compile("Start the quiz|Try again")).click()
    page.wait_for_selector("form[data-autosave-ready]")


def test_a_tampered_quiz_form_gets_a_clear_message_and_a_double_submit_counts_once(journey, db):
    page = journey.window()
    course_path = land_in_module(journey, page, "img-supervision", GRADED_RESOURCE_LINK_ID)
    read_every_page(journey, page, course_path, "img-supervision")
    start_quiz(journey, page, course_path)
    version = current_quiz(journey.db, QUIZ)
    answer_quiz(page, version)
    single = next(q for q in version.questions if q.type == "single")
    page.evaluate("""([name]) => {
        const form = document.querySelector('form[data-autosave-url]');
        for (const [field, value] of [['score', '100'], ['q-made-up-question', 'a']]) {
            const input = document.createElement('input');
            input.type = 'hidden'; input.name = field; input.value = value; form.appendChild(input);
        }
        const chosen = document.querySelector(`input[name="q-${name}"]:checked`);
        chosen.value = 'option-that-does-not-exist';
    }""", [page.locator("fieldset[data-question]").filter(
        has=page.get_by_role("heading", name=single.title)).get_attribute("data-question")])
    page.get_by_role("button", name="Submit your answers").click()
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "That choice is not one of this question's options." in summary.inner_text()
    assert page.title().startswith("Error: ")
    journey.check(page, "quiz with an error")
    assert db.scalar(select(func.count()).select_from(Attempt).where(Attempt.submitted_at.is_not(None))) == 0

    right = next(o for o in single.options if o.is_correct)
    page.locator("fieldset[data-question]").filter(has=page.get_by_role("heading", name=single.title)).get_by_label(
        plain(right.text_html), exact=True).check()
    statuses = page.evaluate("""async () => {
        const form = document.querySelector('form[data-autosave-url]');
        const send = () => fetch(form.action, {method: 'POST', body: new FormData(form), redirect: 'manual'});
        return (await Promise.all([send(), send()])).map(r => r.type === 'opaqueredirect' ? 303 : r.status);
    }""")
    assert statuses == [303, 303], "both presses land on the result"
    page.goto(f"{journey.tool}{course_path}/module/img-supervision/quiz/{QUIZ}/attempt/1/")
    assert "100%: passed" in page.locator("main").inner_text()

    db.expire_all()
    attempts = db.scalars(select(Attempt)).all()
    assert [(a.number, a.submitted_at is not None) for a in attempts] == [(1, True)]
    completions = db.scalars(select(GradeSync.comment).where(GradeSync.comment.like("Completed%"))).all()
    assert len(completions) == 1, completions
    page.goto(f"{journey.tool}{course_path}/module/img-supervision/quiz/{QUIZ}/")
    limit = version.attempts_allowed
    assert (f"1 of {limit} used" if limit else "1 used, no limit") in page.locator("main").inner_text()


def test_a_used_expired_or_made_up_hand_off_asks_to_open_the_tool_from_the_course_again(journey, db):
    world = journey.world
    http = requests.Session()
    auth_page = http.get(world.platform_state.prepare_launch(user_id="learner-1", role="learner"), timeout=10)
    action, fields = form_of(auth_page.text)
    handed_off = http.post(action, data=fields, allow_redirects=False, timeout=10)
    first_page_url = handed_off.headers["Location"]
    if first_page_url.startswith("/"):
        first_page_url = world.tool_url + first_page_url
    db.execute(update(Launch).values(created_at=utcnow() - timedelta(minutes=10)))
    db.commit()

    page = journey.window()
    response = page.goto(f"{world.tool_url}/lti/resume?h=made-up-hand-off")
    assert response.status == 400
    assert page.locator("h1").inner_text() == OPEN_AGAIN
    assert "Open the link again from your course page" in page.locator("main").inner_text()
    journey.check(page, "hand-off failed")

    for url in (first_page_url, f"{world.tool_url}/course/1/module/img-supervision/"):
        response = page.goto(url)
        assert response.status == 401
        assert OPEN_AGAIN in page.locator("h1").inner_text()
        assert "Open the link again from your course page" in page.locator("main").inner_text()
    journey.check(page, "session expired")


def test_on_a_320px_phone_the_module_a_page_and_the_quiz_do_not_scroll_sideways(journey):
    page = journey.window(width=320)
    course_path = land_in_module(journey, page, "img-supervision", GRADED_RESOURCE_LINK_ID)
    journey.fits(page, "module overview")
    module = f"{journey.tool}{course_path}/module/img-supervision"
    for slug in ("why-it-matters", "feedback-across-cultures"):
        page.goto(f"{module}/page/{slug}")
        journey.check(page, f"page {slug} at 320px")
        journey.fits(page, f"page {slug}")
    start_quiz(journey, page, course_path)
    journey.check(page, "quiz form at 320px")
    journey.fits(page, "quiz form")
