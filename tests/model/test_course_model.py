"""A model-based test of a whole course: Hypothesis drives learners, an instructor and a failing platform through
the real tool and the platform emulator over HTTP, on a real database, and checks the grade book after every step.

The course: the three shipped modules behind a plain course link, a deep-linked supervision link and a deep-linked
ARCP edition link (their columns carry the resourceId deep linking gives them). Each example gets a course (context)
of its own in the same tool and emulator. Rules: launch through any link, read a page, submit a quiz right or
wrong, create an edition, send grades with the platform healthy, or while it fails (5xx, 429, a stale token
answered 401 or 403, a time-out). Invariants: each platform column holds the scores of one (module, edition); a
Completed score is never followed by a lower one for the same learner in the same column (no content changes
here, so no major version either); after a healthy sync the platform's latest score for every learner and column
is the tool's own view of that learner's progress; a learner never loses access to a module they started.

Profiles (tests/conftest.py): ``ci`` by default, bounded for CI; ``--hypothesis-profile=long`` explores more.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import defaultdict
from datetime import timedelta

import pytest
import requests
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from lti_tool.db import session_factory
from lti_tool.lti.gradebook import SCORE_MAXIMUM, resource_id_for
from lti_tool.lti.outbox import OutboxSettings, run_pass
from lti_tool.models import Course, Edition, GradeSync, Progress, User, utcnow
from tests.support.load_scenario import CSRF, REFLECTION_TEXT, found, module_plan
from tests.support.lti_world import form_of
from tests.support.quiz_form import answer_fields

LEARNERS = ("learner-1", "learner-2", "learner-3")
MODULES = ("img-supervision", "portfolio-arcp", "img-handbook")
LINKS = ("plain", "supervision", "arcp-edition")
FAULTS = ("503", "429", "stale-401", "stale-403", "time-out")
ATTEMPT = re.compile(r'/attempt/(\d+)/submit"')
COURSE_PATH = re.compile(r"(/course/\d+)/")
COUNTER = itertools.count(1)


@pytest.fixture
def test_config(test_config: dict) -> dict:
    return {**test_config, "HTTP_TIMEOUT_SECONDS": 1, "GRADE_RETRY_BASE_SECONDS": 0.02,
            "GRADE_RETRY_MAX_SECONDS": 0.1, "GRADE_CLAIM_SECONDS": 30, "RATE_LIMIT_LTI": "100000 per minute"}


def local_input(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


class CourseMachine(RuleBasedStateMachine):
    """One course, its learners and its platform; ``world`` and ``db`` are set by the test before a run."""

    world = None
    db = None
    plans: dict = {}

    # ------------------------------------------------------------------ set-up

    @initialize()
    def make_course(self) -> None:
        self.context_id = f"model-{next(COUNTER)}"
        state = self.state = self.world.platform_state
        state.settings.stale_token_status = 401
        state.faults.clear()
        state.add_member(self.context_id, "instructor-1", "Helen", "Tutor", role="instructor")
        for user_id in LEARNERS:
            state.add_member(self.context_id, user_id, "Learner", user_id[-1])
        self.link_ids = {"plain": state.add_resource_link(self.context_id, "Bridging the Gaps").id}
        supervision = state.add_resource_link(self.context_id, "Supervising IMGs", score_maximum=100,
                                              custom={"module": "img-supervision"})
        self.deep_linked_column(supervision, "img-supervision")
        self.link_ids["supervision"] = supervision.id
        self.browsers: dict[tuple[str, str], tuple[requests.Session, str]] = {}
        self.started: set[tuple[str, str, str]] = set()
        self.editions_made = 0
        instructor, course_path = self.launch_as("instructor-1", "plain", role="instructor")
        self.instructor = (instructor, course_path)
        self.course_id = int(course_path.rsplit("/", 1)[1])
        edition_id = self.make_edition()
        arcp = state.add_resource_link(self.context_id, "Portfolio and ARCP (spring)", score_maximum=100,
                                       custom={"module": "portfolio-arcp", "edition": str(edition_id)})
        self.deep_linked_column(arcp, resource_id_for("portfolio-arcp", self.db.get(Edition, edition_id)))
        self.link_ids["arcp-edition"] = arcp.id

    def deep_linked_column(self, link, resource_id: str) -> None:
        """The column the platform made from the tool's deep-linking answer carries the tool's resourceId."""
        item = self.state.course(self.context_id).lineitems[link.lineitem_id]
        item.resource_id, item.tag = resource_id, resource_id.split("/")[0]

    def launch_as(self, user_id: str, link: str, role: str = "learner") -> tuple[requests.Session, str]:
        browser = requests.Session()
        login = self.state.prepare_launch(user_id=user_id, role=role, context_id=self.context_id,
                                          resource_link_id=self.link_ids[link])
        action, fields = form_of(self.ok(browser.get(login, timeout=10)).text)
        landing = self.ok(browser.post(action, data=fields, timeout=10))
        match = COURSE_PATH.search(landing.url)
        assert match, f"{user_id} through the {link} link landed on {landing.url}"
        return browser, self.world.tool_url + match.group(1)

    @staticmethod
    def ok(response: requests.Response) -> requests.Response:
        assert response.status_code < 500, f"{response.request.method} {response.url}: {response.status_code}"
        return response

    def make_edition(self) -> int:
        browser, course_url = self.instructor
        token = found(CSRF, self.ok(browser.get(f"{course_url}/editions", timeout=10)).text, "a CSRF token")
        self.editions_made += 1
        now = utcnow()
        name = f"Run {self.editions_made}"
        created = self.ok(browser.post(f"{course_url}/editions", timeout=10, data={
            "csrf_token": token, "module": "portfolio-arcp", "name": name,
            "opens": local_input(now - timedelta(days=self.editions_made)),
            "due": local_input(now + timedelta(days=30)), "closes": local_input(now + timedelta(days=40))}))
        assert created.status_code == 200, created.text[:300]
        self.db.expire_all()
        return self.db.scalars(select(Edition.id).where(Edition.course_id == self.course_id,
                                                         Edition.name == name)).one()

    # ------------------------------------------------------------------ rules

    @rule(user_id=st.sampled_from(LEARNERS), link=st.sampled_from(LINKS))
    def launch(self, user_id: str, link: str) -> None:
        self.browsers[(user_id, link)] = self.launch_as(user_id, link)

    def browser_for(self, user_id: str, link: str) -> tuple[requests.Session, str]:
        if (user_id, link) not in self.browsers:
            self.launch(user_id, link)
        return self.browsers[(user_id, link)]

    def read(self, user_id: str, link: str, module: str, pages: list[str]) -> None:
        browser, course_url = self.browser_for(user_id, link)
        for page in pages:
            response = self.ok(browser.get(f"{course_url}/module/{module}/page/{page}", timeout=10))
            if response.status_code == 200:
                self.started.add((user_id, link, module))
            else:
                assert (user_id, link, module) not in self.started, f"{user_id} via {link} lost {module}"

    @rule(user_id=st.sampled_from(LEARNERS), link=st.sampled_from(LINKS), module=st.sampled_from(MODULES),
          page=st.integers(0, 20))
    def read_a_page(self, user_id: str, link: str, module: str, page: int) -> None:
        slugs = self.plans[module].page_slugs
        self.read(user_id, link, module, [slugs[page % len(slugs)]])

    @rule(user_id=st.sampled_from(LEARNERS), link=st.sampled_from(LINKS), module=st.sampled_from(MODULES))
    def read_every_page(self, user_id: str, link: str, module: str) -> None:
        self.read(user_id, link, module, self.plans[module].page_slugs)

    @rule(user_id=st.sampled_from(LEARNERS), link=st.sampled_from(LINKS), module=st.sampled_from(MODULES[:2]),
          right=st.booleans())
    def submit_quiz(self, user_id: str, link: str, module: str, right: bool) -> None:
        browser, course_url = self.browser_for(user_id, link)
        for quiz in self.plans[module].quizzes:
            quiz_url = f"{course_url}/module/{module}/quiz/{quiz.slug}/"
            start_page = self.ok(browser.get(quiz_url, timeout=10))
            if start_page.status_code != 200 or 'name="csrf_token"' not in start_page.text:
                return
            token = found(CSRF, start_page.text, "a CSRF token")
            attempt = self.ok(browser.post(quiz_url + "start", data={"csrf_token": token}, timeout=10))
            number = ATTEMPT.search(attempt.text)
            if number is None:  # no attempts left, or the module is not open to this learner
                return
            self.started.add((user_id, link, module))
            wanted = {question: answer for question, answer in quiz.answers.items()
                      if right or answer == REFLECTION_TEXT}  # wrong: only the reflections, scored ones left blank
            answers = answer_fields(attempt.text, quiz.questions, wanted)
            self.ok(browser.post(f"{quiz_url}attempt/{number.group(1)}/submit",
                                 data={"csrf_token": token, **answers}, timeout=10))

    @rule(user_id=st.sampled_from(LEARNERS), link=st.sampled_from(LINKS), module=st.sampled_from(MODULES[:2]))
    def complete_module(self, user_id: str, link: str, module: str) -> None:
        """Every page, then the quiz answered right: the way most learners finish."""
        self.read_every_page(user_id, link, module)
        self.submit_quiz(user_id, link, module, right=True)

    @precondition(lambda self: self.editions_made < 3)
    @rule()
    def create_edition(self) -> None:
        self.make_edition()
        self.check_access()

    @rule(fault=st.sampled_from(FAULTS))
    def send_while_the_platform_fails(self, fault: str) -> None:
        faults = self.state.faults
        if fault == "503":
            faults.fail_next("scores", 503, count=2)
            faults.fail_next("token", 503)
        elif fault == "429":
            faults.fail_next("scores", 429, count=2, retry_after=0)
        elif fault.startswith("stale"):
            self.state.settings.stale_token_status = int(fault[-3:])
            self.state.expire_access_tokens()
        else:
            faults.delay("scores", 1.3, count=1)
        run_pass(session_factory(self.world.app), OutboxSettings.from_config(self.world.app.config))
        faults.clear()
        self.state.settings.stale_token_status = 401

    @rule()
    def sync(self) -> None:
        """Send everything due with the platform healthy (waiting out short back-offs), then compare."""
        factory = session_factory(self.world.app)
        settings = OutboxSettings.from_config(self.world.app.config)
        deadline = time.monotonic() + 20
        while True:
            run_pass(factory, settings)
            self.db.expire_all()
            pending = self.db.scalars(select(GradeSync.id).where(GradeSync.course_id == self.course_id,
                                                                 GradeSync.status == "pending")).first()
            if pending is None:
                break
            assert time.monotonic() < deadline, "grades still pending with the platform healthy"
            time.sleep(0.05)
        self.platform_agrees_with_the_tool()
        self.check_access()

    # ------------------------------------------------------------------ what must hold

    def platform_scores(self) -> dict[str, list[dict]]:
        course = self.state.course(self.context_id)
        return {item_id: [s.body for s in self.state.scores(self.context_id, item_id)] for item_id in course.lineitems}

    def sent_rows(self) -> dict[tuple[str, str], GradeSync]:
        """The tool's rows by (learner, timestamp): what each platform score was sent for."""
        self.db.expire_all()
        rows = self.db.scalars(select(GradeSync).where(GradeSync.course_id == self.course_id))
        return {(row.user_sub, row.timestamp): row for row in rows}

    def column_of(self, url: str | None) -> str | None:
        return url.rstrip("/").rsplit("/", 1)[-1] if url else None

    @invariant()
    def each_column_holds_one_module_and_edition(self) -> None:
        if not hasattr(self, "course_id"):
            return
        rows = self.sent_rows()
        for column, scores in self.platform_scores().items():
            resources = {rows[(s["userId"], s["timestamp"])].resource_id for s in scores}
            assert len(resources) <= 1, f"column {column} holds scores of {sorted(resources)}"

    @invariant()
    def a_completed_score_is_never_followed_by_a_lower_one(self) -> None:
        if not hasattr(self, "course_id"):
            return
        for column, scores in self.platform_scores().items():
            completed: set[str] = set()
            for score in scores:
                if score["activityProgress"] == "Completed":
                    completed.add(score["userId"])
                assert score["userId"] not in completed or score["activityProgress"] == "Completed", \
                    f"{score['userId']} went from Completed to {score['activityProgress']} in {column}"

    def platform_agrees_with_the_tool(self) -> None:
        self.db.expire_all()
        scores = self.platform_scores()
        for progress in self.db.scalars(select(Progress).where(Progress.course_id == self.course_id)):
            latest = self.db.scalars(select(GradeSync).where(GradeSync.progress_id == progress.id,
                                                             GradeSync.status == "sent")
                                     .order_by(GradeSync.id.desc()).limit(1)).first()
            if latest is None:
                assert progress.module_slug == "img-handbook", f"nothing sent for {progress.module_slug}"
                continue
            user = self.db.get(User, progress.user_id)
            column = self.column_of(latest.lineitem_url)
            mine = [s for s in scores.get(column, []) if s["userId"] == user.sub]
            assert mine, f"{user.sub}: no score in {column} for {progress.module_slug}"
            shown = mine[-1]
            if progress.state == "completed":
                assert shown["activityProgress"] == "Completed"
                assert shown["scoreGiven"] == round((progress.score or 0) * SCORE_MAXIMUM, 2)
            else:
                assert shown["activityProgress"] != "Completed" and "scoreGiven" not in shown, \
                    f"{user.sub} {progress.module_slug}: tool says {progress.state}, platform {shown}"

    def check_access(self) -> None:
        """Every module a learner started (through a link) still opens through that link."""
        for user_id, link, module in sorted(self.started):
            browser, course_url = self.browsers[(user_id, link)]
            response = self.ok(browser.get(f"{course_url}/module/{module}/", timeout=10))
            assert response.status_code == 200, f"{user_id} via {link} lost {module}: {response.status_code}"

    def teardown(self) -> None:
        if hasattr(self, "course_id"):
            self.sync()
        for browser, _ in getattr(self, "browsers", {}).values():
            browser.close()


def test_the_course_grade_book_stays_true_whatever_learners_instructors_and_the_platform_do(lti_world, app, db):
    CourseMachine.world, CourseMachine.db = lti_world, db
    CourseMachine.plans = {slug: module_plan(db, slug) for slug in MODULES}
    assert db.scalars(select(Course)).first() is None
    run_state_machine_as_test(CourseMachine)
    reached = db.scalars(select(GradeSync.status)).all()
    assert "sent" in reached
    counts = defaultdict(int)
    for status in reached:
        counts[status] += 1
    assert counts["failed"] == 0, counts
