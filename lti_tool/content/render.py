"""The one path from authored Markdown to HTML: python-markdown, then a bleach allowlist.

Run at publish time only; pages store the result. Defence in depth: raw HTML in the Markdown is escaped (shown
as text, never parsed), ``attr_list`` is off so authors cannot set attributes, and bleach then keeps only the
allowlisted tags, attributes and URL protocols. External links get ``rel="noopener noreferrer"`` after
sanitising; relative image and file URLs are rewritten to the module's asset route. Each table is wrapped in a
labelled region that keyboard users can focus and scroll, since a wide table scrolls sideways on a phone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import bleach
from markdown import Extension, Markdown
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

if TYPE_CHECKING:
    # bleach vendors html5lib and re-exports its Filter without a type; the stubs type the html5lib original.
    from html5lib.filters.base import Filter
else:
    from bleach.html5lib_shim import Filter

AssetUrl = Callable[[str], str]
Token = dict[str, Any]

ALLOWED_TAGS = frozenset({
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "code", "pre", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "img", "hr", "br", "abbr", "dl", "dt", "dd", "sup", "sub", "div",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
CALLOUTS = {"Tip:": "tip", "Important:": "important", "Action:": "action"}
CALLOUT_CLASSES = frozenset(f"callout callout--{name}" for name in CALLOUTS.values())
EXTERNAL_REL = "noopener noreferrer"
PLAIN_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}
TABLE_SCROLL = {"class": "table-scroll", "role": "region", "tabindex": "0"}
TABLE_LABEL = "aria-label"


def allow_attribute(tag: str, name: str, value: str) -> bool:
    if name in PLAIN_ATTRIBUTES.get(tag, ()):
        return True
    if tag == "div" and name == "class":
        return value in CALLOUT_CLASSES or value == TABLE_SCROLL["class"]
    if tag == "div" and name in TABLE_SCROLL:
        return value == TABLE_SCROLL[name]
    if tag == "div" and name == TABLE_LABEL:
        return value.startswith("Table")
    if tag in ("th", "td") and name == "align":
        return value in ("left", "center", "right")
    return False


class ExternalLinkFilter(Filter):
    """Runs after sanitising, so every surviving external link is marked, whatever the author wrote."""

    def __iter__(self) -> Iterator[Token]:
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                href = token["data"].get((None, "href"), "")
                if urlsplit(href).scheme in ("http", "https"):
                    token["data"][(None, "rel")] = EXTERNAL_REL
            yield token


class TableScrollFilter(Filter):
    """Keeps a div's role, tabindex and label only on the complete table wrapper directly around a table.

    The allowlist judges one attribute at a time; this judges the whole wrapper, so a focusable region can
    never appear anywhere but around a table, whatever markup reaches the cleaner.
    """

    def __iter__(self) -> Iterator[Token]:
        tokens = list(super().__iter__())
        for index, token in enumerate(tokens):
            if token["type"] == "StartTag" and token["name"] == "div":
                attributes = {name: value for (_, name), value in token["data"].items()}
                wrapper = {name: attributes.get(name) for name in TABLE_SCROLL} == TABLE_SCROLL
                if not (wrapper and attributes.get(TABLE_LABEL) and next_start_tag(tokens, index) == "table"):
                    for name in ("role", "tabindex", TABLE_LABEL):
                        token["data"].pop((None, name), None)
                    if attributes.get("class") == TABLE_SCROLL["class"]:
                        token["data"].pop((None, "class"))
            yield token


def next_start_tag(tokens: list[Token], index: int) -> str | None:
    for token in tokens[index + 1:]:
        if token["type"] == "StartTag":
            name: str = token["name"]
            return name
        if token["type"] not in ("SpaceCharacters", "Characters") or token["data"].strip():
            return None
    return None


CLEANER = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=allow_attribute, protocols=ALLOWED_PROTOCOLS, strip=True,
                         strip_comments=True, filters=[ExternalLinkFilter, TableScrollFilter])


def module_relative(url: str) -> str | None:
    """The module-folder path a URL names, or None when it is not a plain relative path inside the folder."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("/", "#")) or not parts.path:
        return None
    path = posixpath.normpath(unquote(parts.path))
    if path == ".." or path.startswith("../"):
        return None
    return path


class ContentTreeprocessor(Treeprocessor):
    """Headings start at h2, callouts become classed divs, relative URLs point at the asset route."""

    def __init__(self, md: Markdown, asset_url: AssetUrl | None) -> None:
        super().__init__(md)
        self.asset_url = asset_url

    def run(self, root: Element) -> None:
        for element in list(root.iter()):
            if element.tag == "h1":
                element.tag = "h2"
            elif element.tag == "blockquote":
                self.callout(element)
            elif element.tag == "img":
                self.relink(element, "src")
            elif element.tag == "a":
                self.relink(element, "href")

    @staticmethod
    def callout(quote: Element) -> None:
        first = quote[0] if len(quote) else None
        if first is None or first.tag != "p" or (first.text or "").strip() or not len(first):
            return
        label = first[0]
        name = CALLOUTS.get((label.text or "").strip()) if label.tag == "strong" else None
        if name:
            quote.tag = "div"
            quote.set("class", f"callout callout--{name}")

    def relink(self, element: Element, attribute: str) -> None:
        url = element.get(attribute, "")
        if urlsplit(url).scheme or url.startswith(("/", "#")):
            return
        relative = module_relative(url)
        if relative is None or self.asset_url is None:
            del element.attrib[attribute]
            return
        element.set(attribute, self.asset_url(relative))


class TableScrollTreeprocessor(Treeprocessor):
    """Wraps each table in a focusable region named after its first header, so it scrolls by keyboard too.

    Runs after python-markdown has unescaped the text, so the label reads as the header does. Markdown tables
    have no caption; a repeated label gets a number, as axe wants each region's name to be unique on a page.
    """

    def run(self, root: Element) -> None:
        labels: set[str] = set()
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    parent[index] = self.wrap(child, unique(table_label(child), labels))

    @staticmethod
    def wrap(table: Element, label: str) -> Element:
        wrapper = Element("div", {**TABLE_SCROLL, TABLE_LABEL: label})
        wrapper.text, wrapper.tail, table.tail = "\n", table.tail, "\n"
        wrapper.append(table)
        return wrapper


def table_label(table: Element) -> str:
    for header in table.iter("th"):
        text = re.sub(r"\s+", " ", "".join(header.itertext())).strip()
        if text:
            return f"Table: {text}"
    return "Table"


def unique(label: str, used: set[str]) -> str:
    number, candidate = 1, label
    while candidate in used:
        number += 1
        candidate = f"{label} ({number})"
    used.add(candidate)
    return candidate


class ContentExtension(Extension):
    def __init__(self, asset_url: AssetUrl | None) -> None:
        super().__init__()
        self.asset_url = asset_url

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(ContentTreeprocessor(md, self.asset_url), "btg_content", 5)
        md.treeprocessors.register(TableScrollTreeprocessor(md), "btg_table_scroll", -1)


def render_markdown(text: str, asset_url: AssetUrl | None = None) -> str:
    """Sanitised HTML for a page, an introduction, a question stem or an explanation.

    ``asset_url`` maps a path relative to the module folder (``images/x.png``) to its URL; without it, relative
    images and file links are dropped (quizzes have no folder of their own).
    """
    md = Markdown(extensions=[TableExtension(use_align_attribute=True), FencedCodeExtension(),
                              SaneListExtension(), ContentExtension(asset_url)], output_format="html")
    return CLEANER.clean(md.convert(text)).strip()


def render_inline(text: str, asset_url: AssetUrl | None = None) -> str:
    """Sanitised HTML for one line (an option, a term): a single paragraph loses its ``<p>``."""
    html = render_markdown(text, asset_url)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
