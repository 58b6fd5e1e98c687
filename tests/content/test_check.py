"""The checker: shipped content is clean; each broken thing is reported as file:line: message."""

from __future__ import annotations

from pathlib import Path

from lti_tool import REPO_ROOT
from lti_tool.content import check
from lti_tool.content.parse import load_tree, parse_content
from tests.support.demo_content import BROKEN_EXPECTED, BROKEN_FILES, DEMO_FILES, REVIEW, write_demo, write_files


def lines(root: Path) -> list[str]:
    return [str(problem) for problem in check(root)]


def test_shipped_content_has_no_problems():
    assert lines(REPO_ROOT) == []


def test_shipped_content_has_every_module_and_quiz_and_ignores_readmes():
    content, problems = parse_content(load_tree(REPO_ROOT))
    assert problems == []
    assert sorted(m.id for m in content.modules) == ["img-handbook", "img-supervision", "portfolio-arcp"]
    assert sorted(q.id for q in content.quizzes) == ["img-supervision-check", "portfolio-arcp-check"]
    for module in content.modules:
        page_files = sorted(p.name for p in (REPO_ROOT / "modules" / module.folder).glob("*.md")
                            if p.name not in ("module.md", "README.md"))
        assert [page.file_name for page in module.pages] == page_files


def test_demo_content_has_no_problems(demo_content):
    assert lines(demo_content) == []


def test_broken_module_and_quiz_report_each_problem_at_its_line(tmp_path):
    root = write_files(tmp_path, BROKEN_FILES)
    assert lines(root) == BROKEN_EXPECTED


def test_problems_in_several_files_are_all_reported_sorted_by_file_and_line(tmp_path):
    root = write_demo(tmp_path, BROKEN_FILES)
    found = lines(root)
    assert found == BROKEN_EXPECTED
    assert found == sorted(found, key=lambda text: (text.split(":")[0], int(text.split(":")[1])))


def with_quiz(tmp_path, body: str, front: str = "") -> list[str]:
    quiz = f"---\nid: demo-check\ntitle: Demo\n{REVIEW}{front}---\n{body}"
    root = write_demo(tmp_path, {"quizzes/demo-check.md": quiz})
    return lines(root)


def test_question_without_a_heading_id_is_reported(tmp_path):
    assert with_quiz(tmp_path, "## Q {type=numeric}\n\n= 4\n") == [
        "quizzes/demo-check.md:8: question heading has no id: add {#some-id}"]


def test_numeric_text_match_and_order_shapes_are_checked(tmp_path):
    body = ("## N {#n type=numeric}\n\nHow many?\n\n= seven\n\n"
            "## T {#t type=text}\n\nName it.\n\nNo answer line.\n\n"
            "## M {#m type=match}\n\n- Only one {#one} -> Meaning\n\n"
            "## O {#o type=order}\n\n- bullets {#a}\n- not numbers {#b}\n")
    assert with_quiz(tmp_path, body) == [
        "quizzes/demo-check.md:12: numeric answer must be written '= 4.5 +- 0.5 unit' (tolerance and unit optional)",
        "quizzes/demo-check.md:14: text question has no '= accepted answer' line",
        "quizzes/demo-check.md:20: match question needs at least two items",
        "quizzes/demo-check.md:24: order question has no numbered list of items (1. ... {#id})",
    ]


def test_numeric_answer_reads_value_tolerance_and_unit(tmp_path):
    root = write_demo(tmp_path, {"quizzes/demo-check.md": DEMO_FILES["quizzes/demo-check.md"]
                                  + "\n## Hours {#q-hours type=numeric}\n\nHow long?\n\n= 48 +- 0.5 hours\n"})
    content, problems = parse_content(load_tree(root))
    assert problems == []
    numeric = content.quizzes[0].questions[-1].numeric
    assert (numeric.value, numeric.tolerance, numeric.unit) == (48.0, 0.5, "hours")


def test_quiz_settings_are_range_checked_and_pick_is_at_most_the_scored_questions(tmp_path):
    body = "## Only {#only type=numeric}\n\n= 4\n\n## R {#r type=reflection}\n\nThink.\n"
    front = "pass_mark: 120\nattempts: 0\nshuffle: sometimes\npick: 2\nshow_answers: never\n"
    found = with_quiz(tmp_path, body, front)
    assert found == [
        "quizzes/demo-check.md:7: pass_mark must be a number from 0 to 100",
        "quizzes/demo-check.md:8: attempts must be a whole number of 1 or more, or 'unlimited'",
        "quizzes/demo-check.md:9: shuffle must be one of none, options, questions, both",
        "quizzes/demo-check.md:10: pick is 2 but the quiz has only 1 scored questions",
        "quizzes/demo-check.md:11: show_answers must be one of after_submit, after_pass, after_last_attempt",
    ]


def test_quiz_needs_a_scored_question(tmp_path):
    assert with_quiz(tmp_path, "## R {#r type=reflection}\n\nThink.\n") == [
        "quizzes/demo-check.md:2: quiz has no scored question: add one that is not a reflection and is worth more "
        "than 0 points"]


def test_type_is_inferred_from_ticks_and_single_with_two_ticks_is_refused(tmp_path):
    body = ("## Inferred {#inferred}\n\n- [x] A {#a}\n- [x] B {#b}\n\n"
            "## Single {#single type=single}\n\n- [x] A {#a}\n- [x] B {#b}\n")
    assert with_quiz(tmp_path, body) == [
        "quizzes/demo-check.md:13: single-choice question has 2 correct options: mark one [x] or use type=multiple"]
    content, _ = parse_content(load_tree(tmp_path))
    assert content.quiz("demo-check").questions[0].type == "multiple"


def test_answer_block_ends_at_a_paragraph_after_a_blank_line_and_feedback_is_the_indented_quote(tmp_path):
    body = ("## Q {#q type=single}\n\nStem line.\n\n- [x] A {#a}\n  > Feedback one\n  > continues.\n\n"
            "- [ ] B {#b pin}\n\nThe explanation.\n\nMore explanation.\n")
    assert with_quiz(tmp_path, body) == []
    content, _ = parse_content(load_tree(tmp_path))
    question = content.quiz("demo-check").questions[0]
    assert question.stem == "Stem line."
    assert [(o.id, o.correct, o.pinned, o.feedback) for o in question.options] == [
        ("a", True, False, "Feedback one\ncontinues."), ("b", False, True, "")]
    assert question.explanation == "The explanation.\n\nMore explanation."


def test_option_ids_are_unique_within_a_question_only(tmp_path):
    body = ("## One {#one type=single}\n\n- [x] A {#a}\n- [ ] B {#a}\n\n"
            "## Two {#two type=single}\n\n- [x] A {#a}\n- [ ] B {#b}\n")
    assert with_quiz(tmp_path, body) == ["quizzes/demo-check.md:11: option id 'a' is already used in line 10"]


def test_unknown_attributes_and_invalid_ids_are_reported(tmp_path):
    body = "## Q {#Bad_Id type=single colour=red}\n\n- [x] A {#a sticky}\n- [ ] B {#b}\n"
    assert with_quiz(tmp_path, body) == [
        "quizzes/demo-check.md:8: id 'Bad_Id' is not a valid id (use lower-case letters, digits and hyphens, at "
        "most 64 characters)",
        "quizzes/demo-check.md:8: unknown question attribute 'colour=red' (use points=, type=, scoring=, required=)",
        "quizzes/demo-check.md:10: unknown option attribute 'sticky' (only 'pin' is allowed)",
    ]


def page(extra: str = "", body: str = "Text.\n",
         sources: str = "sources:\n  - title: S\n    url: https://a.org/\n    accessed: 2026-01-05\n"):
    return f"---\nid: extra\ntitle: Extra\n{REVIEW}{sources}{extra}---\n{body}"


def test_links_images_headings_and_html_in_pages_are_checked(tmp_path):
    body = ("# Top heading\n\n![](images/chart.png)\n\n![Chart](https://example.org/x.png)\n\n"
            "[up](../other/file.pdf) [bad](javascript:alert(1)) [doc](notes.docx)\n\n<b>bold</b>\n\n"
            "`<i>in code</i>` and [ok](images/chart.png) [mail](mailto:a@b.org)\n")
    root = write_demo(tmp_path, {"modules/demo/03-extra.md": page(body=body)})
    assert lines(root) == [
        "modules/demo/03-extra.md:12: headings start at '##' (the page title is the top heading)",
        "modules/demo/03-extra.md:14: image has no alt text: write ![description of the image](path)",
        "modules/demo/03-extra.md:16: image 'https://example.org/x.png' must be a file in the module folder",
        "modules/demo/03-extra.md:18: '../other/file.pdf' is outside the module folder",
        "modules/demo/03-extra.md:18: 'notes.docx' is not a file type that can be shown: use png, jpg, gif, webp or "
        "pdf",
        "modules/demo/03-extra.md:18: link 'javascript:alert(1)' is not allowed: use http, https, mailto or a file in "
        "the module folder",
        "modules/demo/03-extra.md:20: HTML is not allowed in content: write Markdown",
    ]


def test_sources_may_be_empty_only_on_a_page_that_hosts_a_quiz(tmp_path):
    root = write_demo(tmp_path, {"modules/demo/03-extra.md": page(sources="sources: []\n")})
    assert lines(root) == ["modules/demo/03-extra.md:7: sources may be empty only on a page that hosts a quiz"]


def test_completion_quizzes_must_name_known_quizzes_hosted_by_the_module(tmp_path):
    module = DEMO_FILES["modules/demo/module.md"].replace(
        "last_reviewed:", "completion:\n  quizzes: [demo-check, nope]\n  pages: some\nlast_reviewed:")
    root = write_demo(tmp_path, {"modules/demo/module.md": module})
    assert lines(root) == ["modules/demo/module.md:13: quiz 'nope' does not exist",
                           "modules/demo/module.md:14: completion pages must be all or none"]


def test_a_completion_rule_that_asks_for_nothing_is_refused(tmp_path):
    handbook = ("---\nid: book\ntitle: Book\nsummary: S.\naudience: A\nkind: handbook\nestimated_minutes: 5\n"
                f"completion:\n  pages: none\n  quizzes: none\n{REVIEW}---\nIntro.\n")
    root = write_demo(tmp_path, {"modules/book/module.md": handbook, "modules/book/01-a.md": page()})
    assert lines(root) == ["modules/book/module.md:9: completion asks for nothing (pages: none and no quiz to pass "
                           "or reflection to submit): use 'pages: all' so the module completes when every page "
                           "has been read"]
    module = DEMO_FILES["modules/demo/module.md"].replace("last_reviewed:",
                                                          "completion:\n  pages: none\nlast_reviewed:")
    assert lines(write_demo(tmp_path / "quiz", {"modules/demo/module.md": module})) == []


def test_module_ids_are_unique_across_folders_and_kinds_and_outcomes_are_checked(tmp_path):
    other = DEMO_FILES["modules/demo/module.md"].replace("kind: module", "kind: course").replace(
        "gmc_areas: [1, 7]", "gmc_areas: [0, 8]")
    root = write_demo(tmp_path, {"modules/zz-copy/module.md": other,
                                  "modules/zz-copy/01-a.md": page()})
    assert lines(root) == [
        "modules/zz-copy/module.md:2: module id 'demo' is already used in modules/demo/module.md",
        "modules/zz-copy/module.md:6: kind must be module, session or handbook",
        "modules/zz-copy/module.md:9: gmc_areas must be numbers from 1 to 7",
    ]


def test_handbook_defaults_need_no_outcomes_and_refuse_quizzes(tmp_path):
    handbook = ("---\nid: book\ntitle: Book\nsummary: S.\naudience: A\nkind: handbook\nestimated_minutes: 5\n"
                f"{REVIEW}---\nIntro.\n")
    root = write_demo(tmp_path, {"modules/book/module.md": handbook,
                                  "modules/book/01-a.md": page(extra="quiz: demo-check\n")})
    assert lines(root) == ["modules/book/01-a.md:11: a handbook has no quizzes: remove 'quiz'"]
    content, _ = parse_content(load_tree(root))
    book = next(m for m in content.modules if m.id == "book")
    assert book.completion.as_dict() == {"pages": "all", "quizzes": "none", "reflections": "optional"}


def test_yaml_errors_duplicate_keys_and_missing_front_matter_are_reported(tmp_path):
    root = write_demo(tmp_path, {
        "modules/demo/03-a.md": "No front matter here.\n",
        "modules/demo/04-b.md": "---\nid: b\ntitle: [unclosed\n---\n",
        "modules/demo/05-c.md": page(extra="title: Again\n"),
        "modules/empty/notes.txt": "not markdown",
    })
    assert lines(root) == [
        "modules/demo/03-a.md:1: file must start with a '---' line that opens the front matter",
        "modules/demo/04-b.md:3: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
        "modules/demo/05-c.md:11: duplicate key 'title'",
        "modules/empty/module.md:1: module folder has no module.md: every module folder needs one",
    ]


def test_a_module_folder_without_module_md_is_reported(tmp_path):
    root = write_demo(tmp_path, {"modules/orphan/01-a.md": page()})
    assert lines(root) == ["modules/orphan/module.md:1: module folder has no module.md: every module folder needs one"]


def test_last_reviewed_must_be_a_date_and_not_in_the_future(tmp_path):
    root = write_demo(tmp_path, {"modules/demo/03-a.md": page().replace("last_reviewed: 2026-01-05",
                                                                         "last_reviewed: 05/01/2026"),
                                 "modules/demo/04-b.md": page().replace("last_reviewed: 2026-01-05",
                                                                         "last_reviewed: 2999-01-01")
                                 .replace("next_review: 2027-01-05", "next_review: 3000-01-01")
                                 .replace("id: extra", "id: extra-b")})
    assert lines(root) == ["modules/demo/03-a.md:4: last_reviewed must be a date written YYYY-MM-DD",
                           "modules/demo/04-b.md:4: last_reviewed 2999-01-01 is in the future"]


def test_titles_longer_than_the_database_columns_are_reported(tmp_path):
    long_title = "A" * 301
    root = write_demo(tmp_path, {"modules/demo/03-a.md": page().replace("title: Extra", f"title: {long_title}")})
    assert lines(root) == ["modules/demo/03-a.md:3: title is longer than 300 characters"]


def test_a_byte_order_mark_at_the_start_of_a_file_is_ignored(tmp_path):
    root = write_demo(tmp_path)
    path = root / "modules/demo/module.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert lines(root) == []
