"""The deep-linking picker and the editions page in a real browser: usable end to end and free of axe violations."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.models import Course, Edition

from .conftest import seed_catalogue

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def _no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_an_instructor_adds_a_session_module_with_a_new_edition_in_the_browser(page, db, platform, emulator):
    seed_catalogue(db)
    page.goto(emulator.state.prepare_launch(message_type="deep_linking", user_id="instructor-1"))
    page.wait_for_selector("h1:has-text('Add a module to your course')")
    _no_axe_violations(page)
    page.check("#module-portfolio-arcp")
    page.check("#edition-portfolio-arcp-new")
    page.fill("#new-portfolio-arcp-name", "Spring 2027")
    page.fill("#new-portfolio-arcp-opens", "2027-01-10T09:00")
    page.fill("#new-portfolio-arcp-due", "2027-03-31T17:00")
    page.fill("#new-portfolio-arcp-closes", "2027-04-14T17:00")
    page.click("button:has-text('Add to course')")
    page.wait_for_url(f"{emulator.url}/deep-link/return")
    [response] = emulator.state.deep_link_responses
    assert [r["title"] for r in response["created"]] == ["Portfolio and ARCP preparation (Spring 2027)"]
    edition = db.scalars(select(Edition)).one()
    course = db.scalars(select(Course)).one()
    assert edition.course_id == course.id

    page.goto(emulator.state.prepare_launch(user_id="instructor-1"))
    page.wait_for_load_state()
    tool = emulator.settings.tool_launch_url.rsplit("/lti/", 1)[0]
    page.goto(f"{tool}/course/{course.id}/editions")
    page.wait_for_selector("h1:has-text('Editions')")
    assert page.locator("td", has_text="Spring 2027").count() == 1
    _no_axe_violations(page)
