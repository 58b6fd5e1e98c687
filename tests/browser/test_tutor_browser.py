"""The tutor pages in a real browser: filters, detail, analysis, CSV export and re-send; axe finds no violations.

The app is served by werkzeug in a thread; the browser signs in through ``/lti/resume`` with a hand-off token,
exactly as after a real launch.
"""

from __future__ import annotations

import csv
import secrets
import threading
from collections.abc import Iterator

import pytest
from axe_playwright_python import sync_playwright as axe_module
from playwright import sync_api as playwright_api
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from tests.support import tutor_factories as f
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def server(app) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page() -> Iterator:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def scenario(db: Session):
    s = f.Scenario(db)
    launch = f.launch(db, s.tutor, s.course, role="tutor")
    launch.handoff_token = secrets.token_urlsafe(24)
    s.handoff = launch.handoff_token
    db.commit()
    return s


def assert_accessible(page) -> None:
    results = axe_module.Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def sign_in_as_tutor(page, server: str, scenario) -> None:
    page.goto(f"{server}/lti/resume?h={scenario.handoff}&window=new")
    assert page.url.endswith(f"/course/{scenario.course.id}/tutor/")


def test_tutor_filters_the_course_view_and_exports_the_filtered_rows(page, server, scenario, tmp_path):
    sign_in_as_tutor(page, server, scenario)
    assert "Roster from Blackboard, updated 5 minutes ago." in page.locator("#roster-status").inner_text()
    assert_accessible(page)

    page.select_option("#f-module", "img-supervision")
    page.select_option("#f-state", "not_started")
    page.click("button:has-text('Show')")
    page.wait_for_url("**state=not_started**")
    matrix = page.locator("#matrix tbody")
    matrix.locator("th[scope=row]").first.wait_for()
    assert matrix.locator("th[scope=row]").all_inner_texts()[0].startswith("Dara Nowak")
    assert matrix.locator("tr").count() == 1
    assert "state=not_started" in page.url and "module=img-supervision" in page.url
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.click("#export-csv")
    target = tmp_path / "export.csv"
    download_info.value.save_as(target)
    rows = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert [(row["Name"], row["Module id"], row["State"]) for row in rows] == [
        ("Dara Nowak", "img-supervision", "Not started")]


def test_tutor_finds_who_failed_the_arcp_quiz_twice(page, server, scenario):
    sign_in_as_tutor(page, server, scenario)
    page.select_option("#f-quiz", "portfolio-arcp-check")
    page.fill("#f-failed", "2")
    page.click("button:has-text('Show')")
    page.wait_for_url("**failed_attempts=2**")
    page.locator("#matrix tbody th[scope=row] a").first.wait_for()
    names = page.locator("#matrix tbody th[scope=row] a").all_inner_texts()
    assert names == ["Amara Okafor"]


def test_detail_page_shows_answers_and_resends_a_failed_grade(page, server, scenario):
    sign_in_as_tutor(page, server, scenario)
    page.click("#matrix >> text=Amara Okafor")
    assert page.locator("h1").inner_text() == "Amara Okafor"
    assert page.locator("text=I will tag my evidence every month.").is_visible()
    assert page.locator("caption", has_text="ARCP check, attempt 1").count() == 1
    assert_accessible(page)

    page.click("button:has-text('Send grade again')")
    assert page.locator(".notice--success").inner_text() == "The score is queued to be sent to Blackboard again."
    assert page.locator("button:has-text('Send grade again')").count() == 0
    assert page.locator("text=Grade waiting to send").count() == 1


def test_question_analysis_page_lists_each_question(page, server, scenario):
    sign_in_as_tutor(page, server, scenario)
    page.click("text=How each question of “ARCP check” was answered")
    page.wait_for_url("**/tutor/quiz/**")
    rows = page.locator("#questions tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert "Outcome 1 (2)" in rows.nth(0).inner_text()
    assert_accessible(page)


def test_the_people_table_fits_a_1280px_window_without_scrolling_sideways(page, server, scenario):
    page.set_viewport_size({"width": 1280, "height": 700})
    sign_in_as_tutor(page, server, scenario)
    scroller = page.locator(".table-scroll", has=page.locator("#matrix"))
    scroll_width, client_width = scroller.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert scroll_width <= client_width, f"the people table is {scroll_width}px wide in a {client_width}px box"
