"""The checker sees links and images exactly as the renderer parses them (reference style, destinations with
spaces, quotes or titles, autolinks), refuses other hosts' images, schemes other than http(s)/mailto and
protocol-relative links, checks every text field for HTML, and checks one file as well as a folder."""

from __future__ import annotations

from lti_tool.content import check
from tests.support.demo_content import DEMO_FILES, PNG, REVIEW, write_demo

SOURCES = "sources:\n  - title: S\n    url: https://a.org/\n    accessed: 2026-01-05\n"
PAGE_PATH = "modules/demo/03-extra.md"
BODY_LINE = 12  # the first body line of page(): 11 front-matter lines


def page(body: str, *, title: str = "Extra", sources: str = SOURCES) -> str:
    return f"---\nid: extra\ntitle: {title}\n{REVIEW}{sources}---\n{body}"


def page_problems(tmp_path, body: str, files: dict[str, bytes] | None = None) -> list[str]:
    root = write_demo(tmp_path, {PAGE_PATH: page(body)})
    for name, data in (files or {}).items():
        (root / "modules/demo" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "modules/demo" / name).write_bytes(data)
    return [str(problem) for problem in check(root)]


def at(offset: int, message: str) -> str:
    return f"{PAGE_PATH}:{BODY_LINE + offset}: {message}"


def test_a_reference_style_image_to_a_missing_file_is_reported_at_its_definition(tmp_path):
    body = "See the chart:\n\n![Pass rates by year][chart]\n\n[chart]: images/missing.png\n"
    assert page_problems(tmp_path, body) == [at(4, "file 'images/missing.png' does not exist in the module folder")]
    assert page_problems(tmp_path / "fixed", body, {"images/missing.png": PNG}) == []


def test_a_reference_that_is_never_defined_is_reported_because_it_shows_as_written(tmp_path):
    body = "Read [the guide][Gold Guide] and [the form][].\n\n[gold guide]: https://www.copmed.org.uk/\n"
    assert page_problems(tmp_path, body) == [
        at(0, "reference 'the form' is not defined: add a line '[the form]: address' to the same text")]
    fixed = body + "[the form]: https://www.gmc-uk.org/\n"
    assert page_problems(tmp_path / "fixed", fixed) == []


def test_a_reference_style_image_needs_alt_text_and_must_not_come_from_another_host(tmp_path):
    body = "![][logo]\n\n[logo]: https://example.org/logo.png\n"
    assert page_problems(tmp_path, body) == [
        at(2, "image 'https://example.org/logo.png' must be a file in the module folder"),
        at(2, "image has no alt text: write ![description of the image](path)"),
    ]


def test_a_reference_style_link_with_another_scheme_is_refused(tmp_path):
    body = "Fill in [the form][form] and [the other][other].\n\n[form]: ftp://example.org/form.pdf\n" \
           "[other]: https://www.gmc-uk.org/\n"
    assert page_problems(tmp_path, body) == [
        at(2, "link 'ftp://example.org/form.pdf' is not allowed: use http, https, mailto or a file in the module "
              "folder")]


def test_destinations_with_spaces_quotes_angle_brackets_or_titles_are_checked(tmp_path):
    body = ('[one](files/missing form.pdf)\n\n[two](<files/other form.pdf>)\n\n[three](files/x.pdf "The form")\n\n'
            "[four](files/y.pdf 'The other form')\n")
    assert page_problems(tmp_path, body) == [
        at(0, "file 'files/missing form.pdf' does not exist in the module folder"),
        at(2, "file 'files/other form.pdf' does not exist in the module folder"),
        at(4, "file 'files/x.pdf' does not exist in the module folder"),
        at(6, "file 'files/y.pdf' does not exist in the module folder"),
    ]
    present = {"files/missing form.pdf": b"%PDF", "files/other form.pdf": b"%PDF", "files/x.pdf": b"%PDF",
               "files/y.pdf": b"%PDF"}
    assert page_problems(tmp_path / "fixed", body, present) == []


def test_protocol_relative_links_and_images_are_refused(tmp_path):
    body = "[a page](//example.org/page)\n\n![A logo](//example.org/logo.png)\n"
    assert page_problems(tmp_path, body) == [
        at(0, "link '//example.org/page' has no scheme: write https://example.org/page"),
        at(2, "image '//example.org/logo.png' must be a file in the module folder"),
    ]


def test_schemes_other_than_http_https_and_mailto_are_refused_however_written(tmp_path):
    body = ("[notes](file:///etc/passwd)\n\n[data](data:text/html,hello)\n\n<ftp://example.org/file>\n\n"
            "<mailto:tutor@example.org> and <https://www.rcpch.ac.uk/> are fine.\n")
    refused = "is not allowed: use http, https, mailto or a file in the module folder"
    assert page_problems(tmp_path, body) == [
        at(0, f"link 'file:///etc/passwd' {refused}"),
        at(2, f"link 'data:text/html,hello' {refused}"),
        at(4, f"link 'ftp://example.org/file' {refused}"),
    ]


def test_links_inside_code_are_not_links(tmp_path):
    body = "Write `[x](ftp://example.org)` like this:\n\n```\n[y](files/missing.pdf)\n<b>bold</b>\n```\n"
    assert page_problems(tmp_path, body) == []


def test_raw_html_comments_are_reported_at_their_line(tmp_path):
    assert page_problems(tmp_path, "Text.\n\n<!-- a note for authors -->\n") == [
        at(2, "HTML is not allowed in content: write Markdown")]


def test_quizzes_cannot_use_files_even_through_references(tmp_path):
    quiz = DEMO_FILES["quizzes/demo-check.md"].replace(
        "Which is right?", "Which is right? See [the form][form].\n\n[form]: files/form.pdf")
    root = write_demo(tmp_path, {"quizzes/demo-check.md": quiz})
    assert [str(p) for p in check(root)] == [
        "quizzes/demo-check.md:15: 'files/form.pdf': quizzes cannot show images or link to files"]


# ------------------------------------------------------------------------------------------ every text field


def test_html_in_module_fields_is_reported_at_the_field(tmp_path):
    module = (DEMO_FILES["modules/demo/module.md"]
              .replace("title: Demo module", "title: Demo <b>module</b>")
              .replace("summary: A module for tests.", "summary: A module for <i>tests</i>.")
              .replace("audience: Testers", "audience: '<span>Testers</span>'")
              .replace("text: Do one thing well.", "text: Do one thing <em>well</em>."))
    root = write_demo(tmp_path, {"modules/demo/module.md": module})
    assert [str(p) for p in check(root)] == [
        "modules/demo/module.md:3: HTML is not allowed in the title: write plain text",
        "modules/demo/module.md:4: HTML is not allowed in the summary: write plain text",
        "modules/demo/module.md:5: HTML is not allowed in the audience: write plain text",
        "modules/demo/module.md:9: HTML is not allowed in the outcome: write plain text",
    ]


def test_markdown_links_in_plain_text_fields_are_reported_because_they_show_as_written(tmp_path):
    module = DEMO_FILES["modules/demo/module.md"].replace(
        "summary: A module for tests.", "summary: See [the GMC](https://www.gmc-uk.org/).")
    root = write_demo(tmp_path, {"modules/demo/module.md": module})
    assert [str(p) for p in check(root)] == [
        "modules/demo/module.md:4: the summary is shown as plain text: the link 'https://www.gmc-uk.org/' would "
        "show as written"]


def test_html_in_page_and_source_titles_is_reported(tmp_path):
    sources = "sources:\n  - title: GMC <script>x</script>\n    url: https://a.org/\n    accessed: 2026-01-05\n"
    root = write_demo(tmp_path, {PAGE_PATH: page("Text.\n", title="Extra <u>page</u>", sources=sources)})
    assert [str(p) for p in check(root)] == [
        f"{PAGE_PATH}:3: HTML is not allowed in the title: write plain text",
        f"{PAGE_PATH}:8: HTML is not allowed in the source title: write plain text",
    ]


QUIZ_BODY = """
## Pick <b>one</b> {#q-pick type=single}

Which is right?

- [ ] A [file](ftp://example.org/a) {#a}
- [x] B <i>b</i> {#b}

## Pairs {#q-pairs type=match}

Match them.

- One {#one} -> First <b>meaning</b>
- Two {#two} -> First

## Hours {#q-hours type=numeric}

How long?

= 48 +- 1 <b>hours</b>

## Name {#q-name type=text}

Name it.

= risr/advance
= <i>Kaizen</i>
"""


def test_every_quiz_field_is_checked_question_titles_options_meanings_units_and_accepted_answers(tmp_path):
    quiz = f"---\nid: demo-check\ntitle: Demo <b>check</b>\n{REVIEW}---\nIntro.\n{QUIZ_BODY}"
    root = write_demo(tmp_path, {"quizzes/demo-check.md": quiz})
    refused = "is not allowed: use http, https, mailto or a file in the module folder"
    assert [str(p) for p in check(root)] == [
        "quizzes/demo-check.md:3: HTML is not allowed in the title: write plain text",
        "quizzes/demo-check.md:10: HTML is not allowed in the question title: write plain text",
        f"quizzes/demo-check.md:14: link 'ftp://example.org/a' {refused}",
        "quizzes/demo-check.md:15: HTML is not allowed in content: write Markdown",
        "quizzes/demo-check.md:21: HTML is not allowed in the meaning: write plain text",
        "quizzes/demo-check.md:28: HTML is not allowed in the unit: write plain text",
        "quizzes/demo-check.md:35: HTML is not allowed in the accepted answer: write plain text",
    ]


# ------------------------------------------------------------------------------------------ one file


def test_check_takes_a_single_file_and_reports_only_its_problems(app, tmp_path):
    root = write_demo(tmp_path, {PAGE_PATH: page("[x](ftp://example.org)\n"),
                                 "modules/demo/04-more.md": page("<b>bold</b>\n").replace("id: extra", "id: more")})
    runner = app.test_cli_runner()
    one = runner.invoke(args=["content", "check", str(root / PAGE_PATH)])
    assert one.exit_code == 1
    assert one.output.splitlines() == [
        at(0, "link 'ftp://example.org' is not allowed: use http, https, mailto or a file in the module folder")]
    clean = runner.invoke(args=["content", "check", str(root / "modules/demo/01-first.md")])
    assert (clean.exit_code, clean.output) == (0, "No problems in modules/demo/01-first.md.\n")
    quiz = runner.invoke(args=["content", "check", str(root / "quizzes/demo-check.md")])
    assert (quiz.exit_code, quiz.output) == (0, "No problems in quizzes/demo-check.md.\n")


def test_check_of_a_file_outside_a_content_folder_is_a_usage_error(app, tmp_path):
    stray = tmp_path / "notes.md"
    stray.write_text("# Notes\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check", str(stray)])
    assert result.exit_code == 2
    assert "is not a module file or a quiz" in result.output
