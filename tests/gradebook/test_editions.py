"""Editions of session modules: validation, which edition a learner lands in, and the tutor page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from lti_tool.errors import Conflict
from lti_tool.learning import editions
from lti_tool.models import Course, Edition
from tests.support.platform_emulator import forms_of, launch, seed_catalogue

JAN = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def _edition(db, course, name: str, opens: datetime, days_due: int = 60, days_close: int = 75) -> Edition:
    edition = editions.create_edition(db, course_id=course.id, module_slug="portfolio-arcp", name=name,
                                      opens_at=opens, due_at=opens + timedelta(days=days_due),
                                      closes_at=opens + timedelta(days=days_close))
    db.commit()
    return edition


def test_edition_dates_must_run_open_then_due_then_close(db, course):
    seed_catalogue(db)
    with pytest.raises(Conflict, match="open before it is due"):
        _edition(db, course, "Backwards", JAN, days_due=-1)
    with pytest.raises(Conflict, match="cannot close before it is due"):
        _edition(db, course, "Closes early", JAN, days_due=30, days_close=20)
    assert _edition(db, course, "Due at close", JAN, days_due=30, days_close=30).due_at == JAN + timedelta(days=30)


def test_only_session_modules_have_editions_and_names_are_unique_per_course(db, course):
    seed_catalogue(db)
    with pytest.raises(Conflict, match="not a session module"):
        editions.create_edition(db, course_id=course.id, module_slug="img-supervision", name="X", opens_at=JAN,
                                due_at=JAN + timedelta(days=1), closes_at=JAN + timedelta(days=2))
    _edition(db, course, "Spring 2027", JAN)
    with pytest.raises(Conflict, match="already has an edition"):
        _edition(db, course, "Spring 2027", JAN + timedelta(days=180))


def test_a_learner_lands_in_the_launch_edition_else_the_open_one_else_the_most_recent(db, course):
    seed_catalogue(db)
    spring = _edition(db, course, "Spring 2027", JAN)
    autumn = _edition(db, course, "Autumn 2027", JAN + timedelta(days=180))
    during_spring, between, during_autumn = (JAN + timedelta(days=d) for d in (5, 120, 200))
    assert editions.open_edition(db, course.id, "portfolio-arcp", during_spring) == spring
    assert editions.open_edition(db, course.id, "portfolio-arcp", between) == spring
    assert editions.open_edition(db, course.id, "portfolio-arcp", during_autumn) == autumn
    assert editions.open_edition(db, course.id, "portfolio-arcp", during_autumn, launch_edition_id=spring.id) == spring
    assert editions.open_edition(db, course.id, "portfolio-arcp", JAN - timedelta(days=30)) == spring
    assert editions.open_edition(db, course.id, "img-supervision", during_spring) is None
    assert editions.edition_state(spring, during_autumn) == editions.CLOSED


def test_update_keeps_the_date_rules(db, course):
    seed_catalogue(db)
    spring = _edition(db, course, "Spring 2027", JAN)
    with pytest.raises(Conflict):
        editions.update_edition(db, course_id=course.id, edition_id=spring.id, due_at=JAN - timedelta(days=1))
    db.rollback()
    moved = editions.update_edition(db, course_id=course.id, edition_id=spring.id, name="Spring 2027 (moved)",
                                    due_at=JAN + timedelta(days=70))
    assert moved.name == "Spring 2027 (moved)" and moved.due_at == JAN + timedelta(days=70)


def test_the_tutor_page_lists_and_creates_editions(db, platform, emulator):
    seed_catalogue(db)
    browser = requests.Session()
    launch(browser, emulator, user_id="instructor-1")
    course = db.scalars(select(Course)).one()
    page = browser.get(f"{emulator.settings.tool_launch_url.rsplit('/lti/', 1)[0]}/course/{course.id}/editions",
                       timeout=10)
    assert page.status_code == 200 and "No editions yet" in page.text
    action, fields = forms_of(page.text)[-1]
    fields.update({"module": "portfolio-arcp", "name": "Autumn 2027", "opens": "2027-09-01T09:00",
                   "due": "2027-11-30T17:00", "closes": "2027-12-14T17:00"})
    created = browser.post(page.url, data=fields, timeout=10)
    assert created.status_code == 200 and "Edition “Autumn 2027” created." in created.text
    assert "2027-11-30 17:00" in created.text
    edition = db.scalars(select(Edition)).one()
    assert edition.due_at == datetime(2027, 11, 30, 17, 0, tzinfo=UTC)
    fields.update({"name": "Bad", "due": "2027-08-01T09:00"})
    refused = browser.post(page.url, data=fields, timeout=10)
    assert refused.status_code == 400 and "must open before it is due" in refused.text


def test_a_learner_cannot_open_the_editions_page(db, platform, emulator):
    seed_catalogue(db)
    browser = requests.Session()
    launch(browser, emulator, user_id="learner-1")
    course = db.scalars(select(Course)).one()
    base = emulator.settings.tool_launch_url.rsplit("/lti/", 1)[0]
    assert browser.get(f"{base}/course/{course.id}/editions", timeout=10).status_code == 403


def test_binding_a_link_to_a_session_module_needs_one_of_its_editions(db, course):
    from lti_tool.learning import catalogue
    from lti_tool.models import ResourceLink

    seed_catalogue(db)
    link = ResourceLink(course_id=course.id, resource_link_id="rl-x", lineitem_url="http://x/li")
    db.add(link)
    db.commit()
    assert catalogue.needs_binding(db, link.id)
    with pytest.raises(Conflict, match="Choose which edition"):
        catalogue.bind_resource_link(db, course_id=course.id, resource_link_pk=link.id,
                                     module_slug="portfolio-arcp", edition_id=None)
    spring = _edition(db, course, "Spring 2027", JAN)
    catalogue.bind_resource_link(db, course_id=course.id, resource_link_pk=link.id, module_slug="portfolio-arcp",
                                 edition_id=spring.id)
    assert (link.module_slug, link.edition_id) == ("portfolio-arcp", spring.id)
    assert not catalogue.needs_binding(db, link.id)
