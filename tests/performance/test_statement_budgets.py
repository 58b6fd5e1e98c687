"""How many SQL statements each hot request issues, held to a budget on SQLite and PostgreSQL alike.

A statement is a round trip to the database whatever it costs there; a request that grows one per learner, per
module or per launch hop is what makes a cohort launching at once slow. Every budget here is met.
"""

from __future__ import annotations

import re

import pytest

from tests.support.launches import make_course, make_launch, sign_in
from tests.support.learning_factories import CORRECT_ANSWERS, publish_demo_module
from tests.support.quiz_form import csrf, form_fields, open_quiz

LAUNCH_BUDGET = 20
PAGE_VIEW_BUDGET = 5
COURSE_PAGE_BUDGET = 6
QUIZ_SUBMISSION_BUDGET = 12
LAUNCH_TABLES = {"platform", "oidc_state", "user_account", "course", "resource_link", "enrollment",
                 "launch"}  # platform: its keys and the site framing the tool, read by later launches


def written_tables(statements: list[str]) -> set[str]:
    pattern = re.compile(r'^(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)
    return {m.group(1) for s in statements if (m := pattern.match(s))}


@pytest.mark.parametrize("user_id", ["learner-1", "learner-2"])
def test_a_whole_launch_to_the_first_page_stays_within_its_statement_budget(lti_world, statements, user_id):
    lti_world.launch(user_id="learner-1", role="learner")  # the course and its resource link exist
    statements.clear()
    response = lti_world.launch(user_id=user_id, role="learner")
    assert response.status_code == 200 and "/module/" in response.url
    assert {key.split()[1].split("/")[1] for key in statements.by_request} == {"lti", "course"}
    assert statements.count() <= LAUNCH_BUDGET, statements.report()


def test_a_launch_writes_only_the_rows_a_later_request_reads(lti_world, statements):
    lti_world.launch(user_id="learner-1", role="learner")
    all_writes = statements.writes("GET /lti/login") + statements.writes("POST /lti/launch")
    assert written_tables(all_writes) <= LAUNCH_TABLES, statements.report()


@pytest.fixture
def reading(client, db):
    """A learner of the demo module who has read its first two pages."""
    publish_demo_module(db)
    course = make_course(db)
    arranged = make_launch(db, course, module_slug="img-demo")
    sign_in(client, arranged)
    base = f"/course/{arranged.course_id}/module/img-demo"
    for slug in ("page-1", "page-2"):
        assert client.get(f"{base}/page/{slug}").status_code == 200
    return arranged, base


def test_reading_a_page_again_writes_nothing(client, statements, reading):
    _, base = reading
    statements.clear()
    assert client.get(f"{base}/page/page-1").status_code == 200
    assert statements.writes() == [], statements.report()


def test_opening_the_module_overview_writes_nothing(client, statements, reading):
    _, base = reading
    statements.clear()
    assert client.get(f"{base}/").status_code == 200
    assert statements.writes() == [], statements.report()


def test_a_module_page_view_stays_within_its_statement_budget(client, statements, reading):
    _, base = reading
    statements.clear()
    assert client.get(f"{base}/page/page-1").status_code == 200
    assert statements.count() <= PAGE_VIEW_BUDGET, statements.report()


@pytest.mark.parametrize("modules", [1, 3])
def test_the_course_page_stays_within_its_statement_budget_whatever_the_modules(client, db, statements, modules):
    publish_demo_module(db)
    course = make_course(db)
    arranged = make_launch(db, course, module_slug="img-demo")
    for n in range(1, modules):
        publish_demo_module(db, f"img-demo-{n}", quiz_slug=f"demo-check-{n}")
        make_launch(db, course, module_slug=f"img-demo-{n}")
    db.commit()
    sign_in(client, arranged)
    statements.clear()
    html = client.get(f"/course/{arranged.course_id}/").get_data(as_text=True)
    assert html.count("Not started") == modules
    assert statements.count() <= COURSE_PAGE_BUDGET, statements.report()


def test_a_quiz_submission_stays_within_its_statement_budget(client, db, statements, reading):
    arranged, base = reading
    form = open_quiz(client, arranged)
    fields = {"csrf_token": csrf(form), **form_fields(db, form, CORRECT_ANSWERS)}
    statements.clear()
    response = client.post(f"{base}/quiz/demo-check/attempt/1/submit", data=fields)
    assert response.status_code == 303
    assert statements.count("POST ") <= QUIZ_SUBMISSION_BUDGET, statements.report()
