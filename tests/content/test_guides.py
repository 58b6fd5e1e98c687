"""The authoring guides stay true to the checker: their examples pass, their sample messages are real."""

from __future__ import annotations

import re
from pathlib import Path

from lti_tool import REPO_ROOT
from lti_tool.content import check

FENCED = re.compile(r"^(?P<fence>`{3,})(?P<info>\w*)\n(?P<body>.*?)^(?P=fence)\s*$", re.MULTILINE | re.DOTALL)
SAMPLE_LINE = re.compile(r"^(modules|quizzes)/\S+:\d+: .+$")


def blocks(guide: str, info: str) -> list[str]:
    text = (REPO_ROOT / guide).read_text(encoding="utf-8")
    return [m.group("body") for m in FENCED.finditer(text) if m.group("info") == info]


def sample_messages(guide: str) -> list[str]:
    return [line for block in blocks(guide, "text") for line in block.splitlines() if SAMPLE_LINE.match(line)]


def write_examples(root: Path, changes: dict[str, list[tuple[str, str]]] | None = None,
                   extra: dict[str, str] | None = None) -> Path:
    """The guides' example module.md, page and quiz, as files, with texts replaced as ``changes`` says."""
    module, page = blocks("modules/README.md", "markdown")
    [quiz] = blocks("quizzes/README.md", "markdown")
    files = {"modules/example-module/module.md": module, "modules/example-module/02-first-meeting.md": page,
             "quizzes/example-check.md": quiz, **(extra or {})}
    for name, replacements in (changes or {}).items():
        for old, new in replacements:
            assert old in files[name]
            files[name] = files[name].replace(old, new, 1)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_guides_hold_one_example_module_page_and_quiz():
    assert len(blocks("modules/README.md", "markdown")) == 2
    assert len(blocks("quizzes/README.md", "markdown")) == 1


def test_the_guide_examples_pass_the_checker_with_zero_problems(tmp_path):
    assert [str(p) for p in check(write_examples(tmp_path))] == []


def test_the_quiz_example_uses_every_question_type():
    [quiz] = blocks("quizzes/README.md", "markdown")
    used = set(re.findall(r"type=(\w+)", quiz))
    assert used == {"single", "multiple", "truefalse", "numeric", "text", "match", "order", "reflection"}


def test_the_module_guide_sample_messages_are_what_the_checker_says(tmp_path):
    _, page = blocks("modules/README.md", "markdown")
    root = write_examples(tmp_path, {
        "modules/example-module/module.md": [("audience: Educational supervisors\n", "")],
        "modules/example-module/02-first-meeting.md": [("last_reviewed:", "last_reviwed:"),
                                                       ("quiz: example-check", "quiz: example-chek")],
    }, extra={"modules/example-module/03-review.md": page.replace("id: first-meeting", "id: First Meeting")})
    found = {str(p) for p in check(root)}
    assert set(sample_messages("modules/README.md")) <= found


def test_the_quiz_guide_sample_messages_are_what_the_checker_says(tmp_path):
    path = "quizzes/example-check.md"
    found: set[str] = set()
    for index, (old, new) in enumerate([
        ("{#q-outcome-5 ", "{"), ("Mini-CEX {#mini-cex}", "Mini-CEX"), ("{#false}", "{#no}"),
        ("\n= 7\n", "\n7\n"), ("pass_mark: 70", "pass_mark: 170"),
    ]):
        found |= {str(p) for p in check(write_examples(tmp_path / str(index), {path: [(old, new)]}))}
    assert set(sample_messages("quizzes/README.md")) <= found
