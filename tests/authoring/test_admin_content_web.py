"""The admin authoring pages through the Flask test client: admins only, CSRF on every POST, every change in the
audit log, and the editor working with and without its script."""

from __future__ import annotations

import io
import re
import secrets
import zipfile

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from lti_tool.models import AuditEntry, ModuleVersion
from tests.support.admin_session import csrf_token, signed_in
from tests.support.demo_content import PNG

PAGE_URL = "/admin/content/demo/edit/01-first.md"

GET_ROUTES = ["/admin/content/", "/admin/content/demo/", "/admin/content/demo/diff?old=1&new=1", PAGE_URL,
              "/admin/content/demo/edit/quizzes/demo-check.md", "/admin/audit", "/admin/content/review-due"]
POST_ROUTES = [PAGE_URL, "/admin/content/demo/preview", "/admin/content/demo/images", "/admin/content/demo/export",
               "/admin/content/import"]


def audit(db) -> list[tuple[str, str, str]]:
    db.expire_all()
    return [(e.actor, e.action, e.target) for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def module_versions(db) -> list[ModuleVersion]:
    db.expire_all()
    return list(db.scalars(select(ModuleVersion).order_by(ModuleVersion.number)))


def page_markdown(client) -> str:
    html = client.get(PAGE_URL).text
    raw = re.search(r'<textarea id="markdown"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    return raw.replace("&gt;", ">").replace("&lt;", "<").replace("&#34;", '"').replace("&#39;", "'").replace(
        "&amp;", "&")


def session_csrf_token(app, client) -> str:
    """A valid CSRF token for this client's session, made as Flask-WTF makes it (no page of ours gives a tutor one)."""
    raw = secrets.token_hex(20)
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.mark.parametrize("role", ["tutor", "learner"])
def test_tutors_and_learners_get_403_on_every_authoring_route(app, db, published, role):
    client = signed_in(app, db, role)
    for url in GET_ROUTES:
        assert client.get(url).status_code == 403, url
    token = session_csrf_token(app, client)
    for url in POST_ROUTES:
        response = client.post(url, data={"csrf_token": token, "text": "x", "action": "publish", "note": "n",
                                          "base_version": "1", "path": "01-first.md"})
        assert response.status_code == 403, url
    assert len(module_versions(db)) == 1 and audit(db) == []


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(admin, db):
    for url in POST_ROUTES:
        response = admin.post(url, data={"text": "x", "action": "publish", "note": "n", "base_version": "1"})
        assert response.status_code == 400, url
        assert "csrf_failed" in response.text
    assert len(module_versions(db)) == 1 and audit(db) == []


def test_without_a_launch_the_pages_ask_to_open_the_tool_from_the_course(app, published):
    assert app.test_client().get("/admin/content/").status_code == 401


def test_the_module_list_shows_versions_and_links_to_each_module(admin):
    page = admin.get("/admin/content/")
    assert page.status_code == 200
    assert 'href="/admin/content/demo/"' in page.text
    assert "v1" in page.text and "quizzes/demo-check.md" in page.text
    assert '<script' not in page.text


def test_the_admin_home_links_to_content_and_the_audit_log(admin):
    home = admin.get("/admin/").text
    assert 'href="/admin/content/"' in home and 'href="/admin/audit"' in home


def test_the_module_page_lists_files_and_history(admin):
    page = admin.get("/admin/content/demo/").text
    for path in ("module.md", "01-first.md", "02-check.md", "quizzes/demo-check.md"):
        assert f'href="/admin/content/demo/edit/{path}"' in page
    assert "<td>first</td>" in page, "the change note is in the history"


def test_the_editor_shows_the_markdown_and_its_preview_without_inline_script(admin):
    page = admin.get(PAGE_URL)
    assert page.status_code == 200
    assert "> **Tip:** Ask early." in page_markdown(admin)
    assert '<div class="callout callout--tip">' in page.text
    assert 'src="/static/js/editor-preview.js"' in page.text
    assert not re.search(r"<script(?![^>]*\ssrc=)", page.text), "no inline script blocks"
    assert not re.search(r"\son[a-z]+=", page.text), "no inline event handlers"
    assert 'data-preview-url="/admin/content/demo/preview"' in page.text


def test_the_preview_button_renders_the_edit_with_problems_linked_to_lines(admin, db):
    token = csrf_token(admin, PAGE_URL)
    text = page_markdown(admin).replace("## What to know", "# What to know")
    page = admin.post(PAGE_URL, data={"csrf_token": token, "text": text, "base_version": "1", "action": "preview"})
    assert page.status_code == 200
    assert ('<a href="#markdown" data-line="12">Line 12</a>: headings start at '
            "&#39;##&#39; (the page title is the top heading)") in page.text
    assert len(module_versions(db)) == 1


def test_the_live_preview_endpoint_returns_the_panel_with_the_csrf_header(admin):
    token = csrf_token(admin, PAGE_URL)
    text = page_markdown(admin).replace("Ask early.", "Ask <b>early</b>.")
    fragment = admin.post("/admin/content/demo/preview", data={"path": "01-first.md", "text": text,
                                                               "base_version": "1"},
                          headers={"X-CSRFToken": token})
    assert fragment.status_code == 200
    assert "Ask &lt;b&gt;early&lt;/b&gt;." in fragment.text
    assert "<b>" not in fragment.text
    assert 'data-preview-summary="Preview updated: 1 problem to fix."' in fragment.text
    assert "<html" not in fragment.text


def test_publishing_from_the_editor_makes_a_version_and_an_audit_entry(admin, db):
    token = csrf_token(admin, PAGE_URL)
    text = page_markdown(admin).replace("Ask early.", "Ask in week one.")
    response = admin.post(PAGE_URL, data={"csrf_token": token, "text": text.replace("\n", "\r\n"),
                                          "base_version": "1", "action": "publish", "change": "minor",
                                          "note": "clearer timing"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/content/demo/"
    v1, v2 = module_versions(db)
    assert (v2.origin, v2.change, v2.change_note, v2.published_by) == (
        "browser", "minor", "clearer timing", f"Ada Admin (user {admin.user_id})")
    assert "\r" not in v2.source_files["01-first.md"], "line endings from the browser are normalised"
    assert "Ask in week one." in v2.pages[0].html
    [entry] = db.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.target) == ("content.publish", "module:demo")
    assert entry.details["note"] == "clearer timing" and entry.details["version"] == 2
    assert "Published demo v2 (minor)." in admin.get("/admin/content/demo/").text


def test_publishing_without_a_note_or_with_problems_is_refused_on_the_editor(admin, db):
    token = csrf_token(admin, PAGE_URL)
    text = page_markdown(admin)
    no_note = admin.post(PAGE_URL, data={"csrf_token": token, "text": text.replace("Ask early.", "Ask now."),
                                         "base_version": "1", "action": "publish", "note": ""})
    assert no_note.status_code == 400 and "Write a change note" in no_note.text
    broken = admin.post(PAGE_URL, data={"csrf_token": token, "text": text.replace("id: first", "id: First"),
                                        "base_version": "1", "action": "publish", "note": "oops"})
    assert broken.status_code == 422 and "fix the problems listed in the preview" in broken.text
    assert len(module_versions(db)) == 1 and audit(db) == []


def test_files_changed_on_disk_need_the_confirmation_box(admin, db, published):
    page = published / "modules/demo/01-first.md"
    page.write_text(page.read_text().replace("Read [the guidance]", "Now read [the guidance]"))
    token = csrf_token(admin, PAGE_URL)
    editor = admin.get(PAGE_URL).text
    assert "changed on disk since v1" in editor and 'name="confirm"' in editor
    text = page_markdown(admin).replace("Ask early.", "Ask soon.")
    form = {"csrf_token": token, "text": text, "base_version": "1", "action": "publish", "note": "tip"}
    unconfirmed = admin.post(PAGE_URL, data=form)
    assert unconfirmed.status_code == 409 and "Tick the box to confirm" in unconfirmed.text
    assert len(module_versions(db)) == 1
    confirmed = admin.post(PAGE_URL, data={**form, "confirm": "yes"})
    assert confirmed.status_code == 302 and len(module_versions(db)) == 2


def test_the_diff_page_shows_changed_lines_escaped(admin, db):
    token = csrf_token(admin, PAGE_URL)
    text = page_markdown(admin).replace("Ask early.", "Ask <em>soon</em>.")
    text = text.replace("Ask <em>soon</em>.", "Ask *soon* & often.")
    admin.post(PAGE_URL, data={"csrf_token": token, "text": text, "base_version": "1", "action": "publish",
                               "note": "tip"})
    page = admin.get("/admin/content/demo/diff?old=1&new=2").text
    assert '<span class="diff-line diff-line--removed">-&gt; **Tip:** Ask early.</span>' in page
    assert '<span class="diff-line diff-line--added">+&gt; **Tip:** Ask *soon* &amp; often.</span>' in page
    assert "<code>module.md</code>: unchanged" in page


def test_image_upload_saves_the_file_and_shows_the_snippet(admin, db, published):
    token = csrf_token(admin, PAGE_URL)
    response = admin.post("/admin/content/demo/images", data={
        "csrf_token": token, "path": "01-first.md", "alt": "A flow chart",
        "image": (io.BytesIO(PNG), "Flow Chart.png")}, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"] == PAGE_URL
    assert (published / "modules/demo/images/flow-chart.png").read_bytes() == PNG
    assert "![A flow chart](images/flow-chart.png)" in admin.get(PAGE_URL).text
    fake = admin.post("/admin/content/demo/images", data={
        "csrf_token": token, "image": (io.BytesIO(b"GIF-ish but not"), "x.gif")}, content_type="multipart/form-data")
    assert fake.status_code == 302
    assert "is not a PNG, JPEG, GIF or WebP image" in admin.get("/admin/content/demo/").text
    assert [action for _, action, _ in audit(db)] == ["content.image_upload"]


def test_export_downloads_a_zip_and_import_publishes_it(admin, db):
    token = csrf_token(admin)
    exported = admin.post("/admin/content/demo/export", data={"csrf_token": token})
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    assert exported.headers["Content-Disposition"].startswith('attachment; filename="demo-v1-')
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["modules/demo/01-first.md"] = files["modules/demo/01-first.md"].replace(b"Ask early.", b"Ask today.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    imported = admin.post("/admin/content/import", data={
        "csrf_token": token, "change": "major", "note": "zip round trip",
        "archive": (io.BytesIO(buffer.getvalue()), "demo.zip")}, content_type="multipart/form-data")
    assert imported.status_code == 302 and imported.headers["Location"] == "/admin/content/demo/"
    v2 = module_versions(db)[-1]
    assert (v2.origin, v2.change, v2.change_note) == ("import", "major", "zip round trip")
    assert [action for _, action, _ in audit(db)] == ["content.export", "content.import"]


def test_an_invalid_import_lists_file_and_line_and_imports_nothing(admin, db):
    token = csrf_token(admin)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("modules/demo/module.md", "---\nid: demo\ntitle: Demo\n---\n")
    page = admin.post("/admin/content/import", data={
        "csrf_token": token, "note": "broken", "archive": (io.BytesIO(buffer.getvalue()), "demo.zip")},
        content_type="multipart/form-data")
    assert page.status_code == 422
    assert "<code>modules/demo/module.md:1</code>: missing required key &#39;summary&#39;" in page.text
    assert len(module_versions(db)) == 1 and audit(db) == []


def test_the_audit_log_lists_actions_newest_first_with_pages(admin, db):
    from lti_tool.audit import record

    for number in range(1, 56):
        record(db, "Someone (user 9)", "content.publish", f"module:m{number}", {"note": f"change {number}"})
    db.commit()
    first = admin.get("/admin/audit")
    assert first.status_code == 200
    rows = re.findall(r"<td>(module:m\d+)</td>", first.text)
    assert rows[:2] == ["module:m55", "module:m54"] and len(rows) == 50
    assert "Page 1 of 2" in first.text and 'href="/admin/audit?page=2"' in first.text
    second = admin.get("/admin/audit?page=2")
    assert re.findall(r"<td>(module:m\d+)</td>", second.text) == [f"module:m{n}" for n in range(5, 0, -1)]
    assert "<dd>change 1</dd>" in second.text


def test_the_quiz_editor_previews_questions_with_their_answers(admin):
    page = admin.get("/admin/content/demo/edit/quizzes/demo-check.md")
    assert page.status_code == 200
    assert "<h4>Pick one <span class=\"hint\">(single, 1 point)</span></h4>" in page.text
    assert "<strong>Correct:</strong> Right" in page.text and "One → First" in page.text
    assert "No problems: ready to publish." in page.text
