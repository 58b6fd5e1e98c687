"""Publishing: versions are created only when content changes, and published rows are never altered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lti_tool import REPO_ROOT
from lti_tool.content import ContentProblems, publish, publish_module_from_sources
from lti_tool.errors import ToolError
from lti_tool.models import Module, ModuleVersion, Option, Page, Question, Quiz, QuizVersion
from tests.support.demo_content import REVIEW
from tests.support.shipped_content import page_files, shipped_counts


def count(db, table) -> int:
    return db.scalar(select(func.count()).select_from(table))


def counts(db) -> dict[str, int]:
    return {table.__name__: count(db, table) for table in (ModuleVersion, Page, QuizVersion, Question, Option)}


def versions(db, slug: str) -> list[ModuleVersion]:
    return list(db.scalars(select(ModuleVersion).join(Module, ModuleVersion.module_id == Module.id)
                           .where(Module.slug == slug).order_by(ModuleVersion.number)))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_publish_creates_v1_with_every_page_question_and_option(db, demo_content):
    report = publish(db, demo_content, note="launch")
    assert report.lines() == ["module demo v1 (new)", "quiz demo-check v1 (new)"]
    assert counts(db) == {"ModuleVersion": 1, "Page": 2, "QuizVersion": 1, "Question": 4, "Option": 7}
    [version] = versions(db, "demo")
    assert (version.number, version.change, version.change_note, version.origin) == (1, "initial", "launch", "files")
    assert [page.slug for page in version.pages] == ["first", "check"]
    assert version.module.current_version_id == version.id
    assert set(version.source_files) == {"module.md", "01-first.md", "02-check.md"}
    quiz_page = version.pages[1]
    assert quiz_page.quiz_version.quiz.slug == "demo-check"
    assert quiz_page.quiz_version.source_text == (demo_content / "quizzes/demo-check.md").read_text()


def test_published_rows_hold_rendered_sanitised_html_and_settings(db, demo_content):
    publish(db, demo_content)
    [version] = versions(db, "demo")
    first = version.pages[0]
    assert '<img alt="A bar chart of pass rates" src="/content/demo/assets/images/chart.png">' in first.html
    assert 'rel="noopener noreferrer"' in first.html
    assert '<div class="callout callout--tip">' in first.html
    assert first.sources == [{"title": "An official source", "url": "https://www.gmc-uk.org/",
                              "accessed": "2026-01-05"}]
    review = (date(2026, 1, 5), "RCPCH college tutor", date(2027, 1, 5))
    assert (version.last_reviewed, version.reviewed_by, version.next_review) == review
    assert (first.last_reviewed, first.reviewed_by, first.next_review) == review
    quiz = db.scalars(select(QuizVersion)).one()
    assert (quiz.last_reviewed, quiz.reviewed_by, quiz.next_review, quiz.sources) == (*review, [])
    assert (quiz.pass_mark, quiz.attempts_allowed, quiz.shuffle, quiz.show_answers) == (50, 2, "none", "after_submit")
    pick, truefalse, pairs, thoughts = quiz.questions
    assert [(o.slug, o.is_correct, o.pinned, o.feedback_html) for o in pick.options] == [
        ("a", False, False, "<p>Not this one.</p>"), ("b", True, False, "<p>Correct.</p>"),
        ("none", False, True, "")]
    assert pick.explanation_html == "<p>Because it is.</p>"
    assert (truefalse.type, truefalse.points) == ("truefalse", 2)
    assert [(o.text_html, o.match_text) for o in pairs.options] == [("One", "First"), ("Two", "First")]
    assert (thoughts.type, thoughts.points, thoughts.settings) == ("reflection", 0, {"required": False})


def test_republishing_unchanged_content_creates_nothing(db, demo_content):
    publish(db, demo_content)
    before = counts(db)
    report = publish(db, demo_content)
    assert not report.created
    assert report.lines() == ["module demo unchanged (v1)", "quiz demo-check unchanged (v1)"]
    assert counts(db) == before


def test_editing_a_page_creates_v2_and_leaves_v1_rows_untouched(db, demo_content):
    publish(db, demo_content)
    [v1] = versions(db, "demo")
    v1_pages = [(p.id, p.slug, p.html) for p in v1.pages]
    v1_quiz_version = v1.pages[1].quiz_version_id
    edit(demo_content / "modules/demo/01-first.md", "Ask early.", "Ask early and often.")
    report = publish(db, demo_content, change="major", note="clearer tip")
    assert report.lines() == ["module demo v1 → v2", "quiz demo-check unchanged (v1)"]
    db.expire_all()
    v1, v2 = versions(db, "demo")
    assert [(p.id, p.slug, p.html) for p in v1.pages] == v1_pages
    assert "Ask early and often." in v2.pages[0].html and "often" not in v1.pages[0].html
    assert (v2.change, v2.change_note) == ("major", "clearer tip")
    assert v2.module.current_version_id == v2.id
    assert v2.pages[1].quiz_version_id == v1_quiz_version
    assert count(db, QuizVersion) == 1


def test_editing_a_quiz_makes_a_new_quiz_version_and_a_new_module_version(db, demo_content):
    publish(db, demo_content)
    edit(demo_content / "quizzes/demo-check.md", "Which is right?", "Which one is right?")
    report = publish(db, demo_content)
    assert report.lines() == ["module demo v1 → v2", "quiz demo-check v1 → v2"]
    db.expire_all()
    v1, v2 = versions(db, "demo")
    assert (v1.pages[1].quiz_version.number, v2.pages[1].quiz_version.number) == (1, 2)
    assert "Which is right?" in v1.pages[1].quiz_version.questions[0].stem_html
    assert "Which one is right?" in v2.pages[1].quiz_version.questions[0].stem_html
    quiz = db.scalars(select(Quiz)).one()
    assert quiz.current_version.number == 2


def test_content_with_problems_is_refused_and_nothing_is_published(db, demo_content):
    edit(demo_content / "modules/demo/02-check.md", "quiz: demo-check", "quiz: demo-chek")
    with pytest.raises(ContentProblems) as refused:
        publish(db, demo_content)
    assert [str(p) for p in refused.value.problems] == ["modules/demo/02-check.md:8: quiz 'demo-chek' does not exist"]
    assert "modules/demo/02-check.md:8: quiz 'demo-chek' does not exist" in refused.value.message
    assert isinstance(refused.value, ToolError)
    assert count(db, Module) == 0


def test_change_must_be_minor_or_major(db, demo_content):
    with pytest.raises(ToolError):
        publish(db, demo_content, change="initial")


def test_publishing_from_edited_sources_goes_through_the_same_path(db, demo_content):
    publish(db, demo_content)
    [v1] = versions(db, "demo")
    files = dict(v1.source_files)
    files["01-first.md"] = files["01-first.md"].replace("Ask early.", "Ask in the first week.")
    report = publish_module_from_sources(db, demo_content, "demo", files, note="from the editor", actor="admin 7")
    assert report.lines() == ["module demo v1 → v2", "quiz demo-check unchanged (v1)"]
    db.expire_all()
    _, v2 = versions(db, "demo")
    assert (v2.origin, v2.published_by, v2.change_note) == ("browser", "admin 7", "from the editor")
    assert "Ask in the first week." in v2.pages[0].html
    assert v2.source_files == files
    again = publish_module_from_sources(db, demo_content, "demo", files)
    assert not again.created


def test_publishing_edited_quiz_sources_makes_a_new_quiz_version(db, demo_content):
    publish(db, demo_content)
    [v1] = versions(db, "demo")
    quiz = v1.pages[1].quiz_version
    quiz_files = {quiz.source_path: quiz.source_text.replace("Which is right?", "Pick the right one.")}
    report = publish_module_from_sources(db, demo_content, "demo", dict(v1.source_files), quiz_files=quiz_files)
    assert report.lines() == ["module demo v1 → v2", "quiz demo-check v1 → v2"]


def test_publishing_edited_sources_with_problems_is_refused(db, demo_content):
    publish(db, demo_content)
    [v1] = versions(db, "demo")
    new_page = f"---\nid: first\ntitle: New\n{REVIEW}sources: []\n---\n"
    files = {**v1.source_files, "03-new.md": new_page}
    with pytest.raises(ContentProblems) as refused:
        publish_module_from_sources(db, demo_content, "demo", files)
    assert [str(p) for p in refused.value.problems] == [
        "modules/demo/03-new.md:2: page id 'first' is already used in modules/demo/01-first.md",
        "modules/demo/03-new.md:7: sources may be empty only on a page that hosts a quiz",
    ]
    with pytest.raises(ToolError):
        publish_module_from_sources(db, demo_content, "demo", {"../escape.md": "x", **v1.source_files})
    with pytest.raises(ToolError):
        publish_module_from_sources(db, demo_content, "../demo", dict(v1.source_files))
    assert len(versions(db, "demo")) == 1


def test_shipped_content_publishes_every_page_question_and_option(db):
    files = shipped_counts()
    report = publish(db, REPO_ROOT)
    assert all(item.before is None and item.after == 1 for item in report.modules + report.quizzes)
    assert len(report.modules) == count(db, ModuleVersion) == files["modules"]
    assert len(report.quizzes) == count(db, QuizVersion) == files["quizzes"]
    assert count(db, Page) == files["pages"]
    assert count(db, Question) == files["questions"]
    assert count(db, Option) == files["options"]
    assert not publish(db, REPO_ROOT).created


def test_every_shipped_page_is_published_with_html_and_every_scored_question_has_answers_and_feedback(db):
    publish(db, REPO_ROOT)
    published: set[tuple[str, str]] = set()
    for version in db.scalars(select(ModuleVersion)):
        folder = Path(version.module.folder).name
        assert len(version.pages) == len(set(version.source_files) - {"module.md"}), folder
        published |= {(folder, name) for name in version.source_files if name != "module.md"}
        assert all(page.html.strip() for page in version.pages), folder
    assert published == {(path.parent.name, path.name) for path in page_files()}
    for question in db.scalars(select(Question)):
        assert question.stem_html.strip(), question.slug
        if question.type == "reflection":
            continue
        feedback = [question.explanation_html] + [option.feedback_html for option in question.options]
        assert any(text.strip() for text in feedback), question.slug
        if question.type in ("single", "multiple", "truefalse"):
            assert any(option.is_correct for option in question.options), question.slug
            assert len(question.options) >= 2, question.slug
        elif question.type in ("match", "order"):
            assert len(question.options) >= 2, question.slug


def test_a_broken_file_elsewhere_does_not_block_publishing_one_module_from_sources(db, demo_content):
    publish(db, demo_content)
    [v1] = versions(db, "demo")
    (demo_content / "quizzes/unrelated.md").write_text("---\nid: unrelated\n---\nNo questions.\n")
    files = {**v1.source_files, "01-first.md": v1.source_files["01-first.md"].replace("Ask early.", "Ask now.")}
    report = publish_module_from_sources(db, demo_content, "demo", files)
    assert report.lines() == ["module demo v1 → v2", "quiz demo-check unchanged (v1)"]
    with pytest.raises(ContentProblems):
        publish(db, demo_content)


def test_a_folder_publish_records_that_the_folder_holds_the_version(db, demo_content):
    publish(db, demo_content)
    [v1] = versions(db, "demo")
    assert (v1.module.folder_version, v1.folder_digest) == (1, v1.digest)
    publish_module_from_sources(db, demo_content, "demo", {**v1.source_files, "01-first.md": "---\nid: first\n"
                                f"title: First\n{REVIEW}sources: []\nquiz: demo-check\n---\nx\n",
                                "02-check.md": v1.source_files["02-check.md"].replace("quiz: demo-check\n", "")
                                .replace("sources: []", "sources:\n  - title: S\n    url: https://example.org/\n"
                                         "    accessed: 2026-01-05")})
    db.expire_all()
    _, v2 = versions(db, "demo")
    assert (v2.module.folder_version, v2.origin, v2.folder_digest) == (1, "browser", v1.digest)
