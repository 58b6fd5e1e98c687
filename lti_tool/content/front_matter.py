"""The YAML block at the top of a content file, read with PyYAML's safe loader so that every key keeps its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

from .model import Problem, Source

REVIEW_KEYS = ("last_reviewed", "reviewed_by", "next_review")
SOURCE_KEYS = ("title", "url", "accessed")


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
