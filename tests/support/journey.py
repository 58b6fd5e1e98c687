"""Steps shared by the journeys: open a browser window, launch from the platform emulator, check every page
with axe (and screenshot it when JOURNEY_SCREENSHOTS names a folder), read modules and answer quizzes correctly
from the published rows, the way a person fills the form."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_platform_emulator import DEFAULT_CONTEXT_ID
from lti_tool.models import Module, Question, Quiz, QuizVersion
from tests.support.lti_world import LtiWorld
from tests.support.quiz_form import correct_answer, plain

REFLECTION = "I will meet my trainee in their first week and agree a plan for the rota, leave and induction."
_AXE = Axe()
MODULE_URL = re.compile(r"(/course/\d+)/module/([\w-]+)/$")


@dataclass
class Journey:
    """One person's windows on the tool, with every distinct page checked by axe once."""

    world: LtiWorld
    browser: Any
    db: Session
    checked: set[str] = field(default_factory=set)
    contexts: list[Any] = field(default_factory=list)

    @property
    def tool(self) -> str:
        return self.world.tool_url

    def window(self, width: int = 1024) -> Any:
        context = self.browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    def launch(self, page: Any, **scenario: Any) -> Any:
        """A real launch: the platform's login initiation, the tool's OIDC login, the emulator's auto-posted
        id_token, then the tool's hand-off; returns once the browser has landed on a tool page."""
        page.goto(self.world.platform_state.prepare_launch(**scenario))
        landed = re.compile(re.escape(self.tool) + r"/(?!lti/(login|launch))")
        page.wait_for_url(landed)
        page.wait_for_load_state()
        return page

    def check(self, page: Any, label: str) -> None:
        """axe finds no violations (once per distinct page); a screenshot when asked for."""
        shots = os.environ.get("JOURNEY_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
            page.screenshot(path=f"{shots}/{name}-{page.viewport_size['width']}.png", full_page=True)
        if label in self.checked:
            return
        self.checked.add(label)
        results = _AXE.run(page)
        assert results.violations_count == 0, f"{label} ({page.url}):\n{results.generate_report()}"

    def fits(self, page: Any, label: str) -> None:
        width = page.viewport_size["width"]
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{label} scrolls sideways at {width}px ({scroll}px wide)"

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def page_slugs(db: Session, module_slug: str) -> list[tuple[str, str]]:
    module = db.scalars(select(Module).where(Module.slug == module_slug)).one()
    return [(p.slug, p.title) for p in module.current_version.pages]


def read_every_page(journey: Journey, page: Any, course_path: str, module_slug: str) -> None:
    """Open the first page from the module overview, then follow "Next" to the end, checking each page."""
    slugs = page_slugs(journey.db, module_slug)
    for number, (slug, title) in enumerate(slugs, 1):
        page.goto(f"{journey.tool}{course_path}/module/{module_slug}/page/{slug}")
        assert page.locator("h1").first.inner_text().strip() == title
        journey.check(page, f"{module_slug} page {number}")


def current_quiz(db: Session, quiz_slug: str) -> QuizVersion:
    return db.scalars(select(QuizVersion).join(Quiz, Quiz.current_version_id == QuizVersion.id)
                      .where(Quiz.slug == quiz_slug)).one()


def answer_correctly(fieldset: Any, question: Question) -> None:
    """Fill one question with its right answer, as a person would: by the labels they read, click, tick, type,
    choose (the form's names and values are tokens that say nothing)."""
    answer = correct_answer(question, REFLECTION)
    options = {o.slug: o for o in question.options}

    def labelled(option_slug: str) -> Any:
        return fieldset.get_by_label(plain(options[option_slug].text_html), exact=True)

    if question.type in ("single", "truefalse"):
        labelled(answer).check()
    elif question.type == "multiple":
        for slug in answer:
            labelled(slug).check()
    elif question.type in ("numeric", "text", "reflection"):
        fieldset.locator("input[type=text], textarea").fill(answer)
    elif question.type == "match":
        for term, meaning in answer.items():
            labelled(term).select_option(label=plain(options[meaning].match_text))
    elif question.type == "order":
        for item, rank in answer.items():
            labelled(item).select_option(str(rank))
    else:
        raise AssertionError(f"no way to answer a {question.type} question")


def answer_quiz(page: Any, version: QuizVersion) -> int:
    """Answer every question the form shows (shuffled or picked, each found by its title); returns how many."""
    by_title = {q.title: q for q in version.questions}
    fieldsets = page.locator("fieldset[data-question]")
    for index in range(fieldsets.count()):
        fieldset = fieldsets.nth(index)
        heading = fieldset.locator("h2").inner_text().strip()
        answer_correctly(fieldset, by_title[heading.partition(": ")[2]])
    return fieldsets.count()


def course_link(journey: Journey, module_slug: str, title: str, *, graded: bool = True) -> str:
    link = journey.world.platform_state.add_resource_link(DEFAULT_CONTEXT_ID, title, custom={"module": module_slug},
                                                         score_maximum=100 if graded else None)
    return link.id


def land_in_module(journey: Journey, page, module_slug: str, resource_link_id: str) -> str:
    journey.launch(page, user_id="learner-1", role="learner", resource_link_id=resource_link_id)
    landed = MODULE_URL.search(page.url)
    assert landed and landed.group(2) == module_slug, page.url
    journey.check(page, f"{module_slug} overview")
    return landed.group(1)


def take_quiz(journey: Journey, page, course_path: str, module_slug: str, quiz_slug: str) -> None:
    page.goto(f"{journey.tool}{course_path}/module/{module_slug}/quiz/{quiz_slug}/")
    journey.check(page, "quiz start")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("form[data-autosave-ready]")
    journey.check(page, f"{quiz_slug} form")
    answered = answer_quiz(page, current_quiz(journey.db, quiz_slug))
    assert answered >= 10
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_url(re.compile(r"/attempt/1/$"))
    assert "100%: passed" in page.locator("main").inner_text()
    journey.check(page, "quiz result")


def assert_completed_with_certificate(journey: Journey, page, course_path: str, module_slug: str, title: str,
                                      *, graded: bool = True) -> None:
    page.goto(f"{journey.tool}{course_path}/module/{module_slug}/complete")
    main = page.locator("main").inner_text()
    assert "You have completed version 1 of this module" in main
    assert "Completed" in page.locator(".nhsuk-tag").first.inner_text()
    if graded:
        assert "waiting to be sent to your course's grade book" in page.locator("#grade-status").inner_text()
    else:
        assert page.locator("#grade-status").count() == 0, "a handbook has no grade-book column"
    journey.check(page, "completion summary")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    code = re.search(rb"/verify/([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})", pdf).group(1).decode()
    verify = journey.window()
    verify.goto(f"{journey.tool}/verify/{code}")
    assert "This is a genuine certificate issued by Bridging the Gaps." in verify.locator("main").inner_text()
    assert title in verify.locator("main").inner_text() and "Amara Okafor" in verify.locator("main").inner_text()
    journey.check(verify, "certificate check")
