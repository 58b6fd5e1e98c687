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
from flask_wtf.csrf import generate_csrf

from ..db import get_session
from ..learning import grades
from ..learning.course_matrix import CourseMatrix, course_matrix
from ..learning.learner_detail import TimelineEvent, learner_detail
from ..learning.matrix_cells import BUCKETS, ROLES, MatrixFilters
from ..learning.question_analysis import question_analysis
from ..lti import nrps
from .auth import require_course_role
from .spreadsheets import EXPORT_HEADERS, export_record
from .tutor_cells import MatrixCells
from .tutor_wording import (
    BUCKET_LABELS,
    SORT_LABELS,
    STATE_FILTER_LABELS,
    percent,
    roster_status,
    sync_label,
    timeline_sentence,
    when,
)

bp = Blueprint("tutor", __name__)

PAGE_SIZE = 50  # rows of people a page renders in full: the slowest part of the view once reads are paged
CSV_CHUNK_ROWS = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> MatrixFilters:
    return MatrixFilters.from_params(request.args)


def _export_name(matrix: CourseMatrix, extension: str) -> str:
    return f"course-{matrix.course_id}-progress-{datetime.now(UTC):%Y%m%d-%H%M}.{extension}"


@bp.get("/course/<int:course_id>/tutor/")
@require_course_role("tutor")
def course_view(launch, course_id: int):
    filters = _filters()
    db = get_session()
    # People who never launched come from the platform's roster (NRPS): cached, refreshed when stale or asked.
    nrps.refresh_if_stale(db, course_id, refresh=request.args.get("refresh") == "roster",
                          cache_seconds=current_app.config["ROSTER_CACHE_SECONDS"],
                          timeout=current_app.config["HTTP_TIMEOUT_SECONDS"])
    db.commit()
    # Only the asked page of people is read in full; filters, sort and summary cover the whole roster.
    matrix = course_matrix(db, course_id, filters=filters, page=request.args.get("page", 1, type=int) or 1,
                           page_size=PAGE_SIZE)
    roster_line, roster_problem = roster_status(matrix)
    return render_template(
        "tutor/course.html", title="Course progress", matrix=matrix, filters=filters,
        rows=matrix.rows, page=matrix.page, page_count=matrix.page_count, page_size=PAGE_SIZE,
        page_numbers=page_numbers(matrix.page, matrix.page_count),
        roster_line=roster_line, roster_problem=roster_problem, buckets=BUCKETS,
        bucket_labels=BUCKET_LABELS, state_filters=STATE_FILTER_LABELS, roles=ROLES, sorts=SORT_LABELS,
        modules=_unique_modules(matrix), cells_of=MatrixCells(matrix.columns, _resend_url(course_id), generate_csrf()))


def _resend_url(course_id: int) -> tuple[str, str]:
    """The re-send URL of a course's grades around the grade sync's id: one ``url_for`` for every form of a page."""
    before, _, after = url_for("tutor.resend_grade", course_id=course_id, grade_sync_id=0).rpartition("/0/")
    return f"{before}/", f"/{after}"


def page_numbers(page: int, page_count: int) -> list[int | None]:
    """The page links to offer: the first, the last and two either side of ``page``; None where some are left
    out, so a phone shows one short row of links whatever the roster."""
    near = {1, page_count, *range(max(1, page - 2), min(page_count, page + 2) + 1)}
    numbers: list[int | None] = []
    for number in sorted(near):
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def _unique_modules(matrix: CourseMatrix) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for column in matrix.all_columns:
        seen.setdefault(column.module_slug, column.module_title)
    return list(seen.items())


@bp.get("/course/<int:course_id>/tutor/export.csv")
@require_course_role("tutor")
def export_csv(launch, course_id: int):
    """The filtered matrix, one line per person and module, streamed in chunks so large courses start at once."""
    matrix = course_matrix(get_session(), course_id, filters=_filters())

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # Excel reads UTF-8 names correctly only with a byte-order mark.
        writer.writerow(EXPORT_HEADERS)
        for count, record in enumerate(matrix.export_rows(), start=1):
            writer.writerow(export_record(*record))
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

    matrix = course_matrix(get_session(), course_id, filters=_filters())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Progress")
    sheet.append(EXPORT_HEADERS)
    for record in matrix.export_rows():
        sheet.append(export_record(*record))
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{_export_name(matrix, "xlsx")}"',
                             "Cache-Control": "no-store"})


@bp.get("/course/<int:course_id>/tutor/learner/<int:user_id>")
@require_course_role("tutor")
def learner_view(launch, course_id: int, user_id: int):
    detail = learner_detail(get_session(), course_id, user_id)
    return render_template("tutor/learner.html", title=detail.name, detail=detail, course_id=course_id)


@bp.get("/course/<int:course_id>/tutor/quiz/<quiz_slug>")
@require_course_role("tutor")
def quiz_analysis(launch, course_id: int, quiz_slug: str):
    analysis = question_analysis(get_session(), course_id, quiz_slug)
    return render_template("tutor/quiz.html", title=f"Questions: {analysis.quiz_title}", analysis=analysis,
                           course_id=course_id)


@bp.post("/course/<int:course_id>/tutor/grade-sync/<int:grade_sync_id>/resend")
@require_course_role("tutor")
def resend_grade(launch, course_id: int, grade_sync_id: int):
    db = get_session()
    grades.resend(db, grade_sync_id, course_id=course_id)
    db.commit()
    flash("The score is queued to be sent to Blackboard again.", "success")
    learner = request.form.get("learner", type=int)
    if learner:
        return redirect(url_for("tutor.learner_view", course_id=course_id, user_id=learner), code=303)
    return redirect(url_for("tutor.course_view", course_id=course_id), code=303)


bp.add_app_template_filter(percent, "as_percent")
bp.add_app_template_filter(when, "as_utc")
bp.add_app_template_filter(sync_label, "sync_label")


@bp.app_template_filter("bucket_label")
def bucket_label(bucket: str) -> str:
    return BUCKET_LABELS[bucket]


@bp.app_template_filter("timeline_sentence")
def timeline_line(event: TimelineEvent) -> str:
    return timeline_sentence(event)
