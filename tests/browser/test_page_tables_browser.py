"""A page with a wide table, published through the real Markdown path, in headless Chromium at 320px: the
table scrolls inside a labelled region that a keyboard user can reach and scroll, and axe finds nothing."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from lti_platform_emulator import serve_in_thread
from lti_tool.content import publish
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, assert_fits
from tests.support.demo_content import DEMO_FILES, write_demo
from tests.support.launches import make_course, make_launch

pytestmark = pytest.mark.browser
WIDE_TABLE = """
| Grade | Basic pay | On-call supplement | Weekend allowance | London weighting | Typical rota pattern |
|:--|--:|--:|--:|--:|:--|
| Foundation year 1 | 36,616 | 8 per cent | 3 to 10 per cent | 2,162 | One in eight weekends |
| Specialty trainee 3 | 61,825 | 8 per cent | 3 to 10 per cent | 2,162 | One in six weekends |
"""


@pytest.fixture
def table_page(app, db, tmp_path):
    first = DEMO_FILES["modules/demo/01-first.md"] + WIDE_TABLE
    publish(db, write_demo(tmp_path / "content", {"modules/demo/01-first.md": first}))
    arranged = make_launch(db, make_course(db), module_slug="demo")
    running = serve_in_thread(app)
    base = running.url
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"launches": {str(arranged.course_id): arranged.launch_id}})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 320, "height": 800})
        context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": base}])
        page = context.new_page()
        page.set_default_timeout(30000)
        page.goto(f"{base}/course/{arranged.course_id}/module/demo/page/first")
        yield page
        context.close()
        browser.close()
    running.stop()


def test_a_wide_table_scrolls_in_a_focusable_labelled_region_at_320px_with_no_axe_violations(table_page):
    page = table_page
    region = page.get_by_role("region", name="Table: Grade")
    assert region.locator("table").count() == 1
    assert region.evaluate("e => e.scrollWidth > e.clientWidth"), "the table is wider than its region"
    assert_fits(page, 320, "a page with a wide table")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    for _ in range(20):
        page.keyboard.press("Tab")
        if region.evaluate("e => e === document.activeElement"):
            break
    assert region.evaluate("e => e === document.activeElement"), "Tab reaches the table's region"
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())
