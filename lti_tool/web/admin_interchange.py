"""Admin pages for quiz interchange: download a quiz as QTI 2.1, Blackboard upload text or GIFT; upload a GIFT or
text2qti file, see it as our Markdown with any problems, and save it as a new file in ``quizzes/``."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from ..audit import record
from ..content.interchange import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    QUIZ_FILE,
    check_markdown,
    export_quiz,
    import_quiz,
    load_quiz,
    quiz_listing,
    save_imported,
)
from ..db import get_session
from ..errors import NotFound, ToolError
from .auth import require_content_rights

bp = Blueprint("admin_interchange", __name__, url_prefix="/admin/quizzes")

FORMAT_LABELS = {"qti": "QTI 2.1 package (.zip)", "blackboard": "Blackboard upload (.txt)", "gift": "GIFT (Moodle)",
                 "text2qti": "text2qti (Canvas-style text)"}


def _content_dir() -> str:
    return current_app.config["CONTENT_DIR"]


@bp.get("/")
@require_content_rights
def index(launch):
    return render_template("admin/quizzes.html", quizzes=quiz_listing(_content_dir()), export_formats=EXPORT_FORMATS,
                           import_formats=IMPORT_FORMATS, labels=FORMAT_LABELS)


@bp.get("/<quiz_id>/export/<export_format>")
@require_content_rights
def export(launch, quiz_id: str, export_format: str):
    if export_format not in EXPORT_FORMATS:
        raise NotFound(f"There is no export format '{export_format}'.")
    result = export_quiz(load_quiz(_content_dir(), quiz_id), export_format)
    return Response(result.data, content_type=result.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{result.filename}"',
                             "X-Content-Type-Options": "nosniff"})


@bp.post("/import")
@require_content_rights
def upload(launch):
    """Convert the uploaded file and show the Markdown with its problems; nothing is saved yet."""
    import_format = request.form.get("format", "")
    quiz_id = request.form.get("quiz_id", "").strip()
    title = request.form.get("title", "").strip()
    upload_file = request.files.get("file")
    if import_format not in IMPORT_FORMATS or not quiz_id or not title or upload_file is None:
        flash("Choose a file and its format, and give the new quiz an id and a title.", "error")
        return redirect(url_for("admin_interchange.index"))
    try:
        text = upload_file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        flash("The file is not UTF-8 text. Save it as UTF-8 and upload it again.", "error")
        return redirect(url_for("admin_interchange.index"))
    result = import_quiz(text, import_format, quiz_id, title, _content_dir())
    return render_template("admin/quiz_import.html", markdown=result.markdown, path=result.path,
                           problems=result.problems, source_name=upload_file.filename or "")


@bp.post("/import/save")
@require_content_rights
def save(launch):
    """Write the (possibly edited) Markdown as a new quiz file, only if it passes every check."""
    path = request.form.get("path", "")
    markdown = request.form.get("markdown", "").replace("\r\n", "\n")
    if not QUIZ_FILE.match(path):
        raise ToolError("The file must be saved as quizzes/<name>.md with a lower-case name.")
    problems = check_markdown(_content_dir(), path, markdown)
    if problems:
        return render_template("admin/quiz_import.html", markdown=markdown, path=path, problems=problems,
                               source_name=""), 422
    save_imported(_content_dir(), path, markdown)
    session = get_session()
    record(session, f"user:{launch.user_id}", "quiz.import", path, {"lines": len(markdown.splitlines())})
    session.commit()
    flash(f"Saved {path}. Publish the content to make it available.", "success")
    return redirect(url_for("admin_interchange.index"))
