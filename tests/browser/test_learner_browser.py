"""The learner's pages in headless Chromium against a real server: axe, keyboard only, 320px wide."""

from __future__ import annotations

import re
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, assert_fits
from tests.support.launches import make_course, make_launch
from tests.support.learning_factories import CORRECT_ANSWERS, DEMO_QUESTIONS, publish_demo_module

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(app, db):
    publish_demo_module(db, shuffle="both")
    course = make_course(db)
    arranged = make_launch(db, course, module_slug="img-demo")
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{http.server_port}"
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"launches": {str(arranged.course_id): arranged.launch_id}})
    yield base, arranged.course_id, {"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": base}
    http.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page_for(browser, server):
    base, course_id, cookie = server
    contexts = []

    def open_page(width: int = 1024):
        context = browser.new_context(viewport={"width": width, "height": 800})
        context.add_cookies([cookie])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30000)
        return page

    yield open_page, f"{base}/course/{course_id}/module/img-demo"
    for context in contexts:
        context.close()


def assert_accessible(page, label: str) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


FOCUSED = """() => { const e = document.activeElement; const set = e.closest('fieldset');
    const label = e.id ? document.querySelector(`label[for="${e.id}"]`) : null;
    return {tag: e.tagName, type: e.type || '', text: e.textContent || '',
            question: set ? set.querySelector('h2').textContent.trim() : '',
            label: label ? label.textContent.trim() : '',
            chosen: e.tagName === 'SELECT' ? e.options[e.selectedIndex].text : ''}; }"""


def wanted_by_label(question: dict, answer) -> dict[str, str]:
    """What a learner picks or types, by the text they read: option label -> meaning or position to choose,
    for choices the labels to tick (as keys), for typed answers the text under the key ""."""
    if question["type"] in ("single", "truefalse", "multiple"):
        chosen = [answer] if isinstance(answer, str) else answer
        return {text: "tick" for slug, text, *_ in question["options"] if slug in chosen}
    if question["type"] == "match":
        meaning = {slug: text for slug, _term, text in question["options"]}
        return {term: meaning[answer[slug]] for slug, term, _text in question["options"]}
    if question["type"] == "order":
        return {text: str(answer[slug]) for slug, text in question["options"]}
    return {"": answer}


def answer_by_keyboard(page) -> None:
    """Tab through the quiz and answer every question with Space, arrows and typing, finding each answer by the
    question's title and the labels on screen (the form's names and values are tokens); Enter submits."""
    wanted = {q["title"]: wanted_by_label(q, CORRECT_ANSWERS[q["slug"]]) for q in DEMO_QUESTIONS}
    done_groups: set[str] = set()
    for _ in range(300):
        page.keyboard.press("Tab")
        field = page.evaluate(FOCUSED)
        if field["tag"] == "BUTTON" and "Submit" in field["text"]:
            page.keyboard.press("Enter")
            return
        if not field["question"]:
            continue
        answers = wanted[field["question"].partition(": ")[2]]
        if field["type"] == "radio" and field["question"] not in done_groups:
            while page.evaluate(FOCUSED)["label"] not in answers:
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Space")
            done_groups.add(field["question"])
        elif field["type"] == "checkbox" and field["label"] in answers:
            page.keyboard.press("Space")
        elif field["tag"] == "SELECT":
            for _ in range(10):
                if page.evaluate(FOCUSED)["chosen"] == answers[field["label"]]:
                    break
                page.keyboard.press("ArrowDown")
        elif field["tag"] in ("INPUT", "TEXTAREA") and field["type"] in ("text", "textarea"):
            page.keyboard.type(answers[""])
    raise AssertionError("never reached the submit button")


def test_pages_have_no_axe_violations_and_fit_320px(page_for):
    open_page, module_url = page_for
    for width in (1024, 320):
        page = open_page(width)
        for label, path in (("overview", "/"), ("page", "/page/page-1"), ("quiz start", "/quiz/demo-check/")):
            page.goto(module_url + path)
            assert_accessible(page, f"{label} at {width}px")
            assert_fits(page, width, label)


def test_quiz_states_result_and_summary_have_no_axe_violations(page_for):
    open_page, module_url = page_for
    page = open_page(320)
    for n in (1, 2, 3):
        page.goto(f"{module_url}/page/page-{n}")
    page.goto(module_url + "/quiz/demo-check/")
    page.get_by_role("button", name="Start the quiz").press("Enter")
    page.wait_for_selector("form[data-autosave-ready]")
    assert_accessible(page, "quiz, unanswered")
    assert_fits(page, 320, "quiz")
    page.get_by_role("button", name="Submit your answers").press("Enter")
    page.wait_for_selector(".nhsuk-error-summary")
    assert_accessible(page, "quiz with error summary")
    assert_fits(page, 320, "quiz with errors")
    page.get_by_label("Outcome 5").check()
    page.get_by_label("Your reflection").fill(CORRECT_ANSWERS["reflect"])
    # A locator, not wait_for_function: the tool's CSP forbids the eval that a string predicate needs.
    page.locator("#save-status").filter(has_text=re.compile("^Saved")).wait_for()
    assert_accessible(page, "quiz, answered")


def test_the_quiz_can_be_completed_with_the_keyboard_alone(page_for):
    open_page, module_url = page_for
    page = open_page()
    for n in (1, 2, 3):
        page.goto(f"{module_url}/page/page-{n}")
    page.goto(module_url + "/quiz/demo-check/")
    page.get_by_role("button", name="Start the quiz").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("form[data-autosave-ready]")
    answer_by_keyboard(page)
    page.wait_for_selector("text=100%: passed")
    assert_accessible(page, "result")
    assert_fits(page, 1024, "result")
    page.goto(module_url + "/complete")
    assert page.get_by_text("You have completed version 1 of this module").is_visible()
    assert_accessible(page, "completion summary")
    page.set_viewport_size({"width": 320, "height": 800})
    assert_fits(page, 320, "completion summary")


def test_answers_are_saved_as_given_and_survive_a_reload(page_for):
    open_page, module_url = page_for
    page = open_page()
    page.goto(module_url + "/quiz/demo-check/")
    page.get_by_role("button", name="Start the quiz").press("Enter")
    # Typing before the autosave script listens would save nothing: wait for the mark it sets when ready.
    page.wait_for_selector("form[data-autosave-ready]", state="attached")
    page.get_by_label("Your answer (in hours)").fill("48")
    status = page.locator("#save-status")
    status.filter(has_text="Saved").wait_for()
    page.reload()
    assert page.get_by_label("Your answer (in hours)").input_value() == "48"
