"""The quiz form never gives an answer away: every question's and option's name, id and value in the page is
a random token of the attempt, mapped back to content ids on the server."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool.models import Attempt, QuizVersion
from tests.support.launches import make_course, make_launch, sign_in
from tests.support.learning_factories import CORRECT_ANSWERS, DEMO_QUESTIONS, publish_demo_module
from tests.support.quiz_form import QuizFormParser, answer_fields, csrf, field_of, shown_questions

QUIZ = "/course/{course}/module/img-demo/quiz/demo-check/"
TOKEN = "[0-9a-f]{12}"
NAME = re.compile(rf"^q-{TOKEN}(--{TOKEN}|--present)?$")
ELEMENT_ID = re.compile(rf"^q-{TOKEN}(-{TOKEN}|--{TOKEN}|-stem|-error|-privacy)?$")
CONTENT_IDS = {spec["slug"] for spec in DEMO_QUESTIONS} | {
    option[0] for spec in DEMO_QUESTIONS for option in spec.get("options", [])}


@pytest.fixture
def course(db):
    publish_demo_module(db, shuffle="both")
    return make_course(db)


def open_attempt(client, db, course) -> str:
    """A new learner's first attempt at the demo quiz (one question of every type), as rendered."""
    sign_in(client, make_launch(db, course, module_slug="img-demo"))
    start = client.get(QUIZ.format(course=course.id)).get_data(as_text=True)
    client.post(QUIZ.format(course=course.id) + "start", data={"csrf_token": csrf(start)})
    return client.get(QUIZ.format(course=course.id)).get_data(as_text=True)


def quiz(db) -> QuizVersion:
    return db.scalars(select(QuizVersion)).one()


def test_no_name_id_or_value_of_any_question_type_reveals_a_content_id(client, db, course):
    html = open_attempt(client, db, course)
    shown = shown_questions(html)
    assert sorted(q.title for q in shown) == sorted(spec["title"] for spec in DEMO_QUESTIONS)
    for question in shown:
        assert re.fullmatch(TOKEN, question.field), question.title
        for control in question.controls:
            assert NAME.match(control.name), (question.title, control.name)
            assert control.type == "hidden" or ELEMENT_ID.match(control.id), (question.title, control.id)
            if control.type in ("radio", "checkbox"):
                assert re.fullmatch(TOKEN, control.value), (question.title, control.value)
            for value, _text in control.choices:
                assert value == "" or re.fullmatch(TOKEN, value) or value.isdigit(), (question.title, value)
    form = html[html.index("<form"):html.index("</form>")]
    attributes = re.findall(r'\b(?:name|id|value|for|data-question|href)="([^"]*)"', form)
    revealing = {a for a in attributes for content_id in CONTENT_IDS if re.search(rf"(^|[-/#]){content_id}($|-)", a)}
    assert revealing == set()


def test_a_matching_term_and_its_right_meaning_never_share_a_value(client, db, course):
    html = open_attempt(client, db, course)
    terms = next(q for q in shown_questions(html) if q.title == "Terms")
    selects = [c for c in terms.controls if c.tag == "select"]
    assert len(selects) == 3
    for select_control in selects:
        row_token = select_control.name.rpartition("--")[2]
        assert row_token not in {value for value, _text in select_control.choices}


def test_tokens_differ_between_attempts(client, db, course):
    first = open_attempt(client, db, course)
    second = open_attempt(client, db, course)
    values = [{c.name for q in shown_questions(html) for c in q.controls} for html in (first, second)]
    assert values[0].isdisjoint(values[1] - {""})


def test_tokens_map_back_so_scoring_autosave_and_reload_still_work(client, db, course):
    html = open_attempt(client, db, course)
    version = quiz(db)
    base = QUIZ.format(course=course.id) + "attempt/1/"
    for question, answer in (("terms", {"cnst": "ihs", "ihs": "cnst"}), ("arcp-o5", "o1"),
                             ("induction", ["golf"]), ("steps", {"meet": 3, "plan": 1, "review": 2})):
        fields = answer_fields(html, version, {question: answer})
        saved = client.post(base + "answer", data={"csrf_token": csrf(html),
                                                   "question": field_of(html, version, question), **fields})
        assert saved.json["saved"] is True
    attempt = db.scalars(select(Attempt)).one()
    db.refresh(attempt)
    assert {a.question_slug: a.response for a in attempt.answers} == {
        "terms": {"cnst": "ihs", "ihs": "cnst"}, "arcp-o5": "o1", "induction": ["golf"],
        "steps": {"meet": 3, "plan": 1, "review": 2}}

    reloaded = client.get(QUIZ.format(course=course.id)).get_data(as_text=True)
    assert reloaded.count(" selected>") == 5 and reloaded.count(" checked>") == 2
    assert answer_fields(reloaded, version, {"arcp-o5": "o1"}) == answer_fields(html, version, {"arcp-o5": "o1"})
    parser = QuizFormParser()
    parser.feed(reloaded)
    terms = next(q for q in parser.questions if q.title == "Terms")
    cnst_row = terms.control("CNST")
    chosen = re.search(rf'name="{cnst_row.name}">.*?<option value="([0-9a-f]+)" selected>([^<]+)<', reloaded, re.S)
    assert chosen.group(2) == "Immigration health surcharge"

    submitted = client.post(base + "submit", data={"csrf_token": csrf(html),
                                                   **answer_fields(html, version, CORRECT_ANSWERS)})
    assert submitted.status_code == 303
    db.refresh(attempt)
    assert (attempt.score, attempt.passed) == (1.0, True)


def test_an_attempt_started_before_tokens_still_takes_its_content_ids(client, db, course):
    open_attempt(client, db, course)
    attempt = db.scalars(select(Attempt)).one()
    attempt.layout = [{k: v for k, v in entry.items() if k in ("question", "options", "meanings")}
                      for entry in attempt.layout]
    db.commit()
    html = client.get(QUIZ.format(course=course.id)).get_data(as_text=True)
    assert 'name="q-terms--cnst"' in html
    fields = {"q-arcp-o5": "o5", "q-induction": ["ihs", "rota"], "q-gmc-register": "true", "q-hours": "48",
              "q-body": "GMC", "q-terms--cnst": "cnst", "q-terms--ihs": "ihs", "q-terms--arcp": "arcp",
              "q-steps--meet": "1", "q-steps--plan": "2", "q-steps--review": "3", "q-reflect": "A plan."}
    response = client.post(QUIZ.format(course=course.id) + "attempt/1/submit",
                           data={"csrf_token": csrf(html), **fields})
    assert response.status_code == 303
    db.refresh(attempt)
    assert attempt.score == 1.0
