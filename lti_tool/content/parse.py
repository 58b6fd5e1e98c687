"""Read module folders and quiz files (format: /work/notes/format-spec.md, guides in modules/ and quizzes/).

Front matter is YAML read with PyYAML's safe loader (:mod:`.front_matter`); the composed node tree gives each key
its line. Bodies are read line by line; quizzes in :mod:`.quiz_parse`. Every problem is collected as a
:class:`Problem`; parsing never stops at the first one, so an author sees everything to fix in one run.
"""

from __future__ import annotations

from typing import Any

import yaml

from .front_matter import (
    REVIEW_KEYS,
    Reader,
    construct,
    mapping_items,
    read_front_matter,
    read_sources,
    text_value,
)
from .model import CompletionRule, Content, ModuleSource, Outcome, PageSource, Problem
from .quiz_parse import parse_quiz
from .source_tree import GUIDE_FILE, MODULE_FILE, SourceTree, is_content_file, load_tree

__all__ = ["GUIDE_FILE", "MODULE_FILE", "Problem", "SourceTree", "is_content_file", "load_tree", "parse_content",
           "parse_module", "parse_page", "parse_quiz"]

MODULE_KEYS = {"id", "title", "summary", "audience", "kind", "estimated_minutes", "outcomes", "completion",
               *REVIEW_KEYS}
MODULE_REQUIRED = ("id", "title", "summary", "audience", "kind", "estimated_minutes", *REVIEW_KEYS)
OUTCOME_KEYS = {"id", "text", "gmc_areas"}
PAGE_KEYS = {"id", "title", "sources", "quiz", *REVIEW_KEYS}
PAGE_REQUIRED = ("id", "title", *REVIEW_KEYS, "sources")


# ------------------------------------------------------------------------------------------ modules


def parse_module(folder: str, files: dict[str, str], problems: list[Problem]) -> ModuleSource | None:
    """A module from its folder's Markdown files, keyed by file name (``module.md``, ``01-why.md``)."""
    path = f"modules/{folder}/{MODULE_FILE}"
    if MODULE_FILE not in files:
        return None
    matter = read_front_matter(path, files[MODULE_FILE], problems)
    if matter is None:
        return None
    reader = Reader(path, problems, matter, MODULE_KEYS, MODULE_REQUIRED)
    kind = reader.text("kind")
    minutes = reader.integer("estimated_minutes", "estimated_minutes must be a whole number of minutes above 0")
    pages = []
    for name in sorted(files):
        if name == MODULE_FILE or "/" in name or not name.endswith(".md") or name.lower() == GUIDE_FILE:
            continue
        page = parse_page(f"modules/{folder}/{name}", name, files[name], problems)
        if page is not None:
            pages.append(page)
    return ModuleSource(
        id=reader.text("id"), title=reader.text("title"), summary=reader.text("summary"),
        audience=reader.text("audience"), kind=kind, estimated_minutes=minutes if minutes is not None else 0,
        outcomes=read_outcomes(reader), completion=read_completion(reader, kind),
        last_reviewed=reader.day("last_reviewed"), intro=matter.body, intro_line=matter.body_line,
        folder=folder, pages=tuple(pages), path=path, line=reader.line("id"), files=dict(files),
        key_lines=reader.key_lines, reviewed_by=reader.text("reviewed_by"), next_review=reader.day("next_review"),
    )


def read_outcomes(reader: Reader) -> tuple[Outcome, ...]:
    node = reader.matter.nodes.get("outcomes")
    if node is None or (isinstance(node, yaml.ScalarNode) and reader.matter.values.get("outcomes") is None):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(reader.line("outcomes"), "outcomes must be a list of items with id, text and gmc_areas")
        return ()
    outcomes = []
    for item in node.value:
        line = 2 + item.start_mark.line
        if not isinstance(item, yaml.MappingNode):
            reader.problem(line, "each outcome needs 'id' and 'text' settings")
            continue
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key, key_line, value_node in mapping_items(item, 2, reader.path, reader.problems):
            if key not in OUTCOME_KEYS:
                reader.problem(key_line, f"unknown outcome key '{key}'")
            values[key] = construct(value_node)
            lines[key] = key_line
        for key in ("id", "text"):
            if not text_value(values.get(key)):
                reader.problem(line, f"outcome is missing '{key}'")
        areas: list[int] = []
        raw_areas = values.get("gmc_areas")
        if raw_areas is not None:
            if not isinstance(raw_areas, list) or not all(
                isinstance(a, int) and not isinstance(a, bool) for a in raw_areas
            ):
                reader.problem(lines["gmc_areas"], "gmc_areas must be a list of numbers from 1 to 7, like [1, 2]")
            else:
                areas = raw_areas
        outcomes.append(Outcome(id=text_value(values.get("id")), text=text_value(values.get("text")),
                                gmc_areas=tuple(areas), path=reader.path, line=lines.get("id", line)))
    return tuple(outcomes)


def read_completion(reader: Reader, kind: str) -> CompletionRule:
    """Defaults: pages all, quizzes all, reflections required; for a handbook: all, none, optional."""
    handbook = kind == "handbook"
    quizzes: str | tuple[str, ...] = "none" if handbook else "all"
    pages, reflections = "all", "optional" if handbook else "required"
    line = reader.line("completion")
    value = reader.matter.values.get("completion")
    node = reader.matter.nodes.get("completion")
    key_lines: dict[str, int] = {}
    if value is None:
        return CompletionRule(pages, quizzes, reflections, reader.path, line, key_lines)
    if not isinstance(node, yaml.MappingNode):
        reader.problem(line, "completion must be a group of settings: pages, quizzes, reflections")
        return CompletionRule(pages, quizzes, reflections, reader.path, line, key_lines)
    for key, key_line, value_node in mapping_items(node, 2, reader.path, reader.problems):
        key_lines[key] = key_line
        item = construct(value_node)
        if key == "pages":
            pages = text_value(item)
        elif key == "reflections":
            reflections = text_value(item)
        elif key == "quizzes":
            if isinstance(item, list):
                quizzes = tuple(text_value(q) for q in item)
            else:
                quizzes = text_value(item)
        else:
            reader.problem(key_line, f"unknown completion key '{key}'")
    return CompletionRule(pages, quizzes, reflections, reader.path, line, key_lines)


def parse_page(path: str, file_name: str, text: str, problems: list[Problem]) -> PageSource | None:
    matter = read_front_matter(path, text, problems)
    if matter is None:
        return None
    reader = Reader(path, problems, matter, PAGE_KEYS, PAGE_REQUIRED)
    quiz = reader.text("quiz") or None
    return PageSource(
        id=reader.text("id"), title=reader.text("title"), last_reviewed=reader.day("last_reviewed"),
        sources=read_sources(reader), quiz=quiz, body=matter.body, body_line=matter.body_line,
        file_name=file_name, path=path, line=reader.line("id"), key_lines=reader.key_lines,
        reviewed_by=reader.text("reviewed_by"), next_review=reader.day("next_review"),
    )


# ------------------------------------------------------------------------------------------ everything


def parse_content(tree: SourceTree) -> tuple[Content, list[Problem]]:
    problems: list[Problem] = list(tree.problems)
    modules = []
    for folder in tree.module_folders():
        module = parse_module(folder, tree.module_texts(folder), problems)
        if module is not None:
            modules.append(module)
    quizzes = []
    for path in tree.quiz_paths():
        quiz = parse_quiz(path, tree.texts[path], problems)
        if quiz is not None:
            quizzes.append(quiz)
    return Content(tuple(modules), tuple(quizzes)), problems
