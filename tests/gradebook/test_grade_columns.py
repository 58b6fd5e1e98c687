"""One grade column per (course, module, edition): a plain course link that serves several modules never lends
one module's column to another, and links wrongly bound to a column by older releases are repaired.

Real launches from the platform emulator, real content, real HTTP; the emulator's grade book is the judge.
"""

from __future__ import annotations

from collections import defaultdict

import requests
from sqlalchemy import select

from lti_platform_emulator import DEFAULT_CONTEXT_ID, UNGRADED_RESOURCE_LINK_ID
from lti_tool.db import session_factory
from lti_tool.lti import gradebook, outbox
from lti_tool.lti.outbox import OutboxSettings, run_until_idle
from lti_tool.models import GradeSync, LineItem, ResourceLink
from tests.support.load_scenario import Recorder, module_plan, start_quiz
from tests.support.lti_world import form_of
from tests.support.platform_emulator import learner, progress_for, record_score

SUPERVISION = "img-supervision"
PORTFOLIO = "portfolio-arcp"


def launch_plain_link(world, user_id: str, role: str = "learner") -> tuple[requests.Session, requests.Response]:
    """A launch through the course's plain link: no module chosen, no line item from the platform."""
    browser = requests.Session()
    auth_page = browser.get(world.platform_state.prepare_launch(
        user_id=user_id, role=role, resource_link_id=UNGRADED_RESOURCE_LINK_ID), timeout=10)
    action, fields = form_of(auth_page.text)
    landing = browser.post(action, data=fields, timeout=10)
    assert landing.status_code == 200, landing.text[:500]
    return browser, landing


def complete_module(browser: requests.Session, course_url: str, db, slug: str) -> None:
    plan = module_plan(db, slug)
    module_url = f"{course_url}/module/{slug}"
    for page in plan.page_slugs:
        assert browser.get(f"{module_url}/page/{page}", timeout=10).status_code == 200
    recorder = Recorder()
    for quiz in plan.quizzes:
        attempt_url, token, answers = start_quiz(browser, module_url, quiz, recorder)
        browser.post(attempt_url + "submit", data={"csrf_token": token, **answers}, timeout=10)
    assert "You have completed" in browser.get(f"{module_url}/complete", timeout=10).text


def sync(app) -> None:
    result = run_until_idle(session_factory(app), OutboxSettings.from_config(app.config))
    assert result.failed == 0 and result.retry == 0, result


def columns_by_resource(world) -> dict[str, list[str]]:
    """The emulator's grade columns (line item ids) by the resourceId the tool gave them."""
    course = world.platform_state.course(DEFAULT_CONTEXT_ID)
    found: dict[str, list[str]] = defaultdict(list)
    for item in course.lineitems.values():
        found[item.resource_id or ""].append(item.id)
    return found


def latest_score(world, lineitem_id: str, user_id: str) -> dict:
    scores = [s.body for s in world.platform_state.scores(DEFAULT_CONTEXT_ID, lineitem_id)
              if s.body["userId"] == user_id]
    assert scores, f"no score for {user_id} in {lineitem_id}"
    return scores[-1]


def test_a_plain_link_keeps_a_completed_module_in_its_own_column_when_the_learner_opens_another(lti_world, app, db):
    browser, landing = launch_plain_link(lti_world, "learner-1")
    course_url = landing.url.split("?")[0].rstrip("/")
    assert course_url.endswith(tuple(f"/course/{n}" for n in range(1, 10))), landing.url
    complete_module(browser, course_url, db, SUPERVISION)
    sync(app)

    first_page = module_plan(db, PORTFOLIO).page_slugs[0]
    assert browser.get(f"{course_url}/module/{PORTFOLIO}/page/{first_page}", timeout=10).status_code == 200
    sync(app)

    columns = columns_by_resource(lti_world)
    [supervision_column] = columns[SUPERVISION]
    supervision = latest_score(lti_world, supervision_column, "learner-1")
    assert (supervision["activityProgress"], supervision["gradingProgress"]) == ("Completed", "FullyGraded")
    assert supervision["scoreGiven"] == 100
    [portfolio_column] = columns[PORTFOLIO]
    assert portfolio_column != supervision_column
    portfolio = latest_score(lti_world, portfolio_column, "learner-1")
    assert portfolio["activityProgress"] == "InProgress" and "Portfolio" in portfolio["comment"]
    assert all("Portfolio" not in s.body["comment"]
               for s in lti_world.platform_state.scores(DEFAULT_CONTEXT_ID, supervision_column))

    db.expire_all()
    link = db.scalars(select(ResourceLink).where(ResourceLink.resource_link_id == UNGRADED_RESOURCE_LINK_ID)).one()
    assert link.lineitem_url is None

    _, tutor_landing = launch_plain_link(lti_world, "instructor-1", role="instructor")
    assert "/tutor/" in tutor_landing.url and "Choose what this link opens" not in tutor_landing.text


def test_repair_unbinds_an_adopted_column_and_resends_each_module_to_its_own_column(lti_world, app, db):
    browser, landing = launch_plain_link(lti_world, "learner-1")
    course_url = landing.url.split("?")[0].rstrip("/")
    complete_module(browser, course_url, db, SUPERVISION)
    sync(app)
    [supervision_column] = columns_by_resource(lti_world)[SUPERVISION]
    supervision_url = db.scalars(select(LineItem.url).where(LineItem.resource_id == SUPERVISION)).one()
    # What older releases did: the plain link adopted the first column it sent to, and the next module's
    # score followed it there.
    link = db.scalars(select(ResourceLink).where(ResourceLink.resource_link_id == UNGRADED_RESOURCE_LINK_ID)).one()
    link.lineitem_url = supervision_url
    db.commit()
    first_page = module_plan(db, PORTFOLIO).page_slugs[0]
    browser.get(f"{course_url}/module/{PORTFOLIO}/page/{first_page}", timeout=10)
    db.execute(GradeSync.__table__.update().where(GradeSync.resource_id == PORTFOLIO)
               .values(lineitem_url=supervision_url))
    db.commit()
    sync(app)
    assert latest_score(lti_world, supervision_column, "learner-1")["activityProgress"] == "InProgress"

    report = gradebook.repair_columns(db)
    db.commit()
    assert report.links_unbound == 1 and report.queued == 2
    sync(app)

    db.expire_all()
    assert db.get(ResourceLink, link.id).lineitem_url is None
    supervision = latest_score(lti_world, supervision_column, "learner-1")
    assert (supervision["activityProgress"], supervision["scoreGiven"]) == ("Completed", 100)
    [portfolio_column] = columns_by_resource(lti_world)[PORTFOLIO]
    assert latest_score(lti_world, portfolio_column, "learner-1")["activityProgress"] == "InProgress"
    again = app.test_cli_runner().invoke(args=["grades", "repair"])
    assert again.exit_code == 0 and "scores queued again: 0" in again.output


def test_a_link_bound_to_one_module_lends_its_platform_column_to_no_other_module(db, course, emulator, factory,
                                                                                  outbox_settings):
    link = ResourceLink(course_id=course.id, resource_link_id="rl-supervision", module_slug=SUPERVISION,
                        lineitem_url=emulator.lineitem_url("li-img-supervision"))
    db.add(link)
    db.commit()
    user = learner(db, course, "learner-1")
    record_score(db, progress_for(db, course, user, slug=SUPERVISION, resource_link_pk=link.id), 1.0)
    record_score(db, progress_for(db, course, user, slug=PORTFOLIO, resource_link_pk=link.id), None)
    outbox.run_until_idle(factory, outbox_settings)

    assert [s["activityProgress"] for s in emulator.scores("li-img-supervision")] == ["Completed"]
    [portfolio] = [i for i in emulator.state.course(DEFAULT_CONTEXT_ID).lineitems.values()
                   if i.resource_id == PORTFOLIO]
    assert [s["activityProgress"] for s in emulator.scores(portfolio.id)] == ["InProgress"]


def test_a_row_is_sent_to_the_column_it_was_given_when_written_whatever_the_link_says_later(
        db, course, emulator, factory, outbox_settings):
    given = emulator.lineitem_url("li-img-supervision")
    link = ResourceLink(course_id=course.id, resource_link_id="rl-supervision", module_slug=SUPERVISION,
                        lineitem_url=given)
    db.add(link)
    db.commit()
    user = learner(db, course, "learner-1")
    row = record_score(db, progress_for(db, course, user, slug=SUPERVISION, resource_link_pk=link.id), 1.0)
    assert row.lineitem_url == given
    link.lineitem_url = emulator.lineitem_url("li-named-by-a-later-launch")
    db.commit()
    outbox.run_until_idle(factory, outbox_settings)

    db.refresh(row)
    assert (row.status, row.lineitem_url) == ("sent", given)
    assert [s["activityProgress"] for s in emulator.scores("li-img-supervision")] == ["Completed"]


def test_a_row_given_its_resource_ids_column_is_not_redirected_to_a_link_column_bound_after_it_was_written(
        db, course, emulator, factory, outbox_settings):
    link = ResourceLink(course_id=course.id, resource_link_id="rl-portfolio")
    db.add(link)
    db.commit()
    user = learner(db, course, "learner-1")
    row = record_score(db, progress_for(db, course, user, slug=PORTFOLIO, resource_link_pk=link.id), None)
    assert row.lineitem_url is None and row.resource_id == PORTFOLIO
    # Bound afterwards to the module, with another module's column: only rows written from now on may use it.
    link.module_slug, link.lineitem_url = PORTFOLIO, emulator.lineitem_url("li-img-supervision")
    db.commit()
    outbox.run_until_idle(factory, outbox_settings)

    [portfolio] = [i for i in emulator.state.course(DEFAULT_CONTEXT_ID).lineitems.values()
                   if i.resource_id == PORTFOLIO]
    assert [s["activityProgress"] for s in emulator.scores(portfolio.id)] == ["InProgress"]
    assert emulator.scores("li-img-supervision") == []
    db.refresh(row)
    assert (row.status, row.lineitem_url) == ("sent", emulator.lineitem_url(portfolio.id))
