"""Journey 3: an instructor adds two graded modules with LTI Deep Linking, one in a new edition; the emulator makes
two grade-book columns from the response, the course's editions page lists the new edition, and a learner opening
one of the new links lands in that module."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lti_platform_emulator import DEFAULT_CONTEXT_ID
from lti_platform_emulator.constants import CLAIM_DL_DATA
from lti_tool.learning import editions
from lti_tool.lti.gradebook import resource_id_for
from lti_tool.models import Course, Edition, utcnow

pytestmark = pytest.mark.browser


def test_an_instructor_adds_two_modules_and_a_learner_lands_in_one_of_them(journey, db):
    state = journey.world.platform_state
    page = journey.window()
    journey.launch(page, user_id="instructor-1", role="instructor", message_type="deep_linking")
    assert page.locator("h1").inner_text() == "Add a module to your course"
    journey.check(page, "deep linking catalogue")
    sent_data = state.scenarios[next(reversed(state.scenarios))].deep_link_data

    page.check("#module-img-supervision")
    page.check("#module-portfolio-arcp")
    now = utcnow()
    page.check("#edition-portfolio-arcp-new")
    page.fill("#new-portfolio-arcp-name", "Autumn 2027")
    page.fill("#new-portfolio-arcp-opens", editions.local_input_value(now - timedelta(days=1)))
    page.fill("#new-portfolio-arcp-due", editions.local_input_value(now + timedelta(days=20)))
    page.fill("#new-portfolio-arcp-closes", editions.local_input_value(now + timedelta(days=30)))
    page.get_by_role("button", name="Add to course").click()
    page.wait_for_url(re.compile(re.escape(journey.world.platform.url) + "/"))
    assert page.locator("h1").inner_text() == "Content added to the course"

    [response] = state.deep_link_responses
    assert response["claims"][CLAIM_DL_DATA] == sent_data
    assert [item["title"] for item in response["created"]] == [
        "Portfolio and ARCP preparation (Autumn 2027)", "Supervising international medical graduates"]
    created = {item["title"]: item for item in response["created"]}
    edition = db.scalars(select(Edition)).one()
    assert edition.course_id == db.scalars(select(Course)).one().id
    supervision = created["Supervising international medical graduates"]
    portfolio = created["Portfolio and ARCP preparation (Autumn 2027)"]
    course = state.course(DEFAULT_CONTEXT_ID)
    for item, resource_id, custom in (
            (supervision, "img-supervision", {"module": "img-supervision"}),
            (portfolio, resource_id_for("portfolio-arcp", edition), {"module": "portfolio-arcp",
                                                                  "edition": str(edition.id)})):
        lineitem = course.lineitems[item["lineitem_id"]]
        assert lineitem.label == item["title"]
        assert lineitem.score_maximum == 100
        assert lineitem.resource_id == resource_id
        assert lineitem.resource_link_id == item["resource_link_id"]
        assert course.resource_links[item["resource_link_id"]].custom == custom

    journey.check(page, "emulator: content added")
    page.locator("li", has_text="Supervising").get_by_role("link", name="open as a learner").click()
    page.wait_for_url(re.compile(re.escape(journey.tool) + r"/course/\d+/module/img-supervision/$"))
    assert page.locator("h1").inner_text() == "Supervising international medical graduates"

    instructor = journey.window()
    journey.launch(instructor, user_id="instructor-1")
    instructor.goto(f"{journey.tool}/course/{edition.course_id}/editions")
    instructor.wait_for_selector("h1:has-text('Editions')")
    assert instructor.locator("td", has_text="Autumn 2027").count() == 1
    journey.check(instructor, "editions")
