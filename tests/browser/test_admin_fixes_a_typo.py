"""Journey 5: an institution administrator's launch (no course), granted content rights from the command line,
reaches the admin home, setup, platforms, content list and audit log; fixes a typo in a supervision page in the
browser editor, watching the live preview (and its problem list) update, uploads an image without losing the
edit, publishes a minor change with a note, and the new version holds the fix; a learner then reads the corrected
text. axe finds no violations on any page on the way, the editor with problems and the diff included."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_platform_emulator import GRADED_RESOURCE_LINK_ID
from lti_tool import REPO_ROOT
from lti_tool.lti import admin_access
from lti_tool.models import AuditEntry, Module, ModuleVersion, User
from tests.support.demo_content import PNG

pytestmark = pytest.mark.browser
PAGE_FILE = "01-why-it-matters.md"
CORRECT = "these gaps persist even when you allow for earlier academic performance"
TYPO = "these gaps persits even when you allow for earlier academic performance"
INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"


@pytest.fixture
def test_config(test_config: dict, tmp_path: Path) -> dict:
    """The shipped content, copied, with a typo in the supervision module's first page."""
    root = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "modules", root / "modules")
    shutil.copytree(REPO_ROOT / "quizzes", root / "quizzes")
    page = root / "modules/img-supervision" / PAGE_FILE
    text = page.read_text(encoding="utf-8")
    assert CORRECT in text
    page.write_text(text.replace(CORRECT, TYPO), encoding="utf-8")
    return {**test_config, "CONTENT_DIR": str(root)}


def test_an_administrator_fixes_a_typo_and_a_learner_reads_the_correction(journey, test_config):
    content = Path(test_config["CONTENT_DIR"])
    page = journey.window()
    page.set_default_timeout(60000)  # previews, the upload and publishing parse the whole module
    journey.launch(page, user_id="admin-1", roles=[INSTITUTION_ADMIN], omit_claims=[CONTEXT_CLAIM])
    assert page.url == f"{journey.tool}/admin/"
    admin = journey.db.scalars(select(User).where(User.sub == "admin-1")).one()
    admin_access.grant(journey.db, admin.id, all_platforms=False, content=True)  # `flask admin grant --content`
    journey.db.commit()
    assert page.locator("h1").inner_text() == "Administration"
    journey.check(page, "admin home")
    for heading, shows in (("Connect a platform", "/lti/jwks.json"),
                           ("Platforms and deployments", "Emulated Learn"),
                           ("Audit log", "Audit log"),
                           ("Modules and quizzes", "Supervising international medical graduates")):
        page.goto(f"{journey.tool}/admin/")
        page.get_by_role("main").get_by_role("link", name=re.compile("^" + heading)).click()
        assert page.locator("h1").inner_text() == heading
        assert shows in page.locator("main").inner_text()
        journey.check(page, f"admin {heading}")
    assert page.locator("#modules").is_visible()

    page.locator("#modules a", has_text="Supervising international medical graduates").click()
    journey.check(page, "admin module")
    page.get_by_role("link", name=f"Edit {PAGE_FILE}").click()
    preview = page.locator("#preview-content")
    assert TYPO in preview.inner_text()
    journey.check(page, "admin editor")

    editor = page.locator("#markdown")
    original = editor.input_value()
    editor.fill(original.replace("## What we mean by", "# What we mean by"))
    page.locator("#file-problems").wait_for()
    problem_link = page.locator("#file-problems a").first
    heading_line = original.split("\n").index(next(
        line for line in original.split("\n") if line.startswith("## What we mean by"))) + 1
    assert problem_link.inner_text() == f"Line {heading_line}"
    assert "headings start at '##'" in page.locator("#file-problems").inner_text()
    assert page.locator("#preview-status").inner_text() == "Preview updated: 1 problem to fix."
    journey.check(page, "admin editor with a problem")
    problem_link.click()
    selected = page.evaluate("() => { const t = document.getElementById('markdown');"
                             " return t.value.slice(t.selectionStart, t.selectionEnd); }")
    assert selected == "# What we mean by differential attainment"

    editor.fill(original.replace(TYPO, CORRECT))
    page.locator("#no-problems").wait_for()
    assert CORRECT in preview.inner_text() and TYPO not in preview.inner_text()

    page.set_input_files("#image", files=[{"name": "Induction Plan.png", "mimeType": "image/png", "buffer": PNG}])
    page.fill("#alt", "An induction plan")
    page.click("button:has-text('Upload image')")
    page.locator("text=![An induction plan](images/induction-plan.png)").wait_for()
    assert CORRECT in editor.input_value(), "the unpublished edit survives the upload's reload"
    assert (content / "modules/img-supervision/images/induction-plan.png").read_bytes() == PNG
    page.locator("#no-problems").wait_for()

    page.check("#change-minor")
    page.fill("#note", "Fix a typo: persist")
    page.click("button[name=action][value=publish]")
    page.get_by_text("Published img-supervision v2 (minor).").wait_for()
    assert "/admin/content/img-supervision/" in page.url

    db = journey.db
    db.expire_all()
    module = db.scalars(select(Module).where(Module.slug == "img-supervision")).one()
    version = db.get(ModuleVersion, module.current_version_id)
    assert (version.number, version.change, version.change_note, version.origin) == (
        2, "minor", "Fix a typo: persist", "browser")
    assert version.published_by.startswith(f"{admin.name} (user ")
    first_page = version.pages[0]
    assert first_page.slug == "why-it-matters"
    assert CORRECT in first_page.html and TYPO not in first_page.html

    journey.check(page, "admin module after publishing")
    page.select_option("#old", "1")
    page.click("button:has-text('Show differences')")
    assert "+The important point for supervisors is that these gaps persist" in page.locator(".diff").inner_text()
    journey.check(page, "admin diff")

    page.goto(f"{journey.tool}/admin/audit")
    assert "content.publish" in page.locator("#audit").inner_text()
    journey.check(page, "admin audit log after publishing")
    upload, publishing = db.scalars(select(AuditEntry).where(AuditEntry.action.startswith("content."))
                                    .order_by(AuditEntry.id)).all()
    assert (upload.action, upload.details["file"]) == ("content.image_upload", "images/induction-plan.png")
    assert (publishing.action, publishing.target, publishing.details["note"]) == (
        "content.publish", "module:img-supervision", "Fix a typo: persist")

    learner = journey.window()
    journey.launch(learner, user_id="learner-1", role="learner", resource_link_id=GRADED_RESOURCE_LINK_ID)
    learner.goto(learner.url.split("?")[0] + "page/why-it-matters")
    text = learner.locator("main").inner_text()
    assert CORRECT in text and TYPO not in text
