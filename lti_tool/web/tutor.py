"""Tutor pages: who in the course has not started, is in progress or has completed, with scores and exports.

Every route is for the course in its URL only: ``require_course_role("tutor")`` checks this browser holds a
tutor launch for that course.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from ..db import get_session
from ..learning import dashboard, grades
from ..lti import nrps
from .auth import require_course_role

bp = Blueprint("tutor", __name__)

PAGE_SIZE = 100
CSV_CHUNK_ROWS = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> dashboard.MatrixFilters:
    return dashboard.MatrixFilters.from_params(request.args)


def _export_name(matrix: dashboard.CourseMatrix, extension: str) -> str:
    return f"course-{matrix.course_id}-progress-{datetime.now(UTC):%Y%m%d-%H%M}.{extension}"


@bp.get("/course/<int:course_id>/tutor/")
@require_course_role("tutor")
def course_view(launch, course_id: int):
    filters = _filters()
    db = get_session()
    # People who never launched come from the platform's roster (NRPS): cached, refreshed when stale or asked.
    nrps.roster(db, course_id, refresh=request.args.get("refresh") == "roster",
                cache_seconds=current_app.config["ROSTER_CACHE_SECONDS"],
                timeout=current_app.config["HTTP_TIMEOUT_SECONDS"])
    db.commit()
    matrix = dashboard.course_matrix(db, course_id, filters=filters)
    page_count = max(1, -(-len(matrix.rows) // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), page_count)
    roster_line, roster_problem = dashboard.roster_status(matrix)
    return render_template(
        "tutor/course.html", title="Course progress", matrix=matrix, filters=filters,
        rows=matrix.rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page=page, page_count=page_count,
        roster_line=roster_line, roster_problem=roster_problem, buckets=dashboard.BUCKETS,
        bucket_labels=dashboard.BUCKET_LABELS, state_filters=dashboard.STATE_FILTERS, roles=dashboard.ROLES,
        sorts={"name": "Name", "state": "State", "score": "Score", "last_activity": "Last activity"},
        modules=_unique_modules(matrix))


def _unique_modules(matrix: dashboard.CourseMatrix) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for column in matrix.all_columns:
        seen.setdefault(column.module_slug, column.module_title)
    return list(seen.items())


@bp.get("/course/<int:course_id>/tutor/export.csv")
@require_course_role("tutor")
def export_csv(launch, course_id: int):
    """The filtered matrix, one line per person and module, streamed in chunks so large courses start at once."""
    matrix = dashboard.course_matrix(get_session(), course_id, filters=_filters())

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # Excel reads UTF-8 names correctly only with a byte-order mark.
        writer.writerow(dashboard.EXPORT_HEADERS)
        for count, record in enumerate(matrix.export_rows(), start=1):
            writer.writerow(dashboard.export_record(*record))
            if count % CSV_CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{_export_name(matrix, "csv")}"',
                             "Cache-Control": "no-store"})


@bp.get("/course/<int:course_id>/tutor/export.xlsx")
@require_course_role("tutor")
def export_xlsx(launch, course_id: int):
    from openpyxl import Workbook  # here, not at the top: only spreadsheet exports need it

    matrix = dashboard.course_matrix(get_session(), course_id, filters=_filters())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Progress")
    sheet.append(dashboard.EXPORT_HEADERS)
    for record in matrix.export_rows():
        sheet.append(dashboard.export_record(*record))
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{_export_name(matrix, "xlsx")}"',
                             "Cache-Control": "no-store"})


@bp.get("/course/<int:course_id>/tutor/learner/<int:user_id>")
@require_course_role("tutor")
def learner_view(launch, course_id: int, user_id: int):
    detail = dashboard.learner_detail(get_session(), course_id, user_id)
    return render_template("tutor/learner.html", title=detail.name, detail=detail, course_id=course_id)


@bp.get("/course/<int:course_id>/tutor/quiz/<quiz_slug>")
@require_course_role("tutor")
def quiz_analysis(launch, course_id: int, quiz_slug: str):
    analysis = dashboard.question_analysis(get_session(), course_id, quiz_slug)
    return render_template("tutor/quiz.html", title=f"Questions: {analysis.quiz_title}", analysis=analysis,
                           course_id=course_id)


@bp.post("/course/<int:course_id>/tutor/grade-sync/<int:grade_sync_id>/resend")
@require_course_role("tutor")
def resend_grade(launch, course_id: int, grade_sync_id: int):
    db = get_session()
    grades.resend(db, grade_sync_id, course_id=course_id)
    flash("The score is queued to be sent to Blackboard again.", "success")
    learner = request.form.get("learner", type=int)
    if learner:
        return redirect(url_for("tutor.learner_view", course_id=course_id, user_id=learner), code=303)
    return redirect(url_for("tutor.course_view", course_id=course_id), code=303)


@bp.app_template_filter("as_percent")
def percent(value: float | None) -> str:
    return f"{value * 100:.0f}%" if value is not None else "–"


@bp.app_template_filter("as_utc")
def when(value: datetime | None) -> str:
    return f"{value:%d %b %Y %H:%M}" if value else "–"
