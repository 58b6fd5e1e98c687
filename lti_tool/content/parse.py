"""Read module folders and quiz files (format: /work/notes/format-spec.md, guides in modules/ and quizzes/).

Front matter is YAML read with PyYAML's safe loader; the composed node tree gives each key its line. Bodies are
read line by line. Every problem is collected as a :class:`Problem`; parsing never stops at the first one, so
an author sees everything to fix in one run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from .model import (
    CHOICE_TYPES,
    QUESTION_TYPES,
    CompletionRule,
    Content,
    ModuleSource,
    NumericAnswer,
    OptionSource,
    Outcome,
    PageSource,
    Problem,
    QuestionSource,
    QuizSource,
    Source,
)

__all__ = ["Problem", "SourceTree", "load_tree", "parse_content", "parse_module", "parse_quiz"]

MODULE_FILE = "module.md"
GUIDE_FILE = "readme.md"

REVIEW_KEYS = ("last_reviewed", "reviewed_by", "next_review")
MODULE_KEYS = {"id", "title", "summary", "audience", "kind", "estimated_minutes", "outcomes", "completion",
               *REVIEW_KEYS}
MODULE_REQUIRED = ("id", "title", "summary", "audience", "kind", "estimated_minutes", *REVIEW_KEYS)
OUTCOME_KEYS = {"id", "text", "gmc_areas"}
PAGE_KEYS = {"id", "title", "sources", "quiz", *REVIEW_KEYS}
PAGE_REQUIRED = ("id", "title", *REVIEW_KEYS, "sources")
SOURCE_KEYS = ("title", "url", "accessed")
QUIZ_KEYS = {"id", "title", "pass_mark", "attempts", "shuffle", "pick", "show_answers", "sources", *REVIEW_KEYS}
QUIZ_REQUIRED = ("id", "title", *REVIEW_KEYS)
QUESTION_ATTRIBUTES = {"points", "type", "scoring", "required"}

FENCE = re.compile(r"^\s{0,3}(```|~~~)")
QUESTION_HEADING = re.compile(r"^##(?!#)\s*(?P<rest>.*?)\s*$")
TRAILING_ATTRIBUTES = re.compile(r"\s*\{(?P<attrs>[^{}]*)\}\s*$")
TASK_ITEM = re.compile(r"^[-*+]\s+\[(?P<mark>[ xX])\](?:\s+(?P<text>.*))?$")
BULLET_ITEM = re.compile(r"^[-*+]\s+(?P<text>.*)$")
NUMBERED_ITEM = re.compile(r"^\d+[.)]\s+(?P<text>.*)$")
EQUALS_LINE = re.compile(r"^=(?P<text>.*)$")
NUMERIC_ANSWER = re.compile(
    r"^(?P<value>[-+]?\d+(?:\.\d+)?)\s*(?:(?:\+-|±)\s*(?P<tolerance>\d+(?:\.\d+)?))?\s*(?P<unit>[^\d\s].*)?$"
)
MATCH_ITEM = re.compile(r"^(?P<term>.*?)\s*\{(?P<attrs>[^{}]*)\}\s*->\s*(?P<meaning>.*?)\s*$")


@dataclass(frozen=True)
class SourceTree:
    """The Markdown of a content folder, keyed by path relative to it (``quizzes/x.md``).

    Publishing from the browser overlays edited texts on the files read from disk; assets (images, PDFs) are
    always looked up on disk under ``root``.
    """

    root: Path
    texts: dict[str, str]
    problems: tuple[Problem, ...] = ()

    def module_folders(self) -> list[str]:
        return sorted({path.split("/")[1] for path in self.texts if path.startswith("modules/")})

    def module_texts(self, folder: str) -> dict[str, str]:
        prefix = f"modules/{folder}/"
        return {path[len(prefix):]: text for path, text in sorted(self.texts.items()) if path.startswith(prefix)}

    def quiz_paths(self) -> list[str]:
        return sorted(path for path in self.texts if path.startswith("quizzes/"))

    def with_module(self, folder: str, files: dict[str, str]) -> SourceTree:
        prefix = f"modules/{folder}/"
        texts = {path: text for path, text in self.texts.items() if not path.startswith(prefix)}
        texts.update({prefix + name: text for name, text in files.items() if name.lower() != GUIDE_FILE})
        return SourceTree(self.root, texts, self.problems)

    def with_texts(self, files: dict[str, str]) -> SourceTree:
        return SourceTree(self.root, {**self.texts, **files}, self.problems)


def is_content_file(path: Path) -> bool:
    """README.md files are guides for authors, never content."""
    return path.is_file() and path.suffix == ".md" and path.name.lower() != GUIDE_FILE


def load_tree(content_dir: Path | str) -> SourceTree:
    root = Path(content_dir)
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    candidates: list[Path] = []
    modules_dir = root / "modules"
    if modules_dir.is_dir():
        for folder in sorted(p for p in modules_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            files = [p for p in sorted(folder.iterdir()) if is_content_file(p)]
            if not any(p.name == MODULE_FILE for p in files):
                problems.append(Problem(f"modules/{folder.name}/{MODULE_FILE}", 1,
                                        "module folder has no module.md: every module folder needs one"))
            candidates.extend(files)
    quizzes_dir = root / "quizzes"
    if quizzes_dir.is_dir():
        candidates.extend(p for p in sorted(quizzes_dir.iterdir()) if is_content_file(p))
    for path in candidates:
        relative = path.relative_to(root).as_posix()
        try:
            texts[relative] = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(relative, 1, "file is not UTF-8 text: save it as UTF-8"))
    return SourceTree(root, texts, tuple(problems))


# ------------------------------------------------------------------------------------------ front matter


@dataclass
class FrontMatter:
    """The YAML block at the top of a file: each top-level key with its value and line."""

    values: dict[str, Any]
    lines: dict[str, int]
    nodes: dict[str, yaml.Node]
    body: str
    body_line: int


def construct(node: yaml.Node) -> Any:
    """Build a Python value from a composed node exactly as ``yaml.safe_load`` would."""
    return yaml.SafeLoader("").construct_document(node)


def mapping_items(node: yaml.MappingNode, first_line: int, path: str,
                  problems: list[Problem]) -> list[tuple[str, int, yaml.Node]]:
    items: list[tuple[str, int, yaml.Node]] = []
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(construct(key_node))
        line = first_line + key_node.start_mark.line
        if key in seen:
            problems.append(Problem(path, line, f"duplicate key '{key}'"))
            continue
        seen.add(key)
        items.append((key, line, value_node))
    return items


def read_front_matter(path: str, text: str, problems: list[Problem]) -> FrontMatter | None:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(path, 1, "file must start with a '---' line that opens the front matter"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        problems.append(Problem(path, 1, "front matter is not closed: add a '---' line after it"))
        return None
    try:
        node = yaml.compose("\n".join(lines[1:end]), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "cannot be read"
        problems.append(Problem(path, line, f"front matter is not valid YAML: {reason}"))
        return None
    body = "\n".join(lines[end + 1:])
    if node is None:
        return FrontMatter({}, {}, {}, body, end + 2)
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, 2, "front matter must be 'name: value' lines"))
        return None
    matter = FrontMatter({}, {}, {}, body, end + 2)
    for key, line, value_node in mapping_items(node, 2, path, problems):
        matter.values[key] = construct(value_node)
        matter.lines[key] = line
        matter.nodes[key] = value_node
    return matter


@dataclass
class Reader:
    """Reads typed values out of front matter, reporting each problem at the key's line."""

    path: str
    problems: list[Problem]
    matter: FrontMatter
    allowed: set[str]
    required: tuple[str, ...]
    key_lines: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, line in self.matter.lines.items():
            if key not in self.allowed:
                self.problem(line, f"unknown front-matter key '{key}'")
        for key in self.required:
            if key not in self.matter.values:
                self.problem(1, f"missing required key '{key}'")
        self.key_lines = dict(self.matter.lines)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def line(self, key: str) -> int:
        return self.matter.lines.get(key, 1)

    def has(self, key: str) -> bool:
        return key in self.matter.values

    def text(self, key: str, default: str = "") -> str:
        value = self.matter.values.get(key)
        if value is None:
            if self.has(key) and key in self.required:
                self.problem(self.line(key), f"'{key}' is empty")
            return default
        if isinstance(value, dict | list):
            self.problem(self.line(key), f"'{key}' must be text, not a list or a group of settings")
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).strip()

    def integer(self, key: str, message: str) -> int | None:
        value = self.matter.values.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(self.line(key), message)
            return None
        return value

    def day(self, key: str) -> date | None:
        value = self.matter.values.get(key)
        if value is None:
            return None
        day = as_date(value)
        if day is None:
            self.problem(self.line(key), f"{key} must be a date written YYYY-MM-DD")
        return day


def as_date(value: Any) -> date | None:
    """A YAML date (or ISO text) as a date; None when it is not one."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def text_value(value: Any) -> str:
    return "" if value is None else str(value).strip()


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
    pages, quizzes, reflections = "all", "none" if handbook else "all", "optional" if handbook else "required"
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


def read_sources(reader: Reader) -> tuple[Source, ...]:
    node = reader.matter.nodes.get("sources")
    if node is None or (isinstance(node, yaml.ScalarNode) and reader.matter.values.get("sources") is None):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(reader.line("sources"), "sources must be a list of items with title, url and accessed")
        return ()
    sources = []
    for item in node.value:
        line = 2 + item.start_mark.line
        if not isinstance(item, yaml.MappingNode):
            reader.problem(line, "each source needs 'title', 'url' and 'accessed' settings")
            continue
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key, key_line, value_node in mapping_items(item, 2, reader.path, reader.problems):
            if key not in SOURCE_KEYS:
                reader.problem(key_line, f"unknown source key '{key}'")
            values[key] = construct(value_node)
            lines[key] = key_line
        for key in SOURCE_KEYS:
            if not text_value(values.get(key)):
                reader.problem(line, f"source is missing '{key}'")
        accessed = as_date(values.get("accessed"))
        if values.get("accessed") is not None and accessed is None:
            reader.problem(lines["accessed"], "accessed must be a date written YYYY-MM-DD")
        sources.append(Source(text_value(values.get("title")), text_value(values.get("url")), reader.path, line,
                              accessed))
    return tuple(sources)



# ------------------------------------------------------------------------------------------ quizzes


def parse_quiz(path: str, text: str, problems: list[Problem]) -> QuizSource | None:
    matter = read_front_matter(path, text, problems)
    if matter is None:
        return None
    reader = Reader(path, problems, matter, QUIZ_KEYS, QUIZ_REQUIRED)
    pass_mark = reader.integer("pass_mark", "pass_mark must be a number from 0 to 100")
    attempts: int | None = None
    raw_attempts = matter.values.get("attempts")
    if raw_attempts is not None and raw_attempts != "unlimited":
        if isinstance(raw_attempts, bool) or not isinstance(raw_attempts, int):
            reader.problem(reader.line("attempts"), "attempts must be a whole number of 1 or more, or 'unlimited'")
        else:
            attempts = raw_attempts
    pick = reader.integer("pick", "pick must be a whole number of 1 or more")
    body_lines = matter.body.split("\n") if matter.body else []
    sections = split_questions(body_lines, matter.body_line)
    intro_lines = sections.pop(0)[1]
    questions = [parse_question(path, start, lines, problems) for start, lines in sections]
    return QuizSource(
        id=reader.text("id"), title=reader.text("title"), pass_mark=70 if pass_mark is None else pass_mark,
        attempts=attempts, shuffle=reader.text("shuffle", "none"), pick=pick,
        show_answers=reader.text("show_answers", "after_submit"), last_reviewed=reader.day("last_reviewed"),
        intro=joined(intro_lines), intro_line=matter.body_line,
        questions=tuple(questions), text=text, path=path, line=reader.line("id"),
        key_lines=reader.key_lines, reviewed_by=reader.text("reviewed_by"), next_review=reader.day("next_review"),
        sources=read_sources(reader),
    )


Numbered = list[tuple[int, str]]


def split_questions(lines: list[str], first_line: int) -> list[tuple[int, Numbered]]:
    """The introduction, then one section per ``##`` heading (headings inside code fences do not count)."""
    sections: list[tuple[int, Numbered]] = [(first_line, [])]
    in_fence = False
    for offset, line in enumerate(lines):
        number = first_line + offset
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and QUESTION_HEADING.match(line):
            sections.append((number, [(number, line)]))
        else:
            sections[-1][1].append((number, line))
    return sections


def split_attributes(text: str) -> tuple[str, list[str] | None]:
    """``Title {#id a=b}`` -> (``Title``, [``#id``, ``a=b``]); no braces -> (text, None)."""
    match = TRAILING_ATTRIBUTES.search(text)
    if match is None:
        return text.strip(), None
    return text[:match.start()].strip(), match.group("attrs").split()


def attribute_id(tokens: list[str]) -> str | None:
    return next((token[1:] for token in tokens if token.startswith("#")), None)


def parse_question(path: str, heading_line: int, section: Numbered, problems: list[Problem]) -> QuestionSource:
    def problem(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    heading = QUESTION_HEADING.match(section[0][1])
    assert heading is not None
    title, tokens = split_attributes(heading.group("rest"))
    if tokens is None or attribute_id(tokens) is None:
        problem(heading_line, "question heading has no id: add {#some-id}")
        tokens = tokens or []
    question_id = attribute_id(tokens) or ""
    settings: dict[str, str] = {}
    for token in tokens:
        if token.startswith("#"):
            continue
        key, equals, value = token.partition("=")
        if not equals or key not in QUESTION_ATTRIBUTES:
            problem(heading_line, f"unknown question attribute '{token}' (use points=, type=, scoring=, required=)")
            continue
        settings[key] = value
    points, points_given = 1, "points" in settings
    if points_given:
        if settings["points"].isdigit():
            points = int(settings["points"])
        else:
            problem(heading_line, "points must be a whole number of 0 or more")
    question_type = settings.get("type", "")
    if question_type and question_type not in QUESTION_TYPES:
        problem(heading_line, f"unknown question type '{question_type}' (use {', '.join(QUESTION_TYPES)})")
        question_type = ""
    scoring = settings.get("scoring", "all")
    if scoring not in ("all", "partial"):
        problem(heading_line, "scoring must be 'partial' (leave it out for all-or-nothing)")
        scoring = "all"
    required = True
    if "required" in settings:
        if settings["required"] not in ("true", "false"):
            problem(heading_line, "required must be true or false")
        required = settings["required"] != "false"

    body = section[1:]
    kind = question_type or ("single" if find_block_start(body, "single") is not None else "")
    options: list[OptionSource] = []
    numeric: NumericAnswer | None = None
    accepted: list[tuple[int, str]] = []
    if not kind:
        problem(heading_line, "question has no type: add type=... to the heading, or a list of '- [ ]' options")
        start = end = len(body)
    elif kind == "reflection":
        start = end = len(body)
    else:
        start = find_block_start(body, kind)
        if start is None:
            problem(heading_line, MISSING_BLOCK[kind])
            start = end = len(body)
        else:
            end = find_block_end(body, start, kind)
            block = body[start:end]
            if kind in CHOICE_TYPES:
                options = parse_choices(path, block, problems)
            elif kind == "match":
                options = parse_matches(path, block, problems)
            elif kind == "order":
                options = parse_order(path, block, problems)
            else:
                answers = [(number, line[1:].strip()) for number, line in block if line.strip()]
                if kind == "text":
                    for number, answer in answers:
                        if not answer:
                            problem(number, "accepted answer is empty: write '= answer'")
                    accepted = [(number, answer) for number, answer in answers if answer]
                else:
                    numeric = parse_numeric(path, answers, problems)
    if not question_type and kind == "single" and sum(option.correct for option in options) > 1:
        kind = "multiple"
    stem = body[:start]
    explanation = body[end:] if kind != "reflection" else []
    return QuestionSource(
        id=question_id, title=title, type=kind, type_given=bool(question_type),
        points=0 if kind == "reflection" else points,
        points_given=points_given, scoring=scoring, required=required, required_given="required" in settings,
        stem=joined(stem), stem_line=stem[0][0] if stem else heading_line + 1,
        explanation=joined(explanation), explanation_line=explanation[0][0] if explanation else heading_line,
        options=tuple(options), numeric=numeric, accepted=tuple(answer for _, answer in accepted), path=path,
        line=heading_line, accepted_lines=tuple(number for number, _ in accepted),
    )


MISSING_BLOCK = {
    "single": "question has no options: add a list of '- [ ] option {#id}' lines",
    "multiple": "question has no options: add a list of '- [ ] option {#id}' lines",
    "truefalse": "truefalse question must have exactly two options with ids 'true' and 'false'",
    "numeric": "numeric question has no '= value' line",
    "text": "text question has no '= accepted answer' line",
    "match": "match question has no '- Term {#id} -> Meaning' lines",
    "order": "order question has no numbered list of items (1. ... {#id})",
}


def joined(lines: Numbered) -> str:
    return "\n".join(line for _, line in lines).strip("\n")


def is_item(line: str, kind: str) -> bool:
    if kind in ("numeric", "text"):
        return EQUALS_LINE.match(line) is not None
    if kind == "order":
        return NUMBERED_ITEM.match(line) is not None
    return BULLET_ITEM.match(line) is not None


def starts_block(line: str, kind: str) -> bool:
    if kind in CHOICE_TYPES:
        return TASK_ITEM.match(line) is not None
    return is_item(line, kind)


def find_block_start(body: Numbered, kind: str) -> int | None:
    in_fence = False
    for index, (_, line) in enumerate(body):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and starts_block(line, kind):
            return index
    return None


def is_indented(line: str) -> bool:
    return line.startswith(("  ", "\t")) and bool(line.strip())


def find_block_end(body: Numbered, start: int, kind: str) -> int:
    """The block runs over its items and their indented lines; it ends at the first blank line that is followed
    by a paragraph which is neither indented nor another item."""
    index = start + 1
    while index < len(body):
        line = body[index][1]
        if is_item(line, kind) or is_indented(line):
            index += 1
            continue
        if not line.strip():
            following = next((text for _, text in body[index:] if text.strip()), None)
            if following is not None and (is_item(following, kind) or is_indented(following)):
                index += 1
                continue
        break
    return index


def parse_choices(path: str, block: Numbered, problems: list[Problem]) -> list[OptionSource]:
    options: list[dict[str, Any]] = []
    for number, line in block:
        if not line.strip():
            continue
        if is_indented(line):
            quote = line.strip()
            if not options:
                continue
            if not quote.startswith(">"):
                problems.append(Problem(path, number, "text under an option must be feedback: an indented '> ' quote"))
                continue
            options[-1]["feedback"].append(quote[1:].removeprefix(" "))
            continue
        task = TASK_ITEM.match(line)
        if task is None:
            problems.append(Problem(path, number, "option must start with '- [ ]' (wrong) or '- [x]' (correct)"))
            continue
        text, tokens = split_attributes(task.group("text") or "")
        option_id = attribute_id(tokens or [])
        if option_id is None:
            problems.append(Problem(path, number, "option has no id: end the line with {#some-id}"))
        pinned = False
        for token in tokens or []:
            if token == "pin":
                pinned = True
            elif not token.startswith("#"):
                problems.append(Problem(path, number, f"unknown option attribute '{token}' (only 'pin' is allowed)"))
        options.append({"id": option_id or "", "text": text, "line": number, "correct": task.group("mark") != " ",
                        "pinned": pinned, "feedback": []})
    return [OptionSource(id=o["id"], text=o["text"], path=path, line=o["line"], correct=o["correct"],
                         feedback="\n".join(o["feedback"]).strip(), pinned=o["pinned"]) for o in options]


def parse_matches(path: str, block: Numbered, problems: list[Problem]) -> list[OptionSource]:
    options = []
    for number, line in block:
        if not line.strip():
            continue
        bullet = BULLET_ITEM.match(line)
        match = MATCH_ITEM.match(bullet.group("text")) if bullet else None
        if match is None or not match.group("meaning"):
            problems.append(Problem(path, number, "match item must be written '- Term {#id} -> Meaning'"))
            continue
        tokens = match.group("attrs").split()
        option_id = attribute_id(tokens)
        if option_id is None or len(tokens) != 1:
            problems.append(Problem(path, number, "match item must be written '- Term {#id} -> Meaning'"))
            continue
        options.append(OptionSource(id=option_id, text=match.group("term"), path=path, line=number,
                                    match_text=match.group("meaning")))
    return options


def parse_order(path: str, block: Numbered, problems: list[Problem]) -> list[OptionSource]:
    options = []
    for number, line in block:
        if not line.strip():
            continue
        item = NUMBERED_ITEM.match(line)
        if item is None:
            problems.append(Problem(path, number, "order items must be a numbered list: '1. Item {#id}'"))
            continue
        text, tokens = split_attributes(item.group("text"))
        option_id = attribute_id(tokens or [])
        if option_id is None or len(tokens or []) != 1:
            problems.append(Problem(path, number, "item has no id: end the line with {#some-id}"))
            continue
        options.append(OptionSource(id=option_id, text=text, path=path, line=number))
    return options


def parse_numeric(path: str, answers: list[tuple[int, str]], problems: list[Problem]) -> NumericAnswer | None:
    if len(answers) > 1:
        problems.append(Problem(path, answers[1][0], "numeric question must have exactly one '= value' line"))
    number, text = answers[0]
    match = NUMERIC_ANSWER.match(text)
    if match is None:
        problems.append(Problem(path, number, "numeric answer must be written '= 4.5 +- 0.5 unit' (tolerance and "
                                              "unit optional)"))
        return None
    return NumericAnswer(value=float(match.group("value")), tolerance=float(match.group("tolerance") or 0),
                         unit=(match.group("unit") or "").strip(), line=number)


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
