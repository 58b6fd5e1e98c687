"""The one Markdown to HTML path: only allowlisted markup survives, whatever the author wrote."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from lti_tool.content.render import ALLOWED_TAGS, CLEANER, render_inline, render_markdown


class Elements(HTMLParser):
    """Every element and attribute in a piece of HTML, as the browser's tokenizer would see them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def to_asset(path: str) -> str:
    return f"/content/demo/assets/{path}"


HOSTILE = """
<script>alert(1)</script>

<img src="x" onerror="alert(1)">

<iframe src="https://evil.example/"></iframe>

<style>body { display: none }</style>

<a href="javascript:alert(1)">raw link</a> <p onclick="alert(1)">raw p</p>

[md link](javascript:alert(1)) [vb](vbscript:msgbox) [data link](data:text/html;base64,PHNjcmlwdD4=)

![pixel](data:image/png;base64,iVBORw0KGgo=) ![svg](javascript:alert(1))

<div class="callout callout--tip" style="color:red">fake callout</div>
"""


@pytest.fixture(scope="module")
def hostile_elements() -> list[tuple[str, dict[str, str | None]]]:
    return Elements(render_markdown(HOSTILE, to_asset)).found


def test_no_script_iframe_or_style_element_survives(hostile_elements):
    tags = {tag for tag, _ in hostile_elements}
    assert tags <= ALLOWED_TAGS
    assert not tags & {"script", "iframe", "style", "object", "embed"}


def test_no_event_handler_or_style_attribute_survives(hostile_elements):
    names = {name for _, attrs in hostile_elements for name in attrs}
    assert not any(name.startswith("on") for name in names)
    assert "style" not in names


def test_no_javascript_vbscript_or_data_url_survives(hostile_elements):
    urls = [value or "" for _, attrs in hostile_elements for name, value in attrs.items() if name in ("href", "src")]
    assert not any(url.lower().startswith(("javascript:", "vbscript:", "data:")) for url in urls)


def test_raw_html_is_shown_as_text_never_as_markup():
    html = render_markdown("Hello <script>alert(1)</script> and <b>bold</b>")
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html


def test_callouts_become_allowlisted_divs():
    html = render_markdown("> **Tip:** Ask early.\n\nText.\n\n> **Action:** Book it.\n\nMore.\n\n"
                           "> **Note:** plain quote")
    assert '<div class="callout callout--tip">' in html
    assert '<div class="callout callout--action">' in html
    assert "<blockquote>\n<p><strong>Note:</strong> plain quote</p>\n</blockquote>" in html


def test_external_links_get_noopener_and_no_target():
    html = render_markdown("[GMC](https://www.gmc-uk.org/) and [mail](mailto:team@example.org)")
    assert '<a href="https://www.gmc-uk.org/" rel="noopener noreferrer">GMC</a>' in html
    assert '<a href="mailto:team@example.org">mail</a>' in html
    assert "target" not in html


def test_relative_images_and_files_point_at_the_module_asset_route():
    html = render_markdown("![A chart](images/chart.png) [the form](./files/form.pdf)", to_asset)
    assert '<img alt="A chart" src="/content/demo/assets/images/chart.png">' in html
    assert '<a href="/content/demo/assets/files/form.pdf">the form</a>' in html


def test_paths_escaping_the_module_folder_lose_their_url():
    html = render_markdown("![Secret](../../instance/key.png) [up](../x.pdf)", to_asset)
    assert "instance" not in html and "x.pdf" not in html


def test_without_an_asset_route_relative_urls_are_dropped():
    html = render_markdown("![A chart](images/chart.png)")
    assert "chart.png" not in html


def test_page_headings_start_at_h2_and_tables_keep_alignment():
    html = render_markdown("# Top\n\n## Sub\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert "<h1" not in html and "<h2>Top</h2>" in html
    assert '<th align="left">a</th>' in html and '<td align="right">2</td>' in html


def test_authors_cannot_set_attributes_with_attr_list():
    elements = Elements(render_markdown("## Heading {: onclick=\"alert(1)\" #x .big }")).found
    assert elements == [("h2", {})]


def test_inline_rendering_drops_the_paragraph():
    assert render_inline("Outcome *5*") == "Outcome <em>5</em>"


def test_the_bleach_allowlist_alone_removes_hostile_markup():
    html = CLEANER.clean('<script>x()</script><img src="data:image/png;base64,AA" onerror="x()">'
                         '<a href="javascript:x()" target="_blank">y</a><iframe src="https://e.example"></iframe>'
                         '<style>p{}</style><div class="evil" style="color:red">z</div><p onclick="x()">w</p>')
    for hostile in ("<script", "onerror", "javascript:", "data:", "<iframe", "<style", "evil", "style=", "onclick",
                    "target"):
        assert hostile not in html


WIDE_TABLES = """| **Pay** band \\* | From | To |
|:--|--:|--:|
| FY1 | 1 | 2 |

Between the tables.

| **Pay** band \\* | Hours |
|--|--|
| ST1 | 48 |

| | |
|--|--|
| no | header |
"""


def test_each_table_is_wrapped_in_a_focusable_region_named_after_its_first_header():
    elements = Elements(render_markdown(WIDE_TABLES)).found
    regions = [attrs for tag, attrs in elements if tag == "div"]
    assert regions == [
        {"class": "table-scroll", "role": "region", "tabindex": "0", "aria-label": label}
        for label in ("Table: Pay band *", "Table: Pay band * (2)", "Table")]
    tags = [tag for tag, _ in elements]
    assert [tags[index + 1] for index, tag in enumerate(tags) if tag == "div"] == ["table"] * 3
    html = render_markdown(WIDE_TABLES)
    assert html.count("</table>\n</div>") == 3 and "<p>Between the tables.</p>" in html


def test_a_table_in_a_callout_is_wrapped_too():
    html = render_markdown("> **Tip:** Compare:\n>\n> | a | b |\n> |--|--|\n> | 1 | 2 |\n")
    assert '<div class="callout callout--tip">' in html
    assert '<div aria-label="Table: a" class="table-scroll" role="region" tabindex="0">\n<table>' in html


@pytest.mark.parametrize("hostile", [
    '<p tabindex="0" role="button">x</p>',
    '<div tabindex="0" role="region" aria-label="Table: x"><p>not a table</p></div>',
    '<div class="table-scroll" role="region" tabindex="0" aria-label="Table: x"><p>not a table</p></div>',
    '<div class="callout callout--tip" role="region" tabindex="0" aria-label="Table: x"><table></table></div>',
    '<div class="table-scroll" role="region" tabindex="-1" aria-label="Table: x"><table></table></div>',
    '<div class="table-scroll" role="button" tabindex="0" aria-label="Table: x"><table></table></div>',
    '<div class="table-scroll" role="region" tabindex="0" aria-label="Click me"><table></table></div>',
    '<table tabindex="0" role="region" aria-label="Table: x"><tr><td>1</td></tr></table>',
])
def test_the_allowlist_strips_focus_roles_and_labels_anywhere_but_the_exact_table_wrapper(hostile):
    elements = Elements(CLEANER.clean(hostile)).found
    names = {name for _, attrs in elements for name in attrs}
    assert not names & {"tabindex", "role", "aria-label"}
    assert ("div", {"class": "table-scroll"}) not in elements


def test_the_allowlist_keeps_the_exact_table_wrapper():
    wrapper = '<div class="table-scroll" role="region" tabindex="0" aria-label="Table: Pay">\n<table></table></div>'
    assert Elements(CLEANER.clean(wrapper)).found[0] == (
        "div", {"class": "table-scroll", "role": "region", "tabindex": "0", "aria-label": "Table: Pay"})
