"""Authoring in a real browser: an admin fixes a typo in a supervision page, watches the live preview (and its
problem list) update, uploads an image without losing the edit, publishes a minor change with a note, and the new
version holds the fix. axe finds no violations on the module list, the editor (with a preview, and with
problems), the module page, the diff and the audit log.

The admin signs in through ``/lti/resume`` with a hand-off token, exactly as after a real launch.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from axe_playwright_python import sync_playwright as axe_module
from playwright import sync_api as playwright_api
from sqlalchemy import select, update

from lti_platform_emulator import serve_in_thread
from lti_tool import REPO_ROOT
from lti_tool.content import publish
from lti_tool.models import AuditEntry, Launch, Module, ModuleVersion, Page, Platform, QuizVersion, User, utcnow
from tests.content.demo_content import PNG

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGE_FILE = "01-why-it-matters.md"
CORRECT = "these gaps persist even when you allow for earlier academic performance"
TYPO = "these gaps persits even when you allow for earlier academic performance"

pytestmark = pytest.mark.browser


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the shipped content with a typo in the supervision module's first page."""
    root = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "modules", root / "modules")
    shutil.copytree(REPO_ROOT / "quizzes", root / "quizzes")
    page = root / "modules/img-supervision" / PAGE_FILE
    text = page.read_text(encoding="utf-8")
    assert CORRECT in text
    page.write_text(text.replace(CORRECT, TYPO), encoding="utf-8")
    return root


@pytest.fixture
def test_config(test_config: dict, content: Path) -> dict:
    return {**test_config, "CONTENT_DIR": str(content)}


@pytest.fixture
def server(app) -> Iterator[str]:
    running = serve_in_thread(app)
    yield running.url
    running.stop()


@pytest.fixture
def page() -> Iterator:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def handoff(db, content) -> str:
    publish(db, content, note="first publish", actor="cli")
    platform = Platform(issuer="https://blackboard.example", client_id="c", auth_login_url="https://b/login",
                        auth_token_url="https://b/token", keyset_url="https://b/jwks")
    user = User(platform=platform, sub="admin-1", name="Ada Admin")
    token = secrets.token_urlsafe(24)
    db.add(Launch(id=secrets.token_hex(16), user=user, role="tutor", message_type="LtiResourceLinkRequest",
                  claims={"platform_admin": True, "grant": {"all_platforms": False, "content": True}},
                  expires_at=utcnow() + timedelta(hours=1), handoff_token=token))
    db.commit()
    return token


def assert_accessible(page) -> None:
    results = axe_module.Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_an_admin_fixes_a_typo_with_live_preview_and_publishes_a_minor_version(page, server, handoff, db, content):
    page.goto(f"{server}/lti/resume?h={handoff}&window=new")
    assert page.url.endswith("/admin/")
    page.click("text=Modules and quizzes: edit, preview and publish content")
    assert page.locator("#modules").is_visible()
    assert_accessible(page)

    page.click("#modules a:has-text('Supervising international medical graduates')")
    page.click(f"a:has-text('Edit {PAGE_FILE}')")
    preview = page.locator("#preview-content")
    assert TYPO in preview.inner_text()
    assert_accessible(page)

    editor = page.locator("#markdown")
    original = editor.input_value()
    editor.fill(original.replace("## What we mean by", "# What we mean by"))
    page.locator("#file-problems").wait_for(timeout=10000)
    problem_link = page.locator("#file-problems a").first
    heading_line = original.split("\n").index(next(
        line for line in original.split("\n") if line.startswith("## What we mean by"))) + 1
    assert problem_link.inner_text() == f"Line {heading_line}"
    assert "headings start at '##'" in page.locator("#file-problems").inner_text()
    assert page.locator("#preview-status").inner_text() == "Preview updated: 1 problem to fix."
    assert_accessible(page)
    problem_link.click()
    selected = page.evaluate("() => { const t = document.getElementById('markdown');"
                             " return t.value.slice(t.selectionStart, t.selectionEnd); }")
    assert selected == "# What we mean by differential attainment"

    editor.fill(original.replace(TYPO, CORRECT))
    page.locator("#no-problems").wait_for(timeout=10000)
    assert CORRECT in preview.inner_text() and TYPO not in preview.inner_text()

    page.set_input_files("#image", files=[{"name": "Induction Plan.png", "mimeType": "image/png", "buffer": PNG}])
    page.fill("#alt", "An induction plan")
    page.click("button:has-text('Upload image')")
    page.locator("text=![An induction plan](images/induction-plan.png)").wait_for(timeout=10000)
    assert CORRECT in editor.input_value(), "the unpublished edit survives the upload's reload"
    assert (content / "modules/img-supervision/images/induction-plan.png").read_bytes() == PNG
    page.locator("#no-problems").wait_for(timeout=10000)

    page.check("#change-minor")
    page.fill("#note", "Fix a typo: persist")
    page.click("button[name=action][value=publish]")
    page.locator("text=Published img-supervision v2 (minor).").wait_for(timeout=10000)
    assert "/admin/content/img-supervision/" in page.url

    db.expire_all()
    module = db.scalars(select(Module).where(Module.slug == "img-supervision")).one()
    version = db.get(ModuleVersion, module.current_version_id)
    assert (version.number, version.change, version.change_note, version.origin) == (
        2, "minor", "Fix a typo: persist", "browser")
    assert version.published_by.startswith("Ada Admin (user ")
    first_page = version.pages[0]
    assert first_page.slug == "why-it-matters"
    assert CORRECT in first_page.html and TYPO not in first_page.html

    assert_accessible(page)
    page.select_option("#old", "1")
    page.click("button:has-text('Show differences')")
    assert "+The important point for supervisors is that these gaps persist" in page.locator(".diff").inner_text()
    assert_accessible(page)

    page.goto(f"{server}/admin/audit")
    assert "content.publish" in page.locator("#audit").inner_text()
    assert_accessible(page)
    upload, publishing = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert (upload.action, upload.details["file"]) == ("content.image_upload", "images/induction-plan.png")
    assert (publishing.action, publishing.target, publishing.details["note"]) == (
        "content.publish", "module:img-supervision", "Fix a typo: persist")


def test_an_admin_finds_what_is_due_for_review_and_the_page_is_accessible(page, server, handoff, db):
    later = date.today() + timedelta(days=200)
    for table in (ModuleVersion, Page, QuizVersion):
        db.execute(update(table).values(next_review=later))
    db.execute(update(Page).where(Page.slug == "why-it-matters").values(next_review=date.today()))
    db.commit()
    page.goto(f"{server}/lti/resume?h={handoff}&window=new")
    page.click("text=Due for review: content past or near its next review date")
    assert page.locator("#review-summary").inner_text() == "1 past review, 0 due within 30 days."
    assert "img-supervision/why-it-matters" in page.locator("#review-due").inner_text()
    assert_accessible(page)
    page.fill("#within", "365")
    page.click("button:has-text('Show')")
    page.wait_for_url("**/review-due?within=365")
    assert "quiz img-supervision-check" in page.locator("#review-due").inner_text()
    assert_accessible(page)
