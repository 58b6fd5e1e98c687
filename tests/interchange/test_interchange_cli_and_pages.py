"""``flask quiz export|import`` and the admin pages /admin/quizzes: downloads, upload, review and save."""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from sqlalchemy import select

from lti_tool import REPO_ROOT
from lti_tool.content.interchange import load_quiz
from lti_tool.models import AuditEntry
from tests.support import tutor_factories as f
from tests.support.quiz_banks import MOODLE_BANK


def test_cli_exports_gift_to_standard_output_and_qti_to_a_file(app, tmp_path):
    runner = app.test_cli_runner()
    gift = runner.invoke(args=["quiz", "export", "img-supervision-check", "--format", "gift"])
    first_question = load_quiz(REPO_ROOT, "img-supervision-check").questions[0].id
    assert gift.exit_code == 0 and f"::{first_question}::[markdown]" in gift.output
    out = tmp_path / "quiz.zip"
    qti = runner.invoke(args=["quiz", "export", "portfolio-arcp-check", "--format", "qti", "--out", str(out)])
    assert qti.exit_code == 0
    assert "imsmanifest.xml" in zipfile.ZipFile(out).namelist()


def test_cli_export_of_an_unknown_quiz_fails_with_a_message(app):
    result = app.test_cli_runner().invoke(args=["quiz", "export", "no-such-quiz", "--format", "gift"])
    assert result.exit_code == 1 and "There is no quiz with id 'no-such-quiz'" in result.output


def test_cli_imports_gift_into_a_checked_markdown_file(app, tmp_path, content_dir):
    source = tmp_path / "bank.gift"
    source.write_text(MOODLE_BANK, encoding="utf-8")
    out = content_dir / "quizzes" / "arcp-bank.md"
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(source), "--format", "gift", "--id", "arcp-bank",
                                                "--title", "ARCP bank", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("---\nid: arcp-bank\n")
    check = app.test_cli_runner().invoke(args=["content", "check", str(content_dir)])
    assert check.exit_code == 0, check.output


def test_cli_import_with_problems_writes_nothing_and_exits_1(app, tmp_path, content_dir):
    source = tmp_path / "bank.txt"
    source.write_text(MOODLE_BANK, encoding="utf-8")
    out = tmp_path / "clash.md"
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(source), "--format", "gift", "--id",
                                                "img-supervision-check", "--title", "Clash", "--out", str(out)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert not out.exists()


@pytest.fixture
def admin(client, db):
    deployment = f.platform(db)
    course = f.course(db, deployment)
    person = f.person(db, course, name="Ada Admin", role="tutor")
    launch = f.launch(db, person, course, role="tutor", platform_admin=True, content=True)
    db.commit()
    f.sign_in(client, launch)
    return client


def csrf_token(client) -> str:
    page = client.get("/admin/quizzes/").get_data(as_text=True)
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_admin_page_lists_quizzes_with_a_download_per_format(admin):
    page = admin.get("/admin/quizzes/").get_data(as_text=True)
    for quiz_format in ("qti", "blackboard", "gift"):
        assert f"/admin/quizzes/img-supervision-check/export/{quiz_format}" in page
    download = admin.get("/admin/quizzes/portfolio-arcp-check/export/gift")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="portfolio-arcp-check.gift.txt"'
    first_question = load_quiz(REPO_ROOT, "portfolio-arcp-check").questions[0].id
    assert f"::{first_question}::" in download.get_data(as_text=True)
    qti = admin.get("/admin/quizzes/portfolio-arcp-check/export/qti")
    assert qti.mimetype == "application/zip" and zipfile.ZipFile(io.BytesIO(qti.data)).testzip() is None
    assert admin.get("/admin/quizzes/portfolio-arcp-check/export/pdf").status_code == 404
    assert admin.get("/admin/quizzes/no-such-quiz/export/gift").status_code == 404


def test_text_exports_name_their_charset_once(admin):
    for quiz_format in ("gift", "blackboard"):
        download = admin.get(f"/admin/quizzes/portfolio-arcp-check/export/{quiz_format}")
        assert download.headers["Content-Type"] == "text/plain; charset=utf-8", quiz_format


def test_admin_uploads_gift_reviews_markdown_and_saves_a_new_quiz_file(admin, db, content_dir):
    token = csrf_token(admin)
    review = admin.post("/admin/quizzes/import", data={
        "csrf_token": token, "format": "gift", "quiz_id": "arcp-bank", "title": "ARCP bank",
        "file": (io.BytesIO(MOODLE_BANK.encode("utf-8")), "bank.gift")}, content_type="multipart/form-data")
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "The quiz passes every check" in page
    assert "## Which are Supervised Learning Events? {#sle points=1 type=multiple scoring=partial}" in page
    assert not (content_dir / "quizzes" / "arcp-bank.md").exists()
    markdown = page.split('spellcheck="false">')[1].split("</textarea>")[0]
    saved = admin.post("/admin/quizzes/import/save", data={"csrf_token": token, "path": "quizzes/arcp-bank.md",
                                                           "markdown": html.unescape(markdown)})
    assert saved.status_code == 302
    assert (content_dir / "quizzes" / "arcp-bank.md").read_text(encoding="utf-8").startswith("---\nid: arcp-bank")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "quiz.import")).one()
    assert entry.target == "quizzes/arcp-bank.md"


def test_admin_save_refuses_markdown_with_problems_and_writes_nothing(admin, db, content_dir):
    token = csrf_token(admin)
    broken = ("---\nid: broken\ntitle: Broken\nlast_reviewed: 2026-01-01\nreviewed_by: RCPCH college tutor\n"
              "next_review: 2027-01-01\n---\n## No id here\n")
    response = admin.post("/admin/quizzes/import/save", data={"csrf_token": token, "path": "quizzes/broken.md",
                                                              "markdown": broken})
    assert response.status_code == 422 and "question heading has no id" in response.get_data(as_text=True)
    assert not (content_dir / "quizzes" / "broken.md").exists()
    assert db.scalars(select(AuditEntry)).all() == []
    outside = admin.post("/admin/quizzes/import/save", data={"csrf_token": token, "path": "../evil.md",
                                                             "markdown": broken})
    assert outside.status_code == 400 and not (content_dir.parent / "evil.md").exists()


def test_admin_upload_of_text2qti_shows_problems_for_an_existing_quiz_id(admin):
    response = admin.post("/admin/quizzes/import", data={
        "csrf_token": csrf_token(admin), "format": "text2qti", "quiz_id": "img-supervision-check", "title": "X",
        "file": (io.BytesIO(b"1.  Question?\n*a) Yes\nb)  No\n"), "q.txt")}, content_type="multipart/form-data")
    assert "already exists: choose another quiz id" in response.get_data(as_text=True)
