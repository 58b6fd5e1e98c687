"""Journey 7: a real course. The three modules sit behind one plain course link and the ARCP session has a
deep-linked link for its spring edition. A learner completes the supervision module and the handbook through the
plain link and fails the ARCP quiz through the edition's link; after the grades worker runs, the tutor's view, the
learner's own summary and the platform's grade book say the same thing, each module in its own column."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_platform_emulator import DEFAULT_CONTEXT_ID, UNGRADED_RESOURCE_LINK_ID
from lti_tool.db import session_factory
from lti_tool.lti.gradebook import resource_id_for
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from lti_tool.models import Edition, Module, Question, utcnow
from tests.support.journey import answer_correctly, current_quiz, read_every_page, take_quiz
from tests.support.quiz_form import plain

pytestmark = pytest.mark.browser
COURSE_PATH = re.compile(r"(/course/\d+)/")


def answer_wrongly_where_possible(fieldset, question: Question) -> None:
    """A learner who guesses: wrong on every choice, number and word question, right on the rest; found by the
    labels a person reads (the form's names and values are tokens that say nothing)."""
    if question.type in ("single", "truefalse"):
        wrong = next(o for o in question.options if not o.is_correct)
        fieldset.get_by_label(plain(wrong.text_html), exact=True).check()
    elif question.type in ("numeric", "text"):
        fieldset.locator("input[type=text]").fill("7777" if question.type == "numeric" else "no idea")
    else:
        answer_correctly(fieldset, question)


def fail_quiz(journey, page, course_path: str, module_slug: str, quiz_slug: str) -> str:
    page.goto(f"{journey.tool}{course_path}/module/{module_slug}/quiz/{quiz_slug}/")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("form[data-autosave-url]")
    version = current_quiz(journey.db, quiz_slug)
    by_title = {q.title: q for q in version.questions}
    fieldsets = page.locator("fieldset[data-question]")
    for index in range(fieldsets.count()):
        fieldset = fieldsets.nth(index)
        heading = fieldset.locator("h2").inner_text().strip()
        answer_wrongly_where_possible(fieldset, by_title[heading.partition(": ")[2]])
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_url(re.compile(r"/attempt/1/$"))
    return page.locator("main").inner_text()


def make_spring_edition(journey, tutor, course_path: str) -> Edition:
    tutor.goto(f"{journey.tool}{course_path}/editions")
    journey.check(tutor, "editions")
    now = utcnow()
    tutor.select_option("#module", "portfolio-arcp")
    tutor.fill("#name", "Spring 2027")
    for field, moment in (("opens", now - timedelta(days=1)), ("due", now + timedelta(days=30)),
                          ("closes", now + timedelta(days=40))):
        tutor.fill(f"#{field}", moment.strftime("%Y-%m-%dT%H:%M"))
    tutor.get_by_role("button", name=re.compile("Create|Add", re.I)).click()
    tutor.wait_for_load_state()
    journey.db.expire_all()
    return journey.db.scalars(select(Edition).where(Edition.name == "Spring 2027")).one()


def test_three_modules_behind_one_link_and_an_arcp_edition_agree_in_tutor_view_summary_and_grade_book(
        journey, app, db):
    state = journey.world.platform_state
    tutor = journey.window()
    journey.launch(tutor, user_id="instructor-1", role="instructor", resource_link_id=UNGRADED_RESOURCE_LINK_ID)
    assert re.search(r"/course/\d+/tutor/", tutor.url), tutor.url
    course_path = COURSE_PATH.search(tutor.url).group(1)
    edition = make_spring_edition(journey, tutor, course_path)
    # What deep linking the edition makes on the platform: a graded link with a column carrying its resourceId.
    arcp_link = state.add_resource_link(DEFAULT_CONTEXT_ID, "Portfolio and ARCP (Spring 2027)", score_maximum=100,
                                        custom={"module": "portfolio-arcp", "edition": str(edition.id)})
    arcp_column = state.course(DEFAULT_CONTEXT_ID).lineitems[arcp_link.lineitem_id]
    arcp_column.resource_id, arcp_column.tag = resource_id_for("portfolio-arcp", edition), "portfolio-arcp"

    learner = journey.window()
    journey.launch(learner, user_id="learner-1", role="learner", resource_link_id=UNGRADED_RESOURCE_LINK_ID)
    assert learner.url.endswith(f"{course_path}/"), learner.url
    titles = learner.locator("main h2").all_inner_texts()
    assert len(titles) == 3, titles
    journey.check(learner, "course home")
    read_every_page(journey, learner, course_path, "img-supervision")
    take_quiz(journey, learner, course_path, "img-supervision", "img-supervision-check")
    read_every_page(journey, learner, course_path, "img-handbook")

    journey.launch(learner, user_id="learner-1", role="learner", resource_link_id=arcp_link.id)
    assert "/module/portfolio-arcp/" in learner.url
    read_every_page(journey, learner, course_path, "portfolio-arcp")
    result = fail_quiz(journey, learner, course_path, "portfolio-arcp", "portfolio-arcp-check")
    assert "not passed" in result.lower(), result

    sent = run_until_idle(session_factory(app), OutboxSettings.from_config(app.config))
    assert (sent.sent, sent.failed) == (2, 0)  # the latest score of each graded module; earlier ones superseded

    # The platform: each module in its own column, the handbook in none.
    columns = {item.resource_id: item.id for item in state.course(DEFAULT_CONTEXT_ID).lineitems.values()}
    supervision = [s.body for s in state.scores(DEFAULT_CONTEXT_ID, columns["img-supervision"])]
    arcp = [s.body for s in state.scores(DEFAULT_CONTEXT_ID, arcp_link.lineitem_id)]
    assert "img-handbook" not in columns
    assert (supervision[-1]["activityProgress"], supervision[-1]["scoreGiven"]) == ("Completed", 100)
    assert all("Supervising" in s["comment"] for s in supervision)
    assert arcp[-1]["activityProgress"] != "Completed" and "scoreGiven" not in arcp[-1]
    assert all("Portfolio" in s["comment"] for s in arcp)

    # The learner's own summary, through the plain link.
    journey.launch(learner, user_id="learner-1", role="learner", resource_link_id=UNGRADED_RESOURCE_LINK_ID)
    cards = {card.locator("h2").inner_text().strip(): card.inner_text()
             for card in learner.locator("main li.nhsuk-card").all()}
    module_titles = {m.slug: m.current_version.title for m in db.scalars(select(Module))}
    by_slug = {slug: cards[title] for slug, title in module_titles.items()}
    assert "Completed" in by_slug["img-supervision"] and "Completed" in by_slug["img-handbook"]
    assert "Completed" not in by_slug["portfolio-arcp"]
    learner.goto(f"{journey.tool}{course_path}/module/img-supervision/complete")
    assert "Your result was sent to your course's grade book on" in learner.locator("#grade-status").inner_text()
    journey.check(learner, "completion summary, grade sent")

    # The tutor's view, as exported.
    tutor.goto(f"{journey.tool}{course_path}/tutor/")
    with tutor.expect_download() as download:
        tutor.locator("#export-csv").click()
    rows = [row for row in csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig")))
            if row["Name"] == "Amara Okafor"]
    seen = {(row["Module id"], row["Edition"]): row for row in rows}
    assert seen[("img-supervision", "")]["State"] == "Completed"
    assert seen[("img-supervision", "")]["Score %"] in ("100", "100.0")
    assert seen[("img-supervision", "")]["Grade sync"].lower().startswith("sent")
    assert seen[("img-handbook", "")]["State"] == "Completed"
    assert seen[("portfolio-arcp", "Spring 2027")]["State"] != "Completed"
    assert seen[("portfolio-arcp", "Spring 2027")]["Grade sync"].lower().startswith("sent")
