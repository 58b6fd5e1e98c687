"""Journey 5: an institution administrator's launch (no course), granted content rights from the command line,
reaches the admin home, setup, platforms, content list and audit log; fixes a typo in a supervision page in the
browser editor and publishes it as a minor change; a learner then reads the corrected text."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_tool import REPO_ROOT
from lti_tool.devplatform import GRADED_RESOURCE_LINK_ID
from lti_tool.lti import admin_access
from lti_tool.models import User

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


def test_an_administrator_fixes_a_typo_and_a_learner_reads_the_correction(journey):
    page = journey.window()
    journey.launch(page, user_id="admin-1", roles=[INSTITUTION_ADMIN], omit_claims=[CONTEXT_CLAIM])
    assert page.url == f"{journey.tool}/admin/"
    admin_id = journey.db.scalars(select(User.id).where(User.sub == "admin-1")).one()
    admin_access.grant(journey.db, admin_id, all_platforms=False, content=True)  # `flask admin grant --content`
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

    page.locator("#modules a", has_text="Supervising international medical graduates").click()
    journey.check(page, "admin module")
    page.get_by_role("link", name=f"Edit {PAGE_FILE}").click()
    assert TYPO in page.locator("#preview-content").inner_text()
    journey.check(page, "admin editor")
    editor = page.locator("#markdown")
    editor.fill(editor.input_value().replace(TYPO, CORRECT))
    page.locator("#no-problems").wait_for()
    page.check("#change-minor")
    page.fill("#note", "Fix a typo: persist")
    page.click("button[name=action][value=publish]")
    page.get_by_text("Published img-supervision v2 (minor).").wait_for()

    page.goto(f"{journey.tool}/admin/audit")
    assert "content.publish" in page.locator("#audit").inner_text()

    learner = journey.window()
    journey.launch(learner, user_id="learner-1", role="learner", resource_link_id=GRADED_RESOURCE_LINK_ID)
    learner.goto(learner.url + "page/why-it-matters")
    text = learner.locator("main").inner_text()
    assert CORRECT in text and TYPO not in text
