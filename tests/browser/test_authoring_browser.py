"""Authoring in a real browser: an admin finds what is due for review, and the page is accessible. (Editing,
previewing, uploading and publishing are the admin journey: test_admin_fixes_a_typo.py.)

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
from sqlalchemy import update

from lti_platform_emulator import serve_in_thread
from lti_tool import REPO_ROOT
from lti_tool.content import publish
from lti_tool.models import Launch, ModuleVersion, Page, Platform, QuizVersion, User, utcnow
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the shipped content."""
    root = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "modules", root / "modules")
    shutil.copytree(REPO_ROOT / "quizzes", root / "quizzes")
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
