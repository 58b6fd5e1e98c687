"""``flask content check|publish|list`` and ``flask dev setup`` publishing the content folder."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool import REPO_ROOT
from lti_tool.models import AuditEntry
from tests.support.demo_content import BROKEN_EXPECTED, BROKEN_FILES, write_demo
from tests.support.shipped_content import shipped_counts


def test_check_of_the_shipped_content_exits_0_with_a_summary_counting_every_file_and_question(app):
    result = app.test_cli_runner().invoke(args=["content", "check", str(REPO_ROOT)])
    assert result.exit_code == 0, result.output
    files = shipped_counts()
    assert result.output == (f"No problems in {REPO_ROOT}: {files['modules']} modules ({files['pages']} pages), "
                             f"{files['quizzes']} quizzes ({files['questions']} questions).\n")


def test_check_defaults_to_the_configured_content_folder(app, demo_content):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert (result.exit_code, result.output) == (
        0, f"No problems in {demo_content}: 1 module (2 pages), 1 quiz (4 questions).\n")


def test_check_prints_every_problem_relative_to_the_content_folder_and_exits_1(app, tmp_path):
    root = write_demo(tmp_path / "broken", BROKEN_FILES)
    result = app.test_cli_runner().invoke(args=["content", "check", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines() == BROKEN_EXPECTED


def test_check_of_a_missing_folder_is_a_usage_error(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["content", "check", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_publish_prints_what_changed_and_list_shows_versions(app, db, demo_content):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["content", "publish", "--note", "first run"])
    assert (first.exit_code, first.output) == (0, "module demo v1 (new)\nquiz demo-check v1 (new)\n")
    (demo_content / "modules/demo/01-first.md").write_text(
        (demo_content / "modules/demo/01-first.md").read_text().replace("Ask early.", "Ask soon."))
    second = runner.invoke(args=["content", "publish", "--major"])
    assert second.output == "module demo v1 → v2\nquiz demo-check unchanged (v1)\n"
    third = runner.invoke(args=["content", "publish"])
    assert third.output.endswith("Nothing changed; no new versions.\n")
    logged = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.actor, e.action, e.details["change"], e.details["lines"]) for e in logged] == [
        ("cli", "content.publish", "minor", ["module demo v1 (new)", "quiz demo-check v1 (new)"]),
        ("cli", "content.publish", "major", ["module demo v1 → v2", "quiz demo-check unchanged (v1)"]),
    ], "each publish that made a version is in the audit log; one that changed nothing is not"
    listing = runner.invoke(args=["content", "list"])
    assert listing.exit_code == 0
    assert listing.output.startswith("demo (module, modules/demo) current v2: v1 initial ")
    assert ", v2 major " in listing.output


def test_publish_with_problems_prints_them_and_exits_nonzero(app, demo_content):
    (demo_content / "quizzes/demo-check.md").write_text(
        (demo_content / "quizzes/demo-check.md").read_text().replace("{#q-pick type=single}", "{type=single}"))
    result = app.test_cli_runner().invoke(args=["content", "publish"])
    assert result.exit_code == 1
    assert "quizzes/demo-check.md:12: question heading has no id: add {#some-id}" in result.output
    assert "Nothing published: 1 problem(s) to fix." in result.output


def test_dev_setup_publishes_the_content_folder_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["dev", "setup"])
    assert first.exit_code == 0, first.output
    assert "module demo v1 (new)" in first.output
    second = runner.invoke(args=["dev", "setup"])
    assert "module demo unchanged (v1)" in second.output


def test_dev_setup_reports_content_problems_instead_of_publishing(app, demo_content):
    (demo_content / "modules/demo/02-check.md").write_text(
        (demo_content / "modules/demo/02-check.md").read_text().replace("quiz: demo-check", "quiz: nope"))
    result = app.test_cli_runner().invoke(args=["dev", "setup"])
    assert result.exit_code == 1
    assert "modules/demo/02-check.md:8: quiz 'nope' does not exist" in result.output
