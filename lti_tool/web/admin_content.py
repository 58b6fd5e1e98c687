"""Admin authoring pages: modules and their versions, a Markdown editor with live preview, publishing, diffs,
images, and zip export and import. Every route is for admins; every change is written to the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from .. import content
from ..audit import actor_label, record
from ..content import authoring as domain
from ..content.review import DEFAULT_WITHIN_DAYS
from ..content.review import review_due as due_for_review
from ..db import get_session
from ..errors import ToolError
from .auth import require_content_rights

bp = Blueprint("admin_content", __name__, url_prefix="/admin/content")

MAX_WITHIN_DAYS = 3650
CHANGES = {"minor": "Minor: learners already in progress stay on the version they started",
           "major": "Major: learners already in progress move to the new version"}


def _content_dir() -> str:
    return current_app.config["CONTENT_DIR"]


def _actor(launch) -> str:
    return actor_label(get_session(), launch.user_id)


def _change() -> str:
    change = request.form.get("change", "")
    return change if change in CHANGES else "minor"


def _render_index(problems=(), status: int = 200):
    session = get_session()
    return render_template("admin/content/index.html", modules=domain.list_modules(session),
                           quizzes=domain.list_quizzes(session), changes=CHANGES, problems=problems), status


@bp.get("/")
@require_content_rights
def index(launch):
    return _render_index()


@bp.get("/review-due")
@require_content_rights
def review_due(launch):
    """What is past its review date or falls due within ``within`` days (a GET: it changes nothing)."""
    within = min(max(request.args.get("within", DEFAULT_WITHIN_DAYS, type=int) or 0, 0), MAX_WITHIN_DAYS)
    today = date.today()
    items = due_for_review(get_session(), today, within)
    return render_template("admin/content/review_due.html", items=items, within=within, today=today,
                           horizon=today + timedelta(days=within), past=sum(item.past_due(today) for item in items))


@bp.get("/<slug>/")
@require_content_rights
def module(launch, slug: str):
    session = get_session()
    listing = domain.module_listing(session, slug)
    return render_template("admin/content/module.html", slug=slug, history=listing.versions,
                           current=listing.versions[0], files=domain.editable_files(session, slug), listing=listing)


@bp.get("/<slug>/diff")
@require_content_rights
def diff(launch, slug: str):
    session = get_session()
    history = domain.history(session, slug)
    newest = history[0].number
    new = request.args.get("new", newest, type=int)
    old = request.args.get("old", max(new - 1, 1), type=int)
    return render_template("admin/content/diff.html", slug=slug, old=old, new=new, history=history,
                           diffs=domain.diff_versions(session, slug, old, new))


def _render_editor(slug: str, path: str, text: str, base: int, *, preview: domain.Preview | None = None,
                   error: str = "", status: int = 200, form: dict | None = None):
    session = get_session()
    warnings = domain.edit_warnings(session, _content_dir(), slug, base)
    return render_template(
        "admin/content/editor.html", slug=slug, path=path, text=text, base=base, preview=preview,
        warnings=warnings, error=error, changes=CHANGES, form=form or {"change": "minor", "note": ""},
        history=domain.history(session, slug), kind=domain.kind_of(path)), status


@bp.get("/<slug>/edit/<path:path>")
@require_content_rights
def editor(launch, slug: str, path: str):
    session = get_session()
    base = request.args.get("version", type=int)
    item = domain.load_file(session, slug, path, base)
    number = base or domain.history(session, slug)[0].number
    shown = domain.preview(session, _content_dir(), slug, path, item.text, base_number=number)
    return _render_editor(slug, path, item.text, number, preview=shown)


@bp.post("/<slug>/edit/<path:path>")
@require_content_rights
def edit(launch, slug: str, path: str):
    session = get_session()
    text = request.form.get("text", "")
    base = request.form.get("base_version", type=int)
    if base is None:
        raise ToolError("The form lost the version it edits. Open the file again from the module page.")
    form = {"change": _change(), "note": request.form.get("note", "")}
    shown = domain.preview(session, _content_dir(), slug, path, text, base_number=base)
    if request.form.get("action") != "publish":
        return _render_editor(slug, path, text, base, preview=shown, form=form)
    try:
        report = domain.publish_edit(session, _content_dir(), slug, path, text, base_number=base,
                                     change=form["change"], note=form["note"], actor=_actor(launch),
                                     confirmed=request.form.get("confirm") == "yes",
                                     seen_current=request.form.get("current_version", type=int))
    except domain.NeedsConfirmation as exc:
        session.rollback()
        return _render_editor(slug, path, text, base, preview=shown, form=form, status=409,
                              error="Tick the box to confirm: " + " ".join(exc.warnings))
    except content.ContentProblems:
        session.rollback()
        return _render_editor(slug, path, text, base, preview=shown, form=form, status=422,
                              error="Nothing was published: fix the problems listed in the preview.")
    except ToolError as exc:
        session.rollback()
        return _render_editor(slug, path, text, base, preview=shown, form=form, status=exc.status,
                              error=f"{exc.message} {exc.advice}".strip())
    change = report.modules[0]
    record(session, _actor(launch), "content.publish", f"module:{slug}",
           {"file": path, "from_version": base, "version": change.after, "change": form["change"],
            "note": form["note"].strip(), "lines": report.lines()})
    session.commit()
    if change.changed:
        flash(f"Published {slug} v{change.after} ({form['change']}).", "success")
    else:
        flash(f"Nothing changed: {slug} stays at v{change.after}.", "success")
    return redirect(url_for("admin_content.module", slug=slug))


@bp.post("/<slug>/preview")
@require_content_rights
def live_preview(launch, slug: str):
    """The preview panel alone, for the editor's script."""
    form = request.form
    shown = domain.preview(get_session(), _content_dir(), slug, form.get("path", ""), form.get("text", ""),
                           base_number=form.get("base_version", type=int))
    return render_template("admin/content/_preview.html", preview=shown)


@bp.post("/<slug>/images")
@require_content_rights
def upload_image(launch, slug: str):
    session = get_session()
    upload = request.files.get("image")
    path = request.form.get("path", "")
    back = (url_for("admin_content.editor", slug=slug, path=path) if path
            else url_for("admin_content.module", slug=slug))
    if upload is None or not upload.filename:
        flash("Choose an image to upload.", "error")
        return redirect(back)
    try:
        image = domain.upload_image(session, _content_dir(), slug, upload.filename, upload.read(),
                                    alt=request.form.get("alt", ""))
    except ToolError as exc:
        flash(f"{exc.message} {exc.advice}".strip(), "error")
        return redirect(back)
    record(session, _actor(launch), "content.image_upload", f"module:{slug}",
           {"file": image.path, "uploaded_name": upload.filename})
    session.commit()
    flash(f"Uploaded {image.path}. Paste this into the page where the image belongs: {image.snippet}", "success")
    return redirect(back)


@bp.post("/<slug>/export")
@require_content_rights
def export(launch, slug: str):
    session = get_session()
    data = domain.export_zip(session, _content_dir(), slug)
    version = domain.history(session, slug)[0].number
    record(session, _actor(launch), "content.export", f"module:{slug}", {"version": version})
    session.commit()
    name = f"{slug}-v{version}-{datetime.now(UTC):%Y%m%d}.zip"
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/import")
@require_content_rights
def import_module(launch):
    session = get_session()
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        flash("Choose a zip file to import.", "error")
        return redirect(url_for("admin_content.index"))
    try:
        imported = domain.import_zip(session, _content_dir(), upload.read(), change=_change(),
                                     note=request.form.get("note", ""), actor=_actor(launch))
    except content.ContentProblems as exc:
        session.rollback()
        return _render_index(exc.problems, 422)
    except domain.ArchiveRefused as exc:
        session.rollback()
        flash(f"Nothing was imported: {exc.message} {exc.advice}".strip(), "error")
        return _render_index(status=422)
    except ToolError as exc:
        session.rollback()
        flash(f"Nothing was imported: {exc.message} {exc.advice}".strip(), "error")
        return redirect(url_for("admin_content.index"))
    change = imported.report.modules[0]
    record(session, _actor(launch), "content.import", f"module:{imported.slug}",
           {"archive": upload.filename, "version": change.after, "change": _change(),
            "note": request.form.get("note", "").strip(), "lines": imported.report.lines()})
    session.commit()
    flash(f"Imported {imported.slug}: " + "; ".join(imported.report.lines()) + ".", "success")
    return redirect(url_for("admin_content.module", slug=imported.slug))
