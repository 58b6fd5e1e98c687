"""Every link and image the renderer will make from an author's Markdown, found by python-markdown itself.

The checker asks the same parser the renderer uses, configured the same way, rather than matching patterns: so
reference-style links and images (``![x][ref]`` with ``[ref]: path``), destinations in angle brackets or with
spaces, titles (``(files/x.pdf "Title")``) and autolinks (``<ftp://host>``) are all seen exactly as they will be
published. python-markdown keeps no source positions, so :func:`locate` finds each one's line afterwards.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

REFERENCE_USE = re.compile(r"!?\[(?P<text>[^\[\]]*)\]\[(?P<label>[^\[\]]*)\]")


@dataclass(frozen=True)
class Target:
    """A link (``image`` False) or an image: its URL as the browser gets it, as written, and its text or alt."""

    image: bool
    url: str
    written: str
    text: str


class TargetCollector(Treeprocessor):
    """Runs after inline parsing, so references are resolved and every ``a`` and ``img`` is in the tree; a
    reference python-markdown could not resolve is left in the text as written, brackets and all."""

    def __init__(self, md: Markdown, found: list[Target], unresolved: list[str]) -> None:
        super().__init__(md)
        self.found = found
        self.unresolved = unresolved

    def run(self, root: Element) -> None:
        for element in root.iter():
            if element.tag == "a":
                self.add(False, element.get("href", ""), "".join(element.itertext()))
            elif element.tag == "img":
                self.add(True, element.get("src", ""), element.get("alt", ""))
        self.find_unresolved(root)

    def add(self, image: bool, raw: str, text: str) -> None:
        written = raw.replace(AMP_SUBSTITUTE, "&")
        self.found.append(Target(image, html.unescape(written), written, html.unescape(text.replace(AMP_SUBSTITUTE,
                                                                                                     "&"))))

    def find_unresolved(self, element: Element) -> None:
        """Text outside code that still reads ``[text][label]`` or ``[text][]``."""
        if element.tag in ("code", "pre"):
            return
        for chunk in [element.text or "", *(child.tail or "" for child in element)]:
            self.unresolved.extend(use.group(0) for use in REFERENCE_USE.finditer(chunk))
        for child in element:
            self.find_unresolved(child)


class CollectTargets(Extension):
    def __init__(self, found: list[Target], unresolved: list[str]) -> None:
        super().__init__()
        self.found = found
        self.unresolved = unresolved

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(TargetCollector(md, self.found, self.unresolved), "btg_targets", 5)


@dataclass(frozen=True)
class Parsed:
    """The links and images of a text in document order, and the references it uses but never defines, as
    written (``[the form][]``)."""

    targets: list[Target]
    unresolved: list[str]


def parse(text: str) -> Parsed:
    """The text as the renderer (``render.render_markdown``) would parse it."""
    found: list[Target] = []
    unresolved: list[str] = []
    Markdown(extensions=[TableExtension(use_align_attribute=True), FencedCodeExtension(), SaneListExtension(),
                         CollectTargets(found, unresolved)]).convert(text)
    return Parsed(found, unresolved)


def targets(text: str) -> list[Target]:
    return parse(text).targets


def locate(target: Target, lines: Sequence[tuple[int, str]], start: int) -> tuple[int, int]:
    """The file line that writes ``target`` and its index in ``lines``: the first match from ``start`` (links
    come in document order), else from the top (a reference definition above its use), else the line at
    ``start``. ``lines`` are (file line, text) pairs with code left out."""
    candidates = [c for c in dict.fromkeys((target.written, target.url, unquote(target.url),
                                            target.url.removeprefix("mailto:"))) if c]
    for index in [*range(start, len(lines)), *range(0, min(start, len(lines)))]:
        if any(candidate in lines[index][1] for candidate in candidates):
            return lines[index][0], index
    if not lines:
        return 0, start
    index = min(start, len(lines) - 1)
    return lines[index][0], index
