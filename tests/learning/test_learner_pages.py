"""Learner pages through the Flask test client: overview, page views, the quiz form, server-side scoring."""

from __future__ import annotations

import re

import bleach
import markdown
import pytest
from sqlalchemy import select

from lti_tool.models import Attempt, PageView, Progress, QuizVersion
from tests.support.launches import make_course, make_launch, sign_in
from tests.support.learning_factories import CORRECT_ANSWERS, publish_demo_module
from tests.support.quiz_form import csrf, field_of, form_fields, open_quiz

BASE = "/course/{course}/module/img-demo"


@pytest.fixture
def signed_in(client, db):
    publish_demo_module(db)
    course = make_course(db)
    arranged = make_launch(db, course, module_slug="img-demo")
    sign_in(client, arranged)
    return arranged


def url(arranged, path=""):
    return BASE.format(course=arranged.course_id) + path


def test_course_home_lists_the_bound_module(client, signed_in):
    html = client.get(f"/course/{signed_in.course_id}/").get_data(as_text=True)
    assert "Supervising IMGs" in html and "Not started" in html


def test_overview_shows_outcomes_contents_progress_and_a_start_button(client, signed_in):
    response = client.get(url(signed_in, "/"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Plan an induction for an IMG." in html and "Educational supervisors" in html
    assert "0 of 3 pages read" in html and ">Start</a>" in html and "Not started" in html
    assert 'id="last-reviewed">25 November 2026 by RCPCH college tutor</dd>' in html
    assert 'id="next-review">25 May 2027</dd>' in html


def test_viewing_a_page_records_the_view_and_shows_sources_and_review_date(client, db, signed_in):
    html = client.get(url(signed_in, "/page/page-2")).get_data(as_text=True)
    assert "GMC, Welcomed and valued (2022)</a> (accessed 20 November 2026)" in html
    assert ("Last reviewed 25 November 2026 by RCPCH college tutor. Next review 25 May 2027." in
            re.sub(r"\s+", " ", html))
    assert db.scalars(select(PageView.page_slug)).all() == ["page-2"]
    overview = client.get(url(signed_in, "/")).get_data(as_text=True)
    assert "1 of 3 pages read" in overview and ">Continue</a>" in overview


def test_page_captions_count_from_one_to_the_number_of_pages(client, signed_in):
    for n in (1, 2, 3):
        html = client.get(url(signed_in, f"/page/page-{n}")).get_data(as_text=True)
        assert f"Supervising IMGs · page {n} of 3</p>" in html


def test_viewing_a_page_renders_no_markdown_and_sanitises_nothing(client, signed_in, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("content must be rendered at publish time, not per request")

    monkeypatch.setattr(markdown, "markdown", refuse)
    monkeypatch.setattr(bleach, "clean", refuse)
    assert client.get(url(signed_in, "/page/page-1")).status_code == 200


def test_the_quiz_form_has_a_fieldset_legend_and_a_label_for_every_input(client, signed_in):
    html = open_quiz(client, signed_in)
    assert html.count("<fieldset") == len(CORRECT_ANSWERS) == html.count("<legend")
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert len(ids) >= 8
    for field_id in ids:
        assert f'for="{field_id}"' in html, field_id
    assert "Only you and the tutors of this course can see your reflection" in html


def test_submitting_scores_on_the_server_and_ignores_a_posted_score(client, db, signed_in):
    html = open_quiz(client, signed_in)
    wrong = {**CORRECT_ANSWERS, "arcp-o5": "o1"}
    response = client.post(url(signed_in, "/quiz/demo-check/attempt/1/submit"),
                           data={"csrf_token": csrf(html), "score": "100", "points": "7", "passed": "1",
                                 **form_fields(db, html, wrong)})
    assert response.status_code == 303
    attempt = db.scalars(select(Attempt)).one()
    assert (attempt.points, attempt.max_points) == (6, 7)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "86%: passed" in result and "Try again" in result


def test_submitting_the_same_attempt_twice_keeps_the_first_result(client, db, signed_in):
    html = open_quiz(client, signed_in)
    submit = url(signed_in, "/quiz/demo-check/attempt/1/submit")
    first = client.post(submit, data={"csrf_token": csrf(html), **form_fields(db, html, CORRECT_ANSWERS)})
    wrong = form_fields(db, html, {**CORRECT_ANSWERS, "arcp-o5": "o1"})
    second = client.post(submit, data={"csrf_token": csrf(html), **wrong})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    attempt = db.scalars(select(Attempt)).one()
    assert attempt.score == 1.0
    assert {a.question_slug: a.response for a in attempt.answers}["arcp-o5"] == "o5"


def test_an_incomplete_submission_shows_an_error_summary_and_keeps_answers(client, db, signed_in):
    html = open_quiz(client, signed_in)
    fields = form_fields(db, html, {"arcp-o5": "o5", "hours": "many"})
    response = client.post(url(signed_in, "/quiz/demo-check/attempt/1/submit"),
                           data={"csrf_token": csrf(html), **fields})
    page = response.get_data(as_text=True)
    hours = "q-" + field_of(html, db.scalars(select(QuizVersion)).one(), "hours")
    assert response.status_code == 400
    assert "There is a problem" in page and f'href="#{hours}"' in page and "Enter a number, like 4.5" in page
    chosen = next(value for name, value in fields.items() if value != "many")
    assert f'value="{chosen}" checked' in page and 'value="many"' in page
    assert db.scalars(select(Attempt.submitted_at)).one() is None


def test_autosave_stores_one_answer_and_says_so(client, db, signed_in):
    html = open_quiz(client, signed_in)
    terms = field_of(html, db.scalars(select(QuizVersion)).one(), "terms")
    fields = form_fields(db, html, {"terms": {"cnst": "ihs"}})
    response = client.post(url(signed_in, "/quiz/demo-check/attempt/1/answer"),
                           data={"csrf_token": csrf(html), "question": terms, **fields},
                           headers={"Accept": "application/json"})
    assert response.json == {"saved": True, "question": terms}
    attempt = db.scalars(select(Attempt)).one()
    assert [(a.question_slug, a.response) for a in attempt.answers] == [("terms", {"cnst": "ihs"})]


def test_a_post_without_csrf_token_is_refused(client, db, signed_in):
    html = open_quiz(client, signed_in)
    response = client.post(url(signed_in, "/quiz/demo-check/attempt/1/submit"),
                           data=form_fields(db, html, CORRECT_ANSWERS))
    assert response.status_code == 400
    assert "csrf_failed" in response.get_data(as_text=True)


def test_a_module_bound_only_in_another_course_is_not_found(client, db, signed_in):
    publish_demo_module(db, "other-module", quiz_slug="other-quiz")
    other_course = make_course(db, "course-2")
    make_launch(db, other_course, module_slug="other-module")
    response = client.get(f"/course/{signed_in.course_id}/module/other-module/")
    assert response.status_code == 404
    assert client.get(f"/course/{other_course.id}/module/other-module/").status_code == 401


def test_completion_page_summarises_after_passing(client, db, signed_in):
    for n in (1, 2, 3):
        client.get(url(signed_in, f"/page/page-{n}"))
    html = open_quiz(client, signed_in)
    client.post(url(signed_in, "/quiz/demo-check/attempt/1/submit"),
                data={"csrf_token": csrf(html), **form_fields(db, html, CORRECT_ANSWERS)})
    summary = client.get(url(signed_in, "/complete")).get_data(as_text=True)
    assert "You have completed version 1 of this module" in summary and "Best 100%, passed" in summary
    assert db.scalars(select(Progress.state)).one() == "completed"


def complete_with_full_marks(client, db, arranged) -> str:
    """Read every page, answer every question correctly; the result page's HTML."""
    for n in (1, 2, 3):
        client.get(url(arranged, f"/page/page-{n}"))
    html = open_quiz(client, arranged)
    submitted = client.post(url(arranged, "/quiz/demo-check/attempt/1/submit"),
                            data={"csrf_token": csrf(html), **form_fields(db, html, CORRECT_ANSWERS)})
    return client.get(submitted.headers["Location"]).get_data(as_text=True)


def test_a_full_marks_result_offers_no_retry_and_shows_whole_numbers_whole(client, db, signed_in):
    result = complete_with_full_marks(client, db, signed_in)
    assert "100%: passed" in result
    assert "Try again" not in result and "You answered every question correctly." in result
    assert "The answer: 48 hours" in result and "48.0" not in result
    assert "You scored 7 out of 7." in result
    start_page = client.get(url(signed_in, "/quiz/demo-check/")).get_data(as_text=True)
    assert "Try again" not in start_page and "Your full marks count." in start_page


def test_the_completion_page_keeps_progress_apart_from_the_grade_book(client, db, signed_in):
    complete_with_full_marks(client, db, signed_in)
    summary = client.get(url(signed_in, "/complete")).get_data(as_text=True)
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", summary)
    assert headings.index("Your progress") < headings.index("Grade book")
    progress_section = summary.split("<h2>Your progress</h2>")[1].split("<h2>")[0]
    grade_section = summary.split("<h2>Grade book</h2>")[1]
    assert "Pages read" in progress_section and "Pages read" not in grade_section
    assert "waiting to be sent to your course's grade book" in grade_section


def test_every_page_names_the_signed_in_learner_and_their_role_without_an_admin_link(client, signed_in):
    html = client.get(url(signed_in, "/")).get_data(as_text=True)
    header = html.split('<header', 1)[1].split('</header>', 1)[0]
    assert "Signed in as <strong>Dr Ada Obi</strong>" in header and "Learner in" in header
    assert "Your modules" in header and "/admin/" not in header


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


@pytest.mark.parametrize(("attempts_allowed", "before", "after"), [
    (2, "0 of 2 used", "1 of 2 used"), (None, "0 used, no limit", "1 used, no limit")])
def test_the_quiz_start_page_counts_attempts_against_the_limit_or_says_there_is_none(
        client, db, attempts_allowed, before, after):
    publish_demo_module(db, attempts_allowed=attempts_allowed)
    arranged = make_launch(db, make_course(db), module_slug="img-demo")
    sign_in(client, arranged)
    assert before in client.get(url(arranged, "/quiz/demo-check/")).get_data(as_text=True)
    html = open_quiz(client, arranged)
    client.post(url(arranged, "/quiz/demo-check/attempt/1/submit"),
                data={"csrf_token": csrf(html), **form_fields(db, html, CORRECT_ANSWERS)})
    start = client.get(url(arranged, "/quiz/demo-check/")).get_data(as_text=True)
    assert after in start and before not in start
