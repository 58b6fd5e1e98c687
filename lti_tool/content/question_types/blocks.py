"""The Markdown syntax shared by question types: attributes in braces, and the list block holding the answer.

Each type says which lines start and continue its block (see the type modules); these helpers find the block and
read the common list shapes out of it, collecting every problem rather than stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..model import NumericAnswer, OptionSource, Problem

FENCE = re.compile(r"^\s{0,3}(```|~~~)")
TRAILING_ATTRIBUTES = re.compile(r"\s*\{(?P<attrs>[^{}]*)\}\s*$")
TASK_ITEM = re.compile(r"^[-*+]\s+\[(?P<mark>[ xX])\](?:\s+(?P<text>.*))?$")
BULLET_ITEM = re.compile(r"^[-*+]\s+(?P<text>.*)$")
NUMBERED_ITEM = re.compile(r"^\d+[.)]\s+(?P<text>.*)$")
EQUALS_LINE = re.compile(r"^=(?P<text>.*)$")
NUMERIC_ANSWER = re.compile(
    r"^(?P<value>[-+]?\d+(?:\.\d+)?)\s*(?:(?:\+-|±)\s*(?P<tolerance>\d+(?:\.\d+)?))?\s*(?P<unit>[^\d\s].*)?$"
)
MATCH_ITEM = re.compile(r"^(?P<term>.*?)\s*\{(?P<attrs>[^{}]*)\}\s*->\s*(?P<meaning>.*?)\s*$")

Numbered = list[tuple[int, str]]


def split_attributes(text: str) -> tuple[str, list[str] | None]:
    """``Title {#id a=b}`` -> (``Title``, [``#id``, ``a=b``]); no braces -> (text, None)."""
    match = TRAILING_ATTRIBUTES.search(text)
    if match is None:
        return text.strip(), None
    return text[:match.start()].strip(), match.group("attrs").split()


def attribute_id(tokens: list[str]) -> str | None:
    return next((token[1:] for token in tokens if token.startswith("#")), None)


def joined(lines: Numbered) -> str:
    return "\n".join(line for _, line in lines).strip("\n")


def find_block_start(body: Numbered, starts_block: Callable[[str], bool]) -> int | None:
    in_fence = False
    for index, (_, line) in enumerate(body):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and starts_block(line):
            return index
    return None


def is_indented(line: str) -> bool:
    return line.startswith(("  ", "\t")) and bool(line.strip())


def find_block_end(body: Numbered, start: int, is_item: Callable[[str], bool]) -> int:
    """The block runs over its items and their indented lines; it ends at the first blank line that is followed
    by a paragraph which is neither indented nor another item."""
    index = start + 1
    while index < len(body):
        line = body[index][1]
        if is_item(line) or is_indented(line):
            index += 1
            continue
        if not line.strip():
            following = next((text for _, text in body[index:] if text.strip()), None)
            if following is not None and (is_item(following) or is_indented(following)):
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


def number_text(value: float) -> str:
    """``7.0`` -> ``7``; ``4.5`` -> ``4.5`` (our numeric lines take plain decimals, no exponent)."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def one_line(text: str) -> str:
    """Text on one line, runs of white space as one space (for writing a list item back)."""
    return " ".join(text.split())
