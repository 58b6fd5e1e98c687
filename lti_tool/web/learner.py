"""Learner pages: the course's modules, a module's overview, its pages, quizzes and completion."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import require_course_role

bp = Blueprint("learner", __name__)


@bp.get("/course/<int:course_id>/")
@require_course_role("learner")
def course_home(launch, course_id: int):
    return render_template("placeholder.html", title="Your modules",
                           message="The list of this course's modules arrives with the content features.")


@bp.get("/course/<int:course_id>/module/<module_slug>/")
@require_course_role("learner")
def module_home(launch, course_id: int, module_slug: str):
    return render_template("placeholder.html", title="Module",
                           message=f"The module “{module_slug}” will be shown here once content is published.")


@bp.get("/no-course")
def no_course():
    return render_template("placeholder.html", title="Open this from a course",
                           message="This tool works inside a course. Open it from a link in your course.")
