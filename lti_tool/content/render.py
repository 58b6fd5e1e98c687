"""The one path from authored Markdown to HTML: python-markdown, then a bleach allowlist.

Run at publish time only; pages store the result. Defence in depth: raw HTML in the Markdown is escaped (shown
as text, never parsed), ``attr_list`` is off so authors cannot set attributes, and bleach then keeps only the
allowlisted tags, attributes and URL protocols. External links get ``rel="noopener noreferrer"`` after
sanitising; relative image and file URLs are rewritten to the module's asset route.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import bleach
from bleach.html5lib_shim import Filter
from markdown import Extension, Markdown
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

AssetUrl = Callable[[str], str]

ALLOWED_TAGS = frozenset({
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "code", "pre", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "img", "hr", "br", "abbr", "dl", "dt", "dd", "sup", "sub", "div",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
CALLOUTS = {"Tip:": "tip", "Important:": "important", "Action:": "action"}
CALLOUT_CLASSES = frozenset(f"callout callout--{name}" for name in CALLOUTS.values())
EXTERNAL_REL = "noopener noreferrer"
PLAIN_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}}


def allow_attribute(tag: str, name: str, value: str) -> bool:
    if name in PLAIN_ATTRIBUTES.get(tag, ()):
        return True
    if tag == "div" and name == "class":
        return value in CALLOUT_CLASSES
    if tag in ("th", "td") and name == "align":
        return value in ("left", "center", "right")
    return False


class ExternalLinkFilter(Filter):
    """Runs after sanitising, so every surviving external link is marked, whatever the author wrote."""

    def __iter__(self):  # noqa: ANN204
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                href = token["data"].get((None, "href"), "")
                if urlsplit(href).scheme in ("http", "https"):
                    token["data"][(None, "rel")] = EXTERNAL_REL
            yield token


CLEANER = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=allow_attribute, protocols=ALLOWED_PROTOCOLS, strip=True,
                         strip_comments=True, filters=[ExternalLinkFilter])


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


class ContentExtension(Extension):
    def __init__(self, asset_url: AssetUrl | None) -> None:
        super().__init__()
        self.asset_url = asset_url

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (python-markdown's API name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(ContentTreeprocessor(md, self.asset_url), "btg_content", 5)


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
