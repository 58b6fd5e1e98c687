"""Tutor pages: who in the course has not started, is in progress or has completed, with scores."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import require_course_role

bp = Blueprint("tutor", __name__)


@bp.get("/course/<int:course_id>/tutor/")
@require_course_role("tutor")
def course_view(launch, course_id: int):
    return render_template("placeholder.html", title="Course progress",
                           message="The course progress view arrives with the tutor features.")
