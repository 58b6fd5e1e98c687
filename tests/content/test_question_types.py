"""The question-type registry: one module per type, listed in one table, and no other module naming a type.

What "adding a type touches one new file" can honestly promise: the parser, checker, scorer, result page, the
QTI, GIFT and Blackboard writers and the Markdown writer all ask the registry; a type defined in this test file
and registered here is parsed, checked, scored, rendered and exported with no change anywhere else. Importers of
foreign formats read each type from that format's syntax; only the GIFT importer still names types (fenced below).
"""

from __future__ import annotations

import ast
import importlib
import io
import pkgutil
import re
import zipfile
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask import render_template_string

from lti_tool import REPO_ROOT
from lti_tool.content import question_types
from lti_tool.content.interchange import export_quiz
from lti_tool.content.interchange.markdown import question_markdown
from lti_tool.content.model import Problem, QuestionSource
from lti_tool.content.question_types import QUESTION_TYPES, REGISTRY, QuestionType
from lti_tool.content.question_types.base import (
    AddHtml,
    AnswerRejected,
    Answers,
    FormatText,
    OptionResult,
    ReportProblem,
)
from lti_tool.content.question_types.blocks import EQUALS_LINE, Numbered
from lti_tool.content.quiz_parse import parse_quiz
from lti_tool.content.validate import validate_question
from lti_tool.learning.errors import InvalidAnswer
from lti_tool.learning.scoring import normalise, problem, score
from lti_tool.models import Option, Question

PACKAGE = REPO_ROOT / "lti_tool"
TEMPLATES = PACKAGE / "templates"
ANSWER_FIELDS = {"option", "options", "text", "pairs", "positions"}
FRONT_MATTER = "---\nid: q\ntitle: Q\nlast_reviewed: 2026-01-01\nreviewed_by: A\nnext_review: 2027-01-01\n---\n\n"


def quiz_text(*questions: str) -> str:
    return FRONT_MATTER + "\n\n".join(questions) + "\n"


def parsed(text: str) -> tuple[list[QuestionSource], list[Problem]]:
    problems: list[Problem] = []
    quiz = parse_quiz("quizzes/q.md", text, problems)
    assert quiz is not None
    return list(quiz.questions), problems


def test_every_module_of_the_package_that_defines_a_type_is_in_the_table_under_its_name():
    defined = {}
    for module in pkgutil.iter_modules(question_types.__path__):
        found = getattr(importlib.import_module(f"{question_types.__name__}.{module.name}"), "TYPE", None)
        if found is not None:
            defined[found.name] = found
    assert defined == REGISTRY
    assert QUESTION_TYPES == ("single", "multiple", "truefalse", "numeric", "text", "match", "order", "reflection")


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_the_parser_accepts_each_registered_type_and_asks_it_for_its_answer_block(name):
    qtype = REGISTRY[name]
    questions, problems = parsed(quiz_text(f"## Q {{#q1 type={name}}}\n\nStem."))
    assert not [p for p in problems if "unknown question type" in p.message]
    assert questions[0].type == name
    assert [p.message for p in problems] == ([qtype.missing_block] if qtype.missing_block else [])


def test_an_unknown_type_is_refused_with_the_registered_types_listed():
    _, problems = parsed(quiz_text("## Q {#q1 type=essay}\n\nStem."))
    assert f"unknown question type 'essay' (use {', '.join(QUESTION_TYPES)})" in [p.message for p in problems]


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_each_type_implements_the_whole_protocol_and_names_templates_that_exist(name):
    qtype = REGISTRY[name]
    assert isinstance(qtype, QuestionType)
    assert not type(qtype).__abstractmethods__
    assert qtype.answer_field in ANSWER_FIELDS
    assert qtype.qti_response[0] in ("single", "multiple", "ordered")
    assert (TEMPLATES / qtype.form_template).is_file()
    assert (TEMPLATES / qtype.result_template).is_file()


def test_types_are_listed_in_a_stable_order_without_ties():
    assert len({qtype.listed for qtype in REGISTRY.values()}) == len(REGISTRY)


# ------------------------------------------------------------------------------------------ a type added here


class Keyword(QuestionType):
    """Right when the typed answer contains one of the ``= word`` lines (a type no module of the tool knows)."""

    name = "keyword"
    listed = 99
    answer_field = "text"
    form_template = "learner/question_types/text.html"
    result_template = "learner/question_types/text_result.html"
    qti_response = ("single", "string")
    missing_block = "keyword question has no '= word' line"

    def starts_block(self, line: str) -> bool:
        return EQUALS_LINE.match(line) is not None

    def is_item(self, line: str) -> bool:
        return self.starts_block(line)

    def read_block(self, path: str, block: Numbered, problems: list[Problem]) -> Answers:
        return Answers(accepted=[(number, line[1:].strip()) for number, line in block if line.strip()])

    def write_block(self, question: QuestionSource) -> list[str]:
        return [f"= {word}" for word in question.accepted]

    def stored_settings(self, question: QuestionSource) -> dict[str, Any]:
        return {"accepted": list(question.accepted)}

    def check(self, question: QuestionSource, problem: ReportProblem) -> None:
        if any(" " in word for word in question.accepted):
            problem("a keyword is one word")

    def normalise(self, question: Question, raw: Any) -> Any:
        if not isinstance(raw, str):
            raise AnswerRejected("The answer must be text.")
        return raw

    def unanswered(self, question: Question, response: Any) -> str | None:
        return None if response.strip() else "Enter your answer"

    def fraction(self, question: Question, response: Any) -> float:
        words = set(response.casefold().split())
        return 1.0 if words & {word.casefold() for word in question.settings["accepted"]} else 0.0

    def option_results(self, question: Question, shown: Sequence[Option], response: Any) -> list[OptionResult]:
        return []

    def correct_values(self, question: QuestionSource, ids: dict[str, str]) -> list[str]:
        return list(question.accepted[:1])

    def qti_interaction(self, body: ET.Element, question: QuestionSource, ids: dict[str, str],
                        add_html: AddHtml) -> None:
        ET.SubElement(body, "textEntryInteraction", {"responseIdentifier": "RESPONSE", "expectedLength": "12"})

    def gift_answers(self, question: QuestionSource, escape: FormatText, general: str) -> str:
        return "{" + "".join(f"={escape(word)} " for word in question.accepted) + general + "}"

    def blackboard_fields(self, question: QuestionSource, field: FormatText) -> tuple[str, list[str]]:
        return "FIB", [field(word) for word in question.accepted]


@pytest.fixture
def keyword(monkeypatch: pytest.MonkeyPatch) -> Keyword:
    added = Keyword()
    monkeypatch.setitem(REGISTRY, added.name, added)
    return added


KEYWORD_QUESTION = "## Name the duty {#duty type=keyword points=2}\n\nWhich duty?\n\n= candour\n= honesty"


def test_a_type_registered_in_a_test_is_parsed_checked_and_written_back(keyword):
    questions, problems = parsed(quiz_text(KEYWORD_QUESTION))
    assert problems == []
    question = questions[0]
    assert (question.type, question.points, question.accepted) == ("keyword", 2, ("candour", "honesty"))
    checked: list[Problem] = []
    validate_question(question, checked)
    assert checked == []
    assert question_markdown(question)[-2:] == ["= candour", "= honesty"]

    checked = []
    validate_question(parsed(quiz_text(KEYWORD_QUESTION.replace("= honesty", "= duty of candour")))[0][0], checked)
    assert [p.message for p in checked] == ["a keyword is one word"]


def test_a_type_registered_in_a_test_is_scored_by_the_server(keyword):
    question_source = parsed(quiz_text(KEYWORD_QUESTION))[0][0]
    row = Question(slug="duty", position=0, type="keyword", title="Q", points=2,
                   settings=keyword.stored_settings(question_source))
    assert score(row, normalise(row, "It is Candour")).points == 2
    assert score(row, normalise(row, "kindness")).points == 0
    assert problem(row, " ") == "Enter your answer"
    with pytest.raises(InvalidAnswer):
        normalise(row, ["candour"])


def test_a_type_registered_in_a_test_is_exported_as_qti_gift_and_blackboard(keyword):
    quiz = parse_quiz("quizzes/q.md", quiz_text(KEYWORD_QUESTION), [])
    assert quiz is not None
    item = zipfile.ZipFile(io.BytesIO(export_quiz(quiz, "qti").data)).read("items/duty.xml").decode("utf-8")
    assert 'expectedLength="12"' in item and "<value>candour</value>" in item
    assert "::duty::[markdown]Which duty? {=candour =honesty }" in export_quiz(quiz, "gift").data.decode("utf-8")
    assert export_quiz(quiz, "blackboard").data.decode("utf-8") == "FIB\tWhich duty?\tcandour\thonesty\n"


def test_a_type_registered_in_a_test_renders_its_form_field_and_result(app, keyword):
    row = Question(slug="duty", position=0, type="keyword", title="Q", points=2, settings={"accepted": ["candour"]})
    with app.test_request_context():
        field = render_template_string("{% include question_type(q.type).form_template %}", q=row,
                                       item=SimpleNamespace(response="honesty"), name="q-x1", error=None)
        result = render_template_string("{% include question_type(q.type).result_template %}", q=row,
                                        item=SimpleNamespace(answer_text="honesty"),
                                        result=SimpleNamespace(show_answers=True))
    assert 'name="q-x1"' in field and 'value="honesty"' in field
    assert "You answered: honesty" in result and "Accepted: candour" in result


# ------------------------------------------------------------------------------------------ the fence

# Functions allowed to name a type. The parser's default (a task list is single choice, or multiple with two [x])
# is part of the authoring format. GIFT cannot tell single from multiple choice nor matching from ordering (sent
# as items matched to positions): its importer reads which from our ``// [btg]`` line.
NAMING_TYPES_ALLOWED = {
    ("content/quiz_parse.py", "parse_question"),
    ("content/interchange/gift.py", "build_question"),
    ("content/interchange/gift.py", "pair_options"),
}


def _compared_type_names(path) -> list[tuple[str, int]]:
    """(enclosing top-level function, line) of every comparison of a ``.type`` or ``kind`` with a type's name."""
    lines = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for top in tree.body:
        function = top.name if isinstance(top, ast.FunctionDef | ast.ClassDef) else "<module>"
        for node in ast.walk(top):
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            constants = [c for o in operands for c in ([o] if isinstance(o, ast.Constant) else getattr(o, "elts", []))
                         if isinstance(c, ast.Constant)]
            reads_type = any(isinstance(o, ast.Attribute) and o.attr == "type" or isinstance(o, ast.Name)
                             and o.id == "kind" for o in operands)
            if reads_type and any(c.value in REGISTRY for c in constants):
                lines.append((function, node.lineno))
    return lines


def test_no_module_outside_the_registry_branches_on_a_question_type_name():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(("content/question_types/", "migrations/")):
            continue
        found += [f"{relative}:{line} ({function})" for function, line in _compared_type_names(path)
                  if (relative, function) not in NAMING_TYPES_ALLOWED]
    assert found == []


def test_every_function_allowed_to_name_a_type_still_does():
    """An exemption nobody needs any more is removed, so the fence only ever narrows."""
    used = {(relative, function) for relative, _ in NAMING_TYPES_ALLOWED
            for function, _line in _compared_type_names(PACKAGE / relative)}
    assert NAMING_TYPES_ALLOWED - used == set()


def test_no_template_branches_on_a_question_type_name():
    branch = re.compile(r"\.type\s*(==|!=|in\b|not in\b)")
    found = [f"{path.relative_to(TEMPLATES)}:{number}" for path in sorted(TEMPLATES.rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if branch.search(line)]
    assert found == []
