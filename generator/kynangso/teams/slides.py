"""Slide decks from the lesson-plan notebooks, with nbconvert.

nbconvert's own slides template loads reveal.js, require.js and MathJax from CDNs; ours
(`templates/teams/nbconvert/kns_slides`) keeps reveal's section structure and inlines a small
stylesheet and script instead, and images are embedded as data: URIs, so one HTML file is the
whole deck and works with no internet.
"""

from __future__ import annotations

import base64
from copy import deepcopy as copy_notebook
from html import escape
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from kynangso.qr import qr_svg
from kynangso.site.clean import clean_html
from kynangso.teams.cache import TEMPLATES
from kynangso.teams.strings import TEAMS_UI

NBCONVERT_TEMPLATES = TEMPLATES / "nbconvert"


class SlideMaker:
    """One configured exporter, reused for every deck (creating one costs ~0.3 s)."""

    def __init__(self) -> None:
        from nbconvert.exporters import SlidesExporter

        self.exporter = SlidesExporter(  # type: ignore[no-untyped-call]
            template_name="kns_slides",
            extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
            embed_images=True,
            exclude_anchor_links=True,
            sanitize_html=True,
        )
        # nbconvert's own cleaner (bleach) would drop the embedded images; ours keeps them
        # and removes anything in an author's Markdown that could run on a facilitator's laptop
        self.exporter.register_filter("clean_html", _clean_cell)  # type: ignore[no-untyped-call]
        self.css = (TEMPLATES / "slides.css").read_text(encoding="utf-8")
        self.js = (TEMPLATES / "slides.js").read_text(encoding="utf-8")

    def deck(self, notebook: NotebookNode, name: str, media_dir: Path) -> str:
        """The deck's HTML; `media_dir` is the folder the notebook's `media/…` paths start from."""
        meta = notebook.metadata.get("kynangso", {})
        lang = str(meta.get("lang", "vi"))
        if meta.get("page"):
            notebook = _with_quiz_qr(notebook, str(meta["page"]), TEAMS_UI[lang]["handout.scan"])
        resources: dict[str, Any] = {
            "metadata": {"name": name, "path": str(media_dir)},
            "kns": {"css": self.css, "js": self.js, "help": TEAMS_UI[lang]["slides.help"]},
        }
        body, _ = self.exporter.from_notebook_node(notebook, resources=resources)
        return str(body)


def _with_quiz_qr(notebook: NotebookNode, page: str, caption: str) -> NotebookNode:
    """A copy of the notebook whose quiz slide shows the QR code of the lesson's page, where
    residents take the quiz (only on the slides: the handbook has the address as a link)."""
    copy = copy_notebook(notebook)
    svg = str(qr_svg(page)).encode("utf-8")
    image = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    for cell in copy.cells:
        if cell.get("id") == "quiz":
            cell.source = (
                f'<div class="kns-qr"><img src="{image}" alt="QR: {escape(page)}">'
                f"<br>{escape(caption)}</div>\n\n" + cell.source
            )
    return copy


def _clean_cell(html: str) -> str:
    return clean_html(str(html), inline_images=True)
