"""The shared header and the admin navigation in headless Chromium, at a Blackboard iframe's size (1280 × 700)
and at 320 px: who is signed in and as what, the way to the admin pages and back, axe finds no violations and
no page logs a console error (the favicon included).

The browser signs in through ``/lti/resume`` with a hand-off token, exactly as after a real launch.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from sqlalchemy.orm import Session

from lti_platform_emulator import serve_in_thread
from tests.support import tutor_factories as f
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

IFRAME_SIZES = ({"width": 1280, "height": 700}, {"width": 320, "height": 700})
ADMIN_PAGES = (("Platforms", "Platforms and deployments"), ("Audit log", "Audit log"),
               ("Connect a platform", "Connect a platform"), ("Modules and quizzes", "Modules and quizzes"))

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app) -> Iterator[str]:
    running = serve_in_thread(app)
    yield running.url
    running.stop()


@pytest.fixture
def browser() -> Iterator:
    assert Path(CHROMIUM).exists(), f"the browser tests need Debian's chromium at {CHROMIUM} (./test.sh installs it)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def scenario(db: Session):
    s = f.Scenario(db)
    s.admin = f.person(db, s.course, name="Dana Whitfield", role="admin", source="launch")
    s.handoffs = {}
    for role, person in (("admin", s.admin), ("learner", s.amara)):
        admin = role == "admin"
        launch = f.launch(db, person, s.course, role="tutor" if admin else role, platform_admin=admin, content=admin)
        launch.handoff_token = secrets.token_urlsafe(24)
        s.handoffs[role] = launch.handoff_token
    db.commit()
    return s


def open_as(browser, server: str, handoff: str, size: dict):
    """A fresh browser window signed in with one launch, recording console errors and uncaught exceptions."""
    context = browser.new_context(viewport=size)
    page = context.new_page()
    page.set_default_timeout(30000)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.goto(f"{server}/lti/resume?h={handoff}&window=new")
    return page


def check(page, label: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{label} scrolls sideways at {width}px ({scroll_width}px wide)"


@pytest.mark.parametrize("size", IFRAME_SIZES, ids=lambda size: f"{size['width']}px")
def test_an_admin_goes_from_the_course_to_every_admin_page_and_back(browser, server, scenario, size):
    page = open_as(browser, server, scenario.handoffs["admin"], size)
    page.wait_for_url(f"**/course/{scenario.course.id}/tutor/")
    signed_in = page.locator("#signed-in")
    assert " ".join(signed_in.inner_text().split()) == (
        "Signed in as Dana Whitfield Tutor, administrator in Paediatrics IMG programme")
    assert page.locator("#admin-offer").get_by_role("link", name="Open the administration pages").is_visible()
    check(page, f"admin landing at {size['width']}px")

    page.get_by_role("navigation", name="Tool sections").get_by_role("link", name="Administration").click()
    page.wait_for_url("**/admin/")
    admin_nav = page.get_by_role("navigation", name="Administration")
    assert admin_nav.get_by_role("link", name="Overview").get_attribute("aria-current") == "page"
    check(page, f"admin home at {size['width']}px")
    for link, heading in ADMIN_PAGES:
        admin_nav.get_by_role("link", name=link, exact=True).click()
        page.get_by_role("heading", level=1, name=heading).wait_for()
        assert admin_nav.get_by_role("link", name=link, exact=True).get_attribute("aria-current") == "page"
        assert signed_in.is_visible()
        check(page, f"{heading} at {size['width']}px")

    page.get_by_role("navigation", name="Tool sections").get_by_role("link", name="Course progress").click()
    page.wait_for_url(f"**/course/{scenario.course.id}/tutor/")
    assert page.console_errors == []


@pytest.mark.parametrize("size", IFRAME_SIZES, ids=lambda size: f"{size['width']}px")
def test_a_learner_sees_who_they_are_and_no_admin_link_and_no_console_errors(browser, server, scenario, size):
    page = open_as(browser, server, scenario.handoffs["learner"], size)
    page.wait_for_url(f"**/course/{scenario.course.id}/**")
    assert " ".join(page.locator("#signed-in").inner_text().split()) == (
        "Signed in as Amara Okafor Learner in Paediatrics IMG programme")
    sections = page.get_by_role("navigation", name="Tool sections")
    assert sections.get_by_role("link").all_inner_texts() == ["Your modules", "Sign out"]
    check(page, f"learner landing at {size['width']}px")
    sections.get_by_role("link", name="Your modules").click()
    page.wait_for_url(f"**/course/{scenario.course.id}/")
    check(page, f"learner's modules at {size['width']}px")
    assert page.console_errors == []

    page.goto(f"{server}/course/{scenario.course.id}/tutor/")  # Chromium logs the 403 itself as a console error
    assert page.locator("h1").inner_text() == "You do not have access to this page"
    assert " ".join(page.locator("#signed-in").inner_text().split()).startswith("Signed in as Amara Okafor")
    check(page, f"forbidden page at {size['width']}px")
