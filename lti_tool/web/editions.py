"""Tutor pages for editions: the dated runs of session modules in a course (create and list)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..db import get_session
from ..errors import Conflict
from ..learning import catalogue, editions
from .auth import require_course_role

bp = Blueprint("editions", __name__)


def _page(course_id: int, *, error: str = "", form: dict | None = None, status: int = 200):
    db = get_session()
    modules = [m for m in catalogue.published_modules(db) if m.has_editions]
    by_module = {m.slug: editions.list_editions(db, course_id, m.slug) for m in modules}
    return render_template("editions/index.html", title="Editions", course_id=course_id, modules=modules,
                           by_module=by_module, state_of=editions.edition_state, local=editions.local_input_value,
                           error=error, form=form or {}), status


@bp.get("/course/<int:course_id>/editions")
@require_course_role("tutor")
def index(launch, course_id: int):
    return _page(course_id)


@bp.post("/course/<int:course_id>/editions")
@require_course_role("tutor")
def create(launch, course_id: int):
    form = request.form
    try:
        edition = editions.create_edition(
            get_session(), course_id=course_id, module_slug=form.get("module", ""), name=form.get("name", ""),
            opens_at=editions.parse_local(form.get("opens", ""), "opening"),
            due_at=editions.parse_local(form.get("due", ""), "due"),
            closes_at=editions.parse_local(form.get("closes", ""), "closing"),
            created_by=f"user:{launch.user_id}",
        )
    except Conflict as exc:
        get_session().rollback()
        return _page(course_id, error=exc.message, form=form.to_dict(), status=400)
    get_session().commit()
    flash(f"Edition “{edition.name}” created.", "success")
    return redirect(url_for("editions.index", course_id=course_id), code=303)
