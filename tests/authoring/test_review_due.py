"""What is due for review: the domain list, ``flask content review-due`` and the admin page read the same
published versions."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from lti_tool.content import publish
from lti_tool.content.review import review_due
from lti_tool.models import Page, QuizVersion
from tests.support.admin_session import signed_in
from tests.support.demo_content import write_demo

TODAY = date.today()


def dated(text: str, last: date, next_review: date) -> str:
    return text.replace("last_reviewed: 2026-01-05", f"last_reviewed: {last.isoformat()}").replace(
        "next_review: 2027-01-05", f"next_review: {next_review.isoformat()}").replace(
        "accessed: 2026-01-05", f"accessed: {last.isoformat()}")


def publish_dated(db, root, *, page_due: date, others_due: date):
    """The demo content with the first page due on ``page_due`` and everything else on ``others_due``."""
    last = TODAY - timedelta(days=100)
    write_demo(root)
    for path in ("modules/demo/module.md", "modules/demo/01-first.md", "modules/demo/02-check.md",
                 "quizzes/demo-check.md"):
        file = root / path
        due = page_due if path.endswith("01-first.md") else others_due
        file.write_text(dated(file.read_text(encoding="utf-8"), last, due), encoding="utf-8")
    publish(db, root, actor="cli")
    db.commit()


def test_review_due_lists_past_and_soon_items_most_overdue_first(db, tmp_path):
    publish_dated(db, tmp_path, page_due=TODAY - timedelta(days=3), others_due=TODAY + timedelta(days=20))
    due = review_due(db, TODAY, within_days=30)
    assert [(item.kind, item.label, item.past_due(TODAY)) for item in due] == [
        ("page", "demo/first", True), ("module", "demo", False), ("page", "demo/check", False),
        ("quiz", "quiz demo-check", False)]
    assert due[0].reviewed_by == "RCPCH college tutor"
    assert [item.label for item in review_due(db, TODAY, within_days=10)] == ["demo/first"]


def test_a_version_without_a_review_date_counts_as_past_due(db, tmp_path):
    publish_dated(db, tmp_path, page_due=TODAY + timedelta(days=200), others_due=TODAY + timedelta(days=200))
    db.execute(update(QuizVersion).values(next_review=None))
    db.commit()
    [item] = review_due(db, TODAY, within_days=30)
    assert (item.label, item.next_review, item.past_due(TODAY)) == ("quiz demo-check", None, True)


def test_review_due_command_exits_1_when_something_is_past_review(app, db, tmp_path):
    publish_dated(db, tmp_path, page_due=TODAY, others_due=TODAY + timedelta(days=200))
    result = app.test_cli_runner().invoke(args=["content", "review-due"])
    assert result.exit_code == 1
    last = (TODAY - timedelta(days=100)).isoformat()
    assert result.output.splitlines() == [
        f"{TODAY.isoformat()}  past due  demo/first: First page (last reviewed {last} by RCPCH college tutor)",
        "1 item past review, 0 items due within 30 days."]


def test_review_due_command_exits_0_when_items_are_only_due_soon(app, db, tmp_path):
    publish_dated(db, tmp_path, page_due=TODAY + timedelta(days=40), others_due=TODAY + timedelta(days=200))
    runner = app.test_cli_runner()
    quiet = runner.invoke(args=["content", "review-due"])
    assert (quiet.exit_code, quiet.output) == (0, "0 items past review, 0 items due within 30 days.\n")
    soon = runner.invoke(args=["content", "review-due", "--within", "60"])
    assert soon.exit_code == 0
    assert soon.output.splitlines()[0].startswith(f"{(TODAY + timedelta(days=40)).isoformat()}  due soon  demo/first")


def test_the_admin_page_lists_the_same_items_and_reads_within_from_the_query(app, db, tmp_path):
    publish_dated(db, tmp_path, page_due=TODAY - timedelta(days=1), others_due=TODAY + timedelta(days=45))
    admin = signed_in(app, db, "admin")
    html = admin.get("/admin/content/review-due").text
    assert '<p id="review-summary">1 past review, 0 due within 30 days.</p>' in html
    assert "<strong>Past due:</strong> " + (TODAY - timedelta(days=1)).isoformat() in html
    assert '<a href="/admin/content/demo/">First page</a>' in html
    wider = admin.get("/admin/content/review-due?within=60").text
    assert '<p id="review-summary">1 past review, 3 due within 60 days.</p>' in wider
    assert "quiz <code>demo-check</code>" in wider
    assert admin.get("/admin/content/review-due?within=-5").text.count('value="0"') == 1


def test_publishing_stores_the_review_dates_with_the_version(db, tmp_path):
    publish_dated(db, tmp_path, page_due=TODAY + timedelta(days=40), others_due=TODAY + timedelta(days=90))
    page = db.query(Page).filter(Page.slug == "first").one()
    assert (page.reviewed_by, page.next_review) == ("RCPCH college tutor", TODAY + timedelta(days=40))
