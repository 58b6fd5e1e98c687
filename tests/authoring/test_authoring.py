"""Authoring in the browser, in the domain: preview, publish, history, diff, export and import, images, and the
rule that the files and the browser never silently overwrite each other."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from lti_tool.content import ContentProblems, Problem, publish
from lti_tool.content import authoring as a
from lti_tool.content.assets import asset_url
from lti_tool.content.render import render_markdown
from lti_tool.errors import NotFound, ToolError
from lti_tool.models import Module, ModuleVersion, Page, Progress, utcnow
from tests.support.demo_content import PNG

PAGE = "01-first.md"


def versions(db) -> list[ModuleVersion]:
    db.expire_all()
    return list(db.scalars(select(ModuleVersion).order_by(ModuleVersion.number)))


def page_text(db) -> str:
    return a.load_file(db, "demo", PAGE).text


def edit_and_publish(db, folder, old: str, new: str, **kwargs):
    options = {"base_number": a.history(db, "demo")[0].number, "change": "minor", "note": "edited",
               "actor": "Ada (user 1)", **kwargs}
    text = a.load_file(db, "demo", PAGE, options["base_number"]).text
    assert old in text
    report = a.publish_edit(db, folder, "demo", PAGE, text.replace(old, new), **options)
    db.commit()
    return report


# ------------------------------------------------------------------------------------------ listing and loading


def test_modules_and_quizzes_are_listed_with_their_versions(db, published):
    [module] = a.list_modules(db)
    assert (module.slug, module.folder, module.current, module.title) == ("demo", "demo", 1, "Demo module")
    [v1] = module.versions
    assert (v1.number, v1.change, v1.note, v1.origin, v1.published_by) == (1, "initial", "first", "files", "cli")
    assert not module.folder_behind
    [quiz] = a.list_quizzes(db)
    assert (quiz.slug, quiz.path, quiz.current, quiz.used_by) == ("demo-check", "quizzes/demo-check.md", 1, ("demo",))


def test_the_editor_loads_the_markdown_of_the_current_version_and_its_quizzes(db, published):
    files = a.editable_files(db, "demo")
    assert [(f.path, f.kind) for f in files] == [("module.md", "module"), ("01-first.md", "page"),
                                                 ("02-check.md", "page"), ("quizzes/demo-check.md", "quiz")]
    assert a.load_file(db, "demo", PAGE).text == (published / "modules/demo/01-first.md").read_text()
    with pytest.raises(NotFound):
        a.load_file(db, "demo", "99-missing.md")
    with pytest.raises(NotFound):
        a.load_file(db, "no-such-module", PAGE)


# ------------------------------------------------------------------------------------------ preview


def test_preview_renders_the_page_exactly_as_publishing_stores_it(db, published):
    text = page_text(db).replace("Ask early.", "Ask *early*.")
    shown = a.preview(db, published, "demo", PAGE, text)
    assert shown.publishable and shown.title == "First page"
    edit_and_publish(db, published, "Ask early.", "Ask *early*.")
    stored = versions(db)[-1].pages[0].html
    assert shown.html == stored
    assert "<em>early</em>" in stored and 'src="/content/demo/assets/images/chart.png"' in stored


def test_preview_sanitises_scripts_handlers_and_javascript_links_as_publishing_does(db, published):
    hostile = ("<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n"
               "![pic](javascript:alert(4))\n")
    text = page_text(db) + hostile
    shown = a.preview(db, published, "demo", PAGE, text)
    body = text.split("---\n", 2)[2]
    assert shown.html == render_markdown(body, lambda path: asset_url("demo", path))
    tags = parsed_tags(shown.html)
    assert "script" not in [tag for tag, _ in tags]
    attributes = [(name, value or "") for _, attrs in tags for name, value in attrs]
    assert not [name for name, _ in attributes if name.startswith("on")]
    assert not [value for _, value in attributes if "javascript" in value.lower()]
    assert "&lt;script&gt;" in shown.html, "raw HTML is shown as text, never run"
    lines = {problem.line: problem.message for problem in shown.problems}
    assert lines[19] == "HTML is not allowed in content: write Markdown"
    assert lines[21] == "HTML is not allowed in content: write Markdown"
    assert "link 'javascript:alert(3)' is not allowed" in lines[23]
    assert "image 'javascript:alert(4)' must be a file in the module folder" in lines[25]


def parsed_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    tags = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Collector().feed(html)
    return tags


def test_preview_reports_the_validators_problems_with_file_and_line(db, published):
    text = a.load_file(db, "demo", "02-check.md").text.replace("quiz: demo-check", "quiz: demo-chek")
    shown = a.preview(db, published, "demo", "02-check.md", text)
    assert shown.problems == (Problem("modules/demo/02-check.md", 8, "quiz 'demo-chek' does not exist"),)
    assert not shown.publishable


def test_preview_of_a_quiz_shows_its_questions_and_problems_at_their_lines(db, published):
    text = a.load_file(db, "demo", "quizzes/demo-check.md").text.replace("- [x] Right {#b}", "- [ ] Right {#b}")
    shown = a.preview(db, published, "demo", "quizzes/demo-check.md", text)
    assert shown.kind == "quiz" and shown.title == "Demo check"
    assert [q.slug for q in shown.questions] == ["q-pick", "q-tf", "q-pairs", "q-thoughts"]
    assert shown.questions[0].stem_html == "<p>Which is right?</p>"
    assert shown.problems == (Problem("quizzes/demo-check.md", 12,
                                      "question has no correct option: mark at least one with [x]"),)


def test_preview_refuses_a_changed_id(db, published):
    text = page_text(db).replace("id: first", "id: first-renamed")
    shown = a.preview(db, published, "demo", PAGE, text)
    assert [(p.line, p.message[:26]) for p in shown.problems] == [(2, "the id must stay 'first': ")]


def test_problems_elsewhere_in_the_content_folder_do_not_block_this_module(db, published):
    (published / "quizzes/other.md").write_text("---\nid: other\n---\nbroken\n")
    shown = a.preview(db, published, "demo", PAGE, page_text(db))
    assert shown.publishable


# ------------------------------------------------------------------------------------------ publishing


def test_publish_edit_makes_a_new_browser_version_with_the_change_and_note(db, published):
    report = edit_and_publish(db, published, "Ask early.", "Ask in the first week.", change="major",
                              note="clearer tip")
    assert report.lines() == ["module demo v1 → v2", "quiz demo-check unchanged (v1)"]
    v1, v2 = versions(db)
    assert (v2.change, v2.change_note, v2.origin, v2.published_by) == ("major", "clearer tip", "browser",
                                                                       "Ada (user 1)")
    assert "Ask in the first week." in v2.pages[0].html and "Ask early." in v1.pages[0].html
    assert v2.source_files[PAGE] != v1.source_files[PAGE]
    assert v2.folder_digest == v1.digest, "the folder still holds v1"
    assert [h.number for h in a.history(db, "demo")] == [2, 1]
    assert a.list_modules(db)[0].folder_behind


def test_publish_edit_leaves_learners_pinned_to_their_version(db, published):
    [v1] = versions(db)
    learner = signed_in_user(db)
    db.add(Progress(user_id=learner, course_id=course_id(db), module_slug="demo", module_version_id=v1.id))
    db.commit()
    v1_pages = [(p.id, p.html) for p in v1.pages]
    edit_and_publish(db, published, "Ask early.", "Ask soon.")
    progress = db.scalars(select(Progress)).one()
    assert progress.module_version_id == v1.id
    assert [(p.id, p.html) for p in db.scalars(select(Page).where(Page.module_version_id == v1.id)
                                                .order_by(Page.position))] == v1_pages


def signed_in_user(db) -> int:
    from lti_tool.models import Platform, User

    user = User(platform=Platform(issuer="https://bb.example", client_id="c", auth_login_url="https://b/a",
                                  auth_token_url="https://b/t", keyset_url="https://b/k"), sub="learner")
    db.add(user)
    db.flush()
    return user.id


def course_id(db) -> int:
    from lti_tool.models import Course, Deployment, Platform

    platform = db.scalars(select(Platform)).first()
    deployment = Deployment(platform_id=platform.id, deployment_id="d", is_active=True)
    db.add(deployment)
    db.flush()
    course = Course(deployment_id=deployment.id, context_id="ctx", title="Course")
    db.add(course)
    db.flush()
    return course.id


def test_publish_edit_needs_a_note_and_refuses_content_with_problems(db, published):
    with pytest.raises(ToolError, match="change note"):
        edit_and_publish(db, published, "Ask early.", "Ask soon.", note="  ")
    with pytest.raises(ContentProblems) as refused:
        edit_and_publish(db, published, "## What to know", "# What to know")
    assert [str(p) for p in refused.value.problems] == [
        "modules/demo/01-first.md:12: headings start at '##' (the page title is the top heading)"]
    assert len(versions(db)) == 1


def test_publish_edit_asks_for_confirmation_when_the_files_changed_on_disk(db, published):
    page = published / "modules/demo/01-first.md"
    page.write_text(page.read_text().replace("Read [the guidance]", "Please read [the guidance]"))
    with pytest.raises(a.NeedsConfirmation) as asked:
        edit_and_publish(db, published, "Ask early.", "Ask soon.")
    assert "changed on disk since v1" in asked.value.warnings[0]
    assert len(versions(db)) == 1
    edit_and_publish(db, published, "Ask early.", "Ask soon.", confirmed=True)
    assert len(versions(db)) == 2


def test_publish_edit_of_an_older_version_asks_for_confirmation(db, published):
    edit_and_publish(db, published, "Ask early.", "Ask soon.")
    with pytest.raises(a.NeedsConfirmation) as asked:
        edit_and_publish(db, published, "Ask early.", "Ask at once.", base_number=1)
    assert asked.value.warnings[0].startswith("v2 was published by Ada (user 1) after v1")
    assert a.edit_warnings(db, published, "demo", 2) == []


# ------------------------------------------------------------------------------------------ files versus browser


def test_publishing_the_files_refuses_a_module_edited_in_the_browser(db, published, app):
    edit_and_publish(db, published, "Ask early.", "Ask soon.")
    report = publish(db, published, actor="cli")
    [refusal] = report.refused
    assert refusal.slug == "demo"
    assert refusal.message.startswith("module demo was edited in the browser (v2 by Ada (user 1), ")
    assert "export it to the folder first (`flask --app lti_tool content export demo`)" in refusal.message
    assert "--force" in refusal.message
    assert report.modules == () and not report.created
    assert len(versions(db)) == 2

    result = app.test_cli_runner().invoke(args=["content", "publish"])
    assert result.exit_code == 1
    assert "Refused: module demo was edited in the browser (v2 by Ada (user 1)" in result.output
    assert len(versions(db)) == 2


def test_force_replaces_the_browser_version_with_the_files(db, published, app):
    edit_and_publish(db, published, "Ask early.", "Ask soon.")
    result = app.test_cli_runner().invoke(args=["content", "publish", "--force", "--note", "files win"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("module demo v2 → v3\n")
    v3 = versions(db)[-1]
    assert (v3.origin, v3.change_note) == ("files", "files win")
    assert "Ask early." in v3.pages[0].html


def test_after_export_the_files_are_in_charge_again(db, published, app):
    edit_and_publish(db, published, "Ask early.", "Ask soon.")
    result = app.test_cli_runner().invoke(args=["content", "export", "demo"])
    assert result.exit_code == 0, result.output
    assert "wrote modules/demo/01-first.md" in result.output and result.output.endswith("Exported demo v2.\n")
    assert "Ask soon." in (published / "modules/demo/01-first.md").read_text()
    assert not publish(db, published).created
    page = published / "modules/demo/01-first.md"
    page.write_text(page.read_text().replace("Ask soon.", "Ask now."))
    report = publish(db, published)
    assert report.refused == () and report.lines()[0] == "module demo v2 → v3"


def test_publishing_files_identical_to_the_browser_version_is_not_refused(db, published):
    edit_and_publish(db, published, "Ask early.", "Ask soon.")
    page = published / "modules/demo/01-first.md"
    page.write_text(page.read_text().replace("Ask early.", "Ask soon."))
    report = publish(db, published)
    assert report.refused == () and not report.created


def test_export_to_another_folder_leaves_the_content_folder_alone(db, published, app, tmp_path):
    edit_and_publish(db, published, "Ask early.", "Ask soon.")
    result = app.test_cli_runner().invoke(args=["content", "export", "demo", "--to", str(tmp_path / "copy")])
    assert result.exit_code == 0, result.output
    assert "Ask soon." in (tmp_path / "copy/modules/demo/01-first.md").read_text()
    assert (tmp_path / "copy/quizzes/demo-check.md").is_file()
    assert publish(db, published).refused, "the content folder still does not hold v2"
    missing = app.test_cli_runner().invoke(args=["content", "export", "nope"])
    assert missing.exit_code == 1 and "no published module 'nope'" in missing.output


# ------------------------------------------------------------------------------------------ diff


def test_diff_shows_the_changed_lines_file_by_file(db, published):
    edit_and_publish(db, published, "Ask early.", "Ask soon.")
    diffs = {d.path: d for d in a.diff_versions(db, "demo", 1, 2)}
    assert {p: d.status for p, d in diffs.items()} == {
        "module.md": "unchanged", "01-first.md": "changed", "02-check.md": "unchanged",
        "quizzes/demo-check.md": "unchanged"}
    changed = [(line.kind, line.text) for line in diffs["01-first.md"].lines]
    assert changed[:2] == [("header", "--- v1/01-first.md"), ("header", "+++ v2/01-first.md")]
    assert ("removed", "-> **Tip:** Ask early.") in changed and ("added", "+> **Tip:** Ask soon.") in changed
    assert diffs["module.md"].lines == ()


# ------------------------------------------------------------------------------------------ export and import


def zip_of(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_export_zip_holds_the_markdown_quizzes_and_images(db, published):
    files = unzip(a.export_zip(db, published, "demo"))
    assert sorted(files) == ["modules/demo/01-first.md", "modules/demo/02-check.md", "modules/demo/images/chart.png",
                             "modules/demo/module.md", "quizzes/demo-check.md"]
    assert files["modules/demo/images/chart.png"] == PNG
    assert files["quizzes/demo-check.md"].decode() == (published / "quizzes/demo-check.md").read_text()


def test_publishing_the_files_refuses_an_imported_version_too(db, published):
    files = unzip(a.export_zip(db, published, "demo"))
    files["modules/demo/01-first.md"] = files["modules/demo/01-first.md"].replace(b"Ask early.", b"Ask kindly.")
    a.import_zip(db, published, zip_of(files), change="minor", note="zip", actor="Ada")
    [refusal] = publish(db, published).refused
    assert refusal.message.startswith("module demo was imported from a zip (v2 by Ada, ")


def test_export_and_import_round_trip_keeps_every_id(db, published):
    files = unzip(a.export_zip(db, published, "demo"))
    files["modules/demo/01-first.md"] = files["modules/demo/01-first.md"].replace(b"Ask early.", b"Ask kindly.")
    files["quizzes/demo-check.md"] = files["quizzes/demo-check.md"].replace(b"Which is right?", b"Which one?")
    imported = a.import_zip(db, published, zip_of(files), change="minor", note="from a zip", actor="Ada")
    assert imported.slug == "demo"
    assert imported.report.lines() == ["module demo v1 → v2", "quiz demo-check v1 → v2"]
    v1, v2 = versions(db)
    assert (v2.origin, v2.change_note, v2.published_by) == ("import", "from a zip", "Ada")
    assert [p.slug for p in v2.pages] == [p.slug for p in v1.pages]
    old_quiz, new_quiz = v1.pages[1].quiz_version, v2.pages[1].quiz_version
    assert [(q.slug, [o.slug for o in q.options]) for q in new_quiz.questions] == [
        (q.slug, [o.slug for o in q.options]) for q in old_quiz.questions]
    assert "Ask kindly." in v2.pages[0].html and new_quiz.questions[0].stem_html == "<p>Which one?</p>"


def test_an_invalid_import_is_refused_with_file_and_line_and_writes_nothing(db, published):
    files = unzip(a.export_zip(db, published, "demo"))
    files["modules/demo/02-check.md"] = files["modules/demo/02-check.md"].replace(b"quiz: demo-check",
                                                                                  b"quiz: demo-chek")
    files["modules/demo/images/new.png"] = PNG
    with pytest.raises(ContentProblems) as refused:
        a.import_zip(db, published, zip_of(files), change="minor", note="broken", actor="Ada")
    assert [str(p) for p in refused.value.problems] == [
        "modules/demo/02-check.md:8: quiz 'demo-chek' does not exist",
        "quizzes/demo-check.md:1: no page of this module hosts this quiz: leave it out of the zip"]
    assert not (published / "modules/demo/images/new.png").exists()
    assert len(versions(db)) == 1


def test_an_import_with_a_new_image_adds_it_to_the_module_folder(db, published):
    files = unzip(a.export_zip(db, published, "demo"))
    files["modules/demo/images/extra.png"] = PNG
    files["modules/demo/01-first.md"] += b"\n![Another chart](images/extra.png)\n"
    a.import_zip(db, published, zip_of(files), change="minor", note="new image", actor="Ada")
    assert (published / "modules/demo/images/extra.png").read_bytes() == PNG
    assert 'src="/content/demo/assets/images/extra.png"' in versions(db)[-1].pages[0].html


@pytest.mark.parametrize(("files", "message"), [
    ({"modules/demo/../../evil.md": "x"}, "outside its folders"),
    ({"modules/other/module.md": "x", "modules/demo/module.md": "y"}, "exactly one module folder"),
    ({"modules/nowhere/module.md": "x"}, "no module folder modules/nowhere"),
])
def test_imports_with_unsafe_or_unknown_folders_are_refused(db, published, files, message):
    with pytest.raises(ToolError, match=message):
        a.import_zip(db, published, zip_of(files), change="minor", note="x", actor="Ada")
    with pytest.raises(ToolError, match="not a zip"):
        a.import_zip(db, published, b"not a zip", change="minor", note="x", actor="Ada")


def test_an_import_may_not_replace_an_image_or_smuggle_other_files(db, published):
    files = unzip(a.export_zip(db, published, "demo"))
    files["modules/demo/images/chart.png"] = PNG + b"changed"
    files["modules/demo/images/fake.png"] = b"<svg onload=alert(1)>"
    files["modules/demo/run.sh"] = b"rm -rf /"
    with pytest.raises(ContentProblems) as refused:
        a.import_zip(db, published, zip_of(files), change="minor", note="x", actor="Ada")
    assert [str(p) for p in refused.value.problems] == [
        "modules/demo/images/chart.png:1: a different file with this name is already in the module folder: "
        "rename it",
        "modules/demo/images/fake.png:1: modules/demo/images/fake.png is not a PNG, JPEG, GIF or WebP image.",
        "modules/demo/run.sh:1: not part of a module export: only the module's Markdown, its images and files, "
        "and quizzes/<name>.md"]


def test_an_import_keeps_the_module_id(db, published):
    files = unzip(a.export_zip(db, published, "demo"))
    files["modules/demo/module.md"] = files["modules/demo/module.md"].replace(b"id: demo", b"id: demo-two")
    with pytest.raises(ContentProblems) as refused:
        a.import_zip(db, published, zip_of(files), change="minor", note="x", actor="Ada")
    assert "the id must stay 'demo'" in str(refused.value.problems)
    files = unzip(a.export_zip(db, published, "demo"))
    files["modules/demo/01-first.md"] = files["modules/demo/01-first.md"].replace(b"id: first", b"id: first-two")
    with pytest.raises(ContentProblems) as refused:
        a.import_zip(db, published, zip_of(files), change="minor", note="x", actor="Ada")
    assert [str(p) for p in refused.value.problems] == [
        "modules/demo/01-first.md:2: the id must stay 'first': ids never change once published (put new content "
        "with a new id in a new file)"]


# ------------------------------------------------------------------------------------------ images


def test_upload_image_saves_a_real_png_under_a_safe_name_and_returns_the_markdown(db, published):
    image = a.upload_image(db, published, "demo", "../My Chart (final).PNG", PNG, alt="Pass rates by year")
    assert image.path == "images/my-chart-final.png"
    assert image.snippet == "![Pass rates by year](images/my-chart-final.png)"
    assert (published / "modules/demo/images/my-chart-final.png").read_bytes() == PNG
    again = a.upload_image(db, published, "demo", "my chart final.png", PNG)
    assert again.path == "images/my-chart-final.png", "the same image is not stored twice"
    other = a.upload_image(db, published, "demo", "my-chart-final.png", PNG + b"\0")
    assert other.path == "images/my-chart-final-2.png", "an existing image is never replaced"
    assert a.upload_image(db, published, "demo", "photo.png", b"\xff\xd8\xff\xe0" + b"0" * 20).path == \
        "images/photo.jpg", "the type comes from the bytes, not the name"


def test_upload_image_refuses_a_fake_png_and_an_oversize_file(db, published):
    with pytest.raises(ToolError, match="not a PNG, JPEG, GIF or WebP"):
        a.upload_image(db, published, "demo", "chart.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(ToolError, match="at most 2 MB"):
        a.upload_image(db, published, "demo", "big.png", PNG + b"\0" * (2 * 1024 * 1024))
    assert sorted(p.name for p in (published / "modules/demo/images").iterdir()) == ["chart.png"]


def test_webp_and_gif_are_recognised_by_their_bytes():
    assert a.image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert a.image_type(b"GIF89a....") == "gif"
    assert a.image_type(b"%PDF-1.7") is None


def test_the_module_folder_version_is_recorded_by_file_publishes(db, published):
    module = db.scalars(select(Module)).one()
    assert module.folder_version == 1
    assert versions(db)[0].folder_digest == versions(db)[0].digest
    assert utcnow() - versions(db)[0].published_at < timedelta(minutes=5)


def test_preview_of_module_md_shows_the_introduction(db, published):
    text = a.load_file(db, "demo", "module.md").text.replace("Welcome to the demo.", "Welcome, **supervisors**.")
    shown = a.preview(db, published, "demo", "module.md", text)
    assert (shown.kind, shown.title) == ("module", "Demo module")
    assert shown.html == "<p>Welcome, <strong>supervisors</strong>.</p>"
    assert shown.publishable
