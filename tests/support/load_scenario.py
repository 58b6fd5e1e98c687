"""A scripted crowd of learners over real HTTP: launch → overview → every page → quiz → completion.

Shared by ``bench/load_test.py`` (gunicorn, PostgreSQL, many learners) and ``tests/load/test_load_smoke.py``
(a handful of learners, so CI runs the same code). Correct answers come from the published question rows, so
every learner passes and completes; ``check_grades`` then compares the tool's outbox with the emulator's grade book.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_platform_emulator import DEFAULT_CONTEXT_ID, PlatformState
from lti_tool.models import GradeSync, Module, QuizVersion, User
from tests.support.lti_world import form_of
from tests.support.quiz_form import QuestionKey, answer_fields, correct_answer, field_of

MODULE_SLUG = "img-supervision"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ATTEMPT = re.compile(r'/attempt/(\d+)/submit"')
REFLECTION_TEXT = "I will meet my new colleague in their first week and agree a plan together."


@dataclass(frozen=True)
class QuizPlan:
    slug: str
    questions: tuple[QuestionKey, ...]

    @property
    def answers(self) -> dict[str, Any]:
        """The right answer to every question, in content ids (the form's tokens are read from each attempt)."""
        return {q.slug: correct_answer(q, REFLECTION_TEXT) for q in self.questions}


@dataclass(frozen=True)
class ModulePlan:
    module_slug: str
    page_slugs: list[str]
    quizzes: list[QuizPlan]


def module_plan(session: Session, module_slug: str = MODULE_SLUG) -> ModulePlan:
    """Pages and quizzes of the module's current version, with the correct answers from the database."""
    module = session.scalars(select(Module).where(Module.slug == module_slug)).one()
    pages = sorted(module.current_version.pages, key=lambda p: p.position)
    quizzes = []
    for page in pages:
        if page.quiz_version_id is None:
            continue
        version = session.get(QuizVersion, page.quiz_version_id)
        quizzes.append(QuizPlan(version.quiz.slug, tuple(QuestionKey.of(q) for q in version.questions)))
    return ModulePlan(module_slug, [p.slug for p in pages], quizzes)


@dataclass
class Recorder:
    """Latencies per request type and the errors seen, from many threads."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    failed_responses: list[requests.Response] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None

    def request(self, kind: str, browser: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
        begun = time.perf_counter()
        response = browser.request(method, url, timeout=30, **kwargs)
        elapsed = time.perf_counter() - begun
        with self.lock:
            self.timings[kind].append(elapsed)
        if not 200 <= response.status_code < 400:
            with self.lock:
                self.failed_responses.append(response)
            raise RequestFailed(f"{kind} {method} {url} → {response.status_code}: {response.text[:300]!r}")
        return response

    def total_requests(self) -> int:
        return sum(len(t) for t in self.timings.values())

    def summary(self) -> list[tuple[str, int, float, float, float]]:
        """(request type, count, p50 ms, p95 ms, p99 ms) per type, then overall."""
        rows = [(kind, values) for kind, values in sorted(self.timings.items())]
        rows.append(("all", [v for values in self.timings.values() for v in values]))
        return [(kind, len(values), *percentiles_ms(values)) for kind, values in rows if values]


class RequestFailed(Exception):
    pass


def percentiles_ms(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0] * 1000,) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values) * 1000, cuts[94] * 1000, cuts[98] * 1000


def found(pattern: re.Pattern[str], text: str, what: str) -> str:
    match = pattern.search(text)
    if match is None:
        raise RequestFailed(f"no {what}")
    return match.group(1)


def launch_and_read(state: PlatformState, plan: ModulePlan, user_id: str,
                    recorder: Recorder) -> tuple[requests.Session, str]:
    """Launch from the platform, open the overview and read every page; returns the browser and the module URL."""
    browser = requests.Session()
    auth_page = recorder.request("login", browser, "GET", state.prepare_launch(user_id=user_id, role="learner"))
    action, fields = form_of(auth_page.text)
    overview = recorder.request("launch", browser, "POST", action, data=fields)
    module_url = overview.url.split("?")[0].rstrip("/")  # the first page carries the launch's used-up hand-off
    if f"/module/{plan.module_slug}" not in module_url:
        raise RequestFailed(f"launch landed on {overview.url}")
    recorder.request("overview", browser, "GET", module_url + "/")
    for slug in plan.page_slugs:
        recorder.request("page", browser, "GET", f"{module_url}/page/{slug}")
    return browser, module_url


def start_quiz(browser: requests.Session, module_url: str, quiz: QuizPlan,
               recorder: Recorder) -> tuple[str, str, dict[str, Any]]:
    """Open the quiz and start an attempt, then save each answer; returns (attempt URL, CSRF token, the fields
    that submit every right answer in this attempt's form)."""
    quiz_url = f"{module_url}/quiz/{quiz.slug}/"
    start_page = recorder.request("quiz start page", browser, "GET", quiz_url)
    token = found(CSRF, start_page.text, "a CSRF token on the quiz's start page")
    form = recorder.request("quiz start", browser, "POST", quiz_url + "start", data={"csrf_token": token})
    attempt_url = f"{quiz_url}attempt/{found(ATTEMPT, form.text, 'an attempt form after starting the quiz')}/"
    every_answer: dict[str, Any] = {}
    for question, answer in quiz.answers.items():
        fields = answer_fields(form.text, quiz.questions, {question: answer})
        kind = "reflection save" if answer == REFLECTION_TEXT else "answer save"
        recorder.request(kind, browser, "POST", attempt_url + "answer",
                         data={"csrf_token": token, "question": field_of(form.text, quiz.questions, question),
                               **fields})
        every_answer.update(fields)
    return attempt_url, token, every_answer


def learner_journey(state: PlatformState, plan: ModulePlan, user_id: str, recorder: Recorder) -> None:
    """One learner from the platform's launch to the completion page; raises RequestFailed on any error."""
    browser, module_url = launch_and_read(state, plan, user_id, recorder)
    for quiz in plan.quizzes:
        attempt_url, token, answers = start_quiz(browser, module_url, quiz, recorder)
        result = recorder.request("quiz submit", browser, "POST", attempt_url + "submit",
                                  data={"csrf_token": token, **answers})
        if "attempt/" not in result.url:
            raise RequestFailed(f"quiz submit ended on {result.url}")
    summary = recorder.request("completion", browser, "GET", module_url + "/complete")
    if "You have completed" not in summary.text:
        raise RequestFailed("the completion page does not say the module is complete")
    with recorder.lock:
        recorder.completed.append(user_id)


def run_crowd(state: PlatformState, plan: ModulePlan, *, learners: int, seconds: float, concurrency: int,
              prefix: str = "load", arrival_seconds: float = 0.0) -> Recorder:
    """Up to ``learners`` journeys, ``concurrency`` at a time, starting none after ``seconds``; with
    ``arrival_seconds`` the n-th learner arrives no earlier than n × that after the start."""
    recorder = Recorder()
    user_ids = [f"{prefix}-{n:04d}" for n in range(learners)]
    for user_id in user_ids:
        state.add_member(DEFAULT_CONTEXT_ID, user_id, "Load", f"Learner {user_id}", role="learner")
    began = time.monotonic()

    def one(numbered: tuple[int, str]) -> None:
        number, user_id = numbered
        time.sleep(max(0.0, began + number * arrival_seconds - time.monotonic()))
        if time.monotonic() > began + seconds:
            return
        try:
            learner_journey(state, plan, user_id, recorder)
        except (RequestFailed, requests.RequestException) as problem:
            with recorder.lock:
                recorder.errors.append(f"{user_id}: {problem}")

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, enumerate(user_ids)))
    recorder.finished = time.perf_counter()
    return recorder


def check_grades(session: Session, state: PlatformState, completed: list[str]) -> list[str]:
    """Problems with grade delivery: each completed learner needs a sent outbox row and exactly one final score."""
    problems = []
    course = state.course(DEFAULT_CONTEXT_ID)
    final_scores: dict[str, int] = defaultdict(int)
    for scores in course.scores.values():
        for score in scores:
            body = score.body
            if body.get("activityProgress") == "Completed" and body.get("gradingProgress") == "FullyGraded":
                final_scores[score.user_id] += 1
    for user_id in completed:
        user = session.scalars(select(User).where(User.sub == user_id)).one_or_none()
        if user is None:
            problems.append(f"{user_id}: no user row")
            continue
        rows = session.scalars(select(GradeSync).where(GradeSync.user_sub == user_id,
                                                       GradeSync.activity_progress == "Completed")).all()
        if not any(row.status == "sent" for row in rows):
            problems.append(f"{user_id}: no sent final grade row ({[(r.status, r.last_error) for r in rows]})")
        if final_scores.get(user_id, 0) != 1:
            problems.append(f"{user_id}: {final_scores.get(user_id, 0)} final scores in the grade book")
    return problems


def format_report(recorder: Recorder) -> str:
    elapsed = (recorder.finished or time.perf_counter()) - recorder.started
    lines = [f"{len(recorder.completed)} learners completed in {elapsed:.1f} s; "
             f"{recorder.total_requests()} requests, {recorder.total_requests() / elapsed:.1f} requests/s; "
             f"{len(recorder.errors)} errors",
             f"{'request':<16} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"]
    for kind, count, p50, p95, p99 in recorder.summary():
        lines.append(f"{kind:<16} {count:>6} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")
    lines.extend(f"  error: {error}" for error in recorder.errors[:5])
    return "\n".join(lines)
