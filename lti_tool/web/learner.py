"""Learner pages: the course's modules, a module's overview, its pages, quizzes, results and completion.

Thin views: parse the request, call ``lti_tool.learning``, render. Progress is keyed on the launch's user,
course and (for dated sessions) edition; every state change is committed here, at the end of the request.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..db import get_session
from ..learning import attempt_layout, editions, grades, quizzes
from ..learning.errors import AnswersIncomplete
from ..learning.progress import (
    Learner,
    course_modules,
    learner_progress,
    module_for_course,
    module_status,
    page_of,
    record_page_view,
    start_or_resume,
)
from ..lti.context import LaunchContext
from .auth import require_course_role

bp = Blueprint("learner", __name__)
MODULE = "/course/<int:course_id>/module/<module_slug>"
STATE_TAGS = {
    "not_started": ("Not started", "nhsuk-tag--grey"),
    "in_progress": ("In progress", "nhsuk-tag--blue"),
    "overdue": ("Overdue", "nhsuk-tag--red"),
    "completed": ("Completed", "nhsuk-tag--green"),
    "completed_not_passed": ("Completed, not passed", "nhsuk-tag--yellow"),
}


def _learner(launch: LaunchContext, course_id: int, module_slug: str,
             course_editions: list[editions.Edition] | None = None) -> Learner:
    """The learner's place in one module: a session module's edition is the one the launch names, else the one
    open now (a plain course link to a session module lands in the current edition)."""
    edition = editions.open_edition(get_session(), course_id, module_slug, launch_edition_id=launch.edition_id,
                                    course_editions=course_editions)
    return Learner(user_id=launch.user_id, course_id=course_id, edition_id=edition.id if edition else None,
                   resource_link_pk=launch.resource_link_pk)


def _resume(launch: LaunchContext, course_id: int, module_slug: str, *, start: bool = True):
    """The module, the learner's place in it and their progress (moved to a new major version with a notice,
    if due)."""
    db = get_session()
    module = module_for_course(db, course_id, module_slug, launch.module_slug, launch.user_id)
    learner = _learner(launch, course_id, module.slug)
    resumed = start_or_resume(db, learner, module, start=start)
    if resumed is not None and resumed.notice:
        flash(resumed.notice, "info")
    return module, learner, resumed.progress if resumed else None


@bp.app_template_filter("long_date")
def long_date(value: date | str | None) -> str:
    """``25 November 2026`` from a date or an ISO date text (as stored in a source); empty when there is none."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


@bp.app_template_global()
def state_tag(status) -> tuple[str, str]:
    """The label and NHS.UK tag colour of a module status."""
    if status.state == "completed" and status.passed is False:
        return STATE_TAGS["completed_not_passed"]
    return STATE_TAGS[status.state]


@bp.get("/course/<int:course_id>/")
@require_course_role("learner")
def course_home(launch: LaunchContext, course_id: int):
    db = get_session()
    versions = course_modules(db, course_id, launch.module_slug, launch.user_id)
    course_editions = editions.list_editions(db, course_id)
    progress_of = learner_progress(db, launch.user_id, course_id)
    rows = []
    for version in versions:
        learner = _learner(launch, course_id, version.module.slug, course_editions)
        progress = progress_of.get((version.module.slug, learner.edition_id or 0))
        rows.append((version, module_status(db, learner, version.module, progress=progress)))
    return render_template("learner/course_home.html", title="Your modules", course_id=course_id, rows=rows)


@bp.get(MODULE + "/")
@require_course_role("learner")
def module_home(launch: LaunchContext, course_id: int, module_slug: str):
    module, learner, progress = _resume(launch, course_id, module_slug, start=False)
    db = get_session()
    status = module_status(db, learner, module, progress=progress)
    db.commit()
    return render_template("learner/module_home.html", title=status.version.title, course_id=course_id,
                           module=module, status=status)


@bp.get(MODULE + "/page/<page_slug>")
@require_course_role("learner")
def page(launch: LaunchContext, course_id: int, module_slug: str, page_slug: str):
    module, learner, progress = _resume(launch, course_id, module_slug)
    db = get_session()
    version = progress.module_version
    current = page_of(version, page_slug)
    status = module_status(db, learner, module, progress=progress)
    seen = any(p.slug == page_slug and p.viewed for p in status.pages)
    if record_page_view(db, progress, page_slug, seen=seen):
        status = module_status(db, learner, module, progress=progress)
    db.commit()
    pages = list(version.pages)
    index = pages.index(current)
    return render_template("learner/page.html", title=current.title, course_id=course_id, module=module,
                           version=version, page=current, page_number=index + 1, status=status,
                           previous=pages[index - 1] if index > 0 else None,
                           next=pages[index + 1] if index + 1 < len(pages) else None)


def _quiz_url(endpoint: str, course_id: int, module_slug: str, quiz_slug: str, **values) -> str:
    return url_for(endpoint, course_id=course_id, module_slug=module_slug, quiz_slug=quiz_slug, **values)


@bp.get(MODULE + "/quiz/<quiz_slug>/")
@require_course_role("learner")
def quiz(launch: LaunchContext, course_id: int, module_slug: str, quiz_slug: str):
    module, learner, progress = _resume(launch, course_id, module_slug)
    db = get_session()
    place = quizzes.quiz_place(progress, quiz_slug)
    attempt = quizzes.open_attempt(db, progress, place.quiz_version)
    status = module_status(db, learner, module, progress=progress)
    db.commit()
    standing = next(q for q in status.quizzes if q.slug == quiz_slug)
    if attempt is None:
        return render_template("learner/quiz_start.html", title=place.quiz_version.title, course_id=course_id,
                               module=module, place=place, standing=standing)
    return _render_attempt(course_id, module, place, attempt, errors={})


def _render_attempt(course_id: int, module, place, attempt, errors: dict[str, str], status: int = 200):
    return render_template("learner/quiz.html", title=place.quiz_version.title, course_id=course_id, module=module,
                           place=place, attempt=attempt, questions=attempt_layout.attempt_form(attempt),
                           errors=errors), status


@bp.post(MODULE + "/quiz/<quiz_slug>/start")
@require_course_role("learner")
def quiz_start(launch: LaunchContext, course_id: int, module_slug: str, quiz_slug: str):
    module, _, progress = _resume(launch, course_id, module_slug)
    db = get_session()
    place = quizzes.quiz_place(progress, quiz_slug)
    quizzes.start_attempt(db, progress, place.quiz_version)
    db.commit()
    return redirect(_quiz_url("learner.quiz", course_id, module_slug, quiz_slug), code=303)


@bp.post(MODULE + "/quiz/<quiz_slug>/attempt/<int:number>/answer")
@require_course_role("learner")
def quiz_answer(launch: LaunchContext, course_id: int, module_slug: str, quiz_slug: str, number: int):
    """Autosave of one question's answer (progressive enhancement; the submit button works without it)."""
    module, _, progress = _resume(launch, course_id, module_slug)
    db = get_session()
    place = quizzes.quiz_place(progress, quiz_slug)
    attempt = quizzes.get_attempt(db, progress, place.quiz_version, number)
    question = request.form.get("question", "")
    responses = attempt_layout.responses_from_form(attempt, request.form.to_dict(flat=False), only=question)
    for slug, raw in responses.items():
        quizzes.save_answer(db, attempt, slug, raw)
    db.commit()
    return {"saved": bool(responses), "question": question}


@bp.post(MODULE + "/quiz/<quiz_slug>/attempt/<int:number>/submit")
@require_course_role("learner")
def quiz_submit(launch: LaunchContext, course_id: int, module_slug: str, quiz_slug: str, number: int):
    module, _, progress = _resume(launch, course_id, module_slug)
    db = get_session()
    place = quizzes.quiz_place(progress, quiz_slug)
    attempt = quizzes.get_attempt(db, progress, place.quiz_version, number, lock=True)
    if attempt.submitted_at is None:
        responses = attempt_layout.responses_from_form(attempt, request.form.to_dict(flat=False))
        try:
            quizzes.score_attempt(db, progress, attempt, responses, locked=True)
        except AnswersIncomplete as problem:
            db.commit()
            return _render_attempt(course_id, module, place, attempt, errors=problem.errors, status=400)
        db.commit()
    return redirect(_quiz_url("learner.quiz_result", course_id, module_slug, quiz_slug, number=number), code=303)


@bp.get(MODULE + "/quiz/<quiz_slug>/attempt/<int:number>/")
@require_course_role("learner")
def quiz_result(launch: LaunchContext, course_id: int, module_slug: str, quiz_slug: str, number: int):
    module, learner, progress = _resume(launch, course_id, module_slug)
    db = get_session()
    place = quizzes.quiz_place(progress, quiz_slug)
    attempt = quizzes.get_attempt(db, progress, place.quiz_version, number)
    if attempt.submitted_at is None:
        return redirect(_quiz_url("learner.quiz", course_id, module_slug, quiz_slug), code=303)
    result = quizzes.attempt_result(db, progress, attempt)
    status = module_status(db, learner, module, progress=progress)
    db.commit()
    return render_template("learner/quiz_result.html", title=f"Your result: {place.quiz_version.title}",
                           course_id=course_id, module=module, place=place, result=result, status=status)


@bp.get(MODULE + "/complete")
@require_course_role("learner")
def completion(launch: LaunchContext, course_id: int, module_slug: str):
    module, learner, progress = _resume(launch, course_id, module_slug, start=False)
    db = get_session()
    status = module_status(db, learner, module, progress=progress)
    grade = grades.latest_for_progress(db, status.progress.id) if status.progress else None
    db.commit()
    return render_template("learner/completion.html", title=f"Summary: {status.version.title}",
                           course_id=course_id, module=module, status=status, grade=grade,
                           edition_id=learner.edition_id)


@bp.get("/no-course")
def no_course():
    return render_template("placeholder.html", title="Open this from a course",
                           message="This tool works inside a course. Open it from a link in your course.")
