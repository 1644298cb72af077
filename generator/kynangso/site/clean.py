"""Author text is text: the HTML made from it keeps only what our Markdown makes.

`validate` already refuses raw HTML, attribute lists and unsafe links in the sources; this is
the second line. Every piece of HTML Markdown makes for the site is passed through nh3 (a
maintained sanitiser) with an allow-list, so no tag, attribute or address that can run code
reaches a page, whatever slipped past the checks. In class mode the lessons and the coach
dashboard share one origin: a script in a lesson could read the coach's list of learners.

`CleanExtension` is a Python-Markdown extension (mkdocs.yml lists it as
`kynangso.site.clean`). It cleans the page's HTML after Markdown made it and before the
raw HTML of our own templates (quiz forms, scripts with quiz data) is put back in: templates
are ours, author text is escaped before Markdown sees it, so what Markdown made is the only
place author text can be.
"""

from __future__ import annotations

import re
from typing import Any

import markdown  # type: ignore[import-untyped]  # Python-Markdown ships no types
import nh3
from markdown.extensions import Extension  # type: ignore[import-untyped]
from markdown.postprocessors import Postprocessor  # type: ignore[import-untyped]

# Tags our Markdown extensions make: paragraphs and headings, lists, links, images, code,
# tables, definition lists, admonitions, and what mkdocs-material styles inside content.
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    # data-search-exclude: our templates keep quiz and sources out of the search index
    "*": {"class", "id", "title", "lang", "data-search-exclude"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    "details": {"open"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Python-Markdown's tables set alignment as a style; any other style is dropped.
TABLE_ALIGN = re.compile(r"^text-align: (left|right|center);?$")


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "style":
        return value if TABLE_ALIGN.match(value.strip()) else None
    return value


def _inline_image(tag: str, name: str, value: str) -> str | None:
    # a data: address only as an image's source (an image cannot run script), nowhere else
    if value[:5].lower() == "data:" and not (
        tag == "img" and name == "src" and value[:11].lower() == "data:image/"
    ):
        return None
    return _attribute(tag, name, value)


def clean_html(html: str, *, inline_images: bool = False) -> str:
    """`html` with only our Markdown's tags, harmless attributes and safe addresses
    (http, https, mailto, tel and site-relative links); with `inline_images`, images may be
    embedded as data:image/… addresses too (the slide decks are one file each)."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_inline_image if inline_images else _attribute,
        url_schemes=URL_SCHEMES | {"data"} if inline_images else URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


# Code blocks and tables scroll sideways on a 360 px phone. Material's script gives a scrolling
# code block a tabindex only where the screen has hover (never on a phone), and wraps tables in
# a scroller with none. A focusable <pre>, and a focusable box around each table that does the
# scrolling (kns.css), let a keyboard reach and scroll both. Not the <table> itself: on keyboard
# focus Material's script gives it a class, and its table styles are for `table:not([class])`.
CODE_BLOCK = re.compile(r"<pre(?=[\s>])(?![^>]*\stabindex=)")
TABLE = re.compile(r"<table[\s>].*?</table>", re.DOTALL)


def reachable_by_keyboard(html: str) -> str:
    """`html` with every code block and every table in a box that can take the focus."""
    html = CODE_BLOCK.sub('<pre tabindex="0"', html)
    return TABLE.sub(lambda table: f'<div class="kns-scroll" tabindex="0">{table[0]}</div>', html)


class _CleanPostprocessor(Postprocessor):  # type: ignore[misc]
    def run(self, text: str) -> str:
        # after cleaning: the allow-list keeps tabindex out of author text
        return reachable_by_keyboard(clean_html(text))


class CleanExtension(Extension):  # type: ignore[misc]
    """Clean what Markdown made before the templates' own raw HTML is put back."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # raw HTML comes back at priority 30; higher priorities run first
        md.postprocessors.register(_CleanPostprocessor(md), "kns_clean", 35)


def makeExtension(**kwargs: Any) -> CleanExtension:
    return CleanExtension(**kwargs)
