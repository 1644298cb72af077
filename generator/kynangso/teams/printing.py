"""Printable handouts: HTML made here, printed to PDF by Debian's Chromium through Playwright.

One browser prints every PDF of a build (~0.2 s a page instead of ~1.7 s for a fresh
`chromium --print-to-pdf` each time). It runs in a worker thread of its own: Playwright's sync
API refuses to start in a thread where an asyncio loop is already running (a test session with
pytest-playwright, a server), and the main thread can make slides meanwhile.
Every request leaving the page is refused, so a PDF can never depend on the network.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

import jinja2
import markupsafe
from markdown_it import MarkdownIt
from pypdf import PdfReader

from kynangso.errors import BuildError
from kynangso.qr import address_text, qr_svg
from kynangso.site.clean import clean_html
from kynangso.teams.cache import TEMPLATES
from kynangso.teams.citations import Citations
from kynangso.teams.plan import LessonPlan

CHROMIUM = "/usr/bin/chromium"
MAX_HANDOUT_PAGES = 2
# Tried in turn until a handout fits on MAX_HANDOUT_PAGES: large type first.
SCALES = (1.0, 0.92, 0.85, 0.78, 0.72)
# Chromium stamps the time of printing into every PDF; a fixed date keeps builds reproducible
# (same length, so the cross-reference offsets stay right).
PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[^)]*\)")
FIXED_DATE = b"20000101000000"


def chromium_path() -> str:
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None:
        raise BuildError(
            "Chromium is needed to print the handouts: install Debian's 'chromium' and 'fonts-noto-core' "
            "(make system-deps), or build with --no-teams"
        )
    return found


def page_count(pdf: bytes) -> int:
    """The pages in the PDF's page tree (pypdf), not whatever in its bytes looks like one."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def stable_pdf(pdf: bytes) -> bytes:
    """The PDF with Chromium's print time replaced by a fixed date of the same length."""

    def fixed(match: re.Match[bytes]) -> bytes:
        stamp = match.group(0)
        start = stamp.index(b"(D:") + 3
        return stamp[:start] + FIXED_DATE + stamp[start + 14 :]

    return PDF_DATE.sub(fixed, pdf)


@dataclass(frozen=True)
class PrintJob:
    """One HTML document to print. With `max_pages`, the printer tries the `denser` layouts of
    the same document in turn, then (when `shrink`) smaller scales, until one fits; a document
    that never fits is printed in its last try."""

    html: str
    max_pages: int | None = None
    denser: tuple[str, ...] = ()
    shrink: bool = True


class Printer:
    """Chromium in a worker thread; `submit` returns a future of the PDF bytes."""

    def __init__(self) -> None:
        self.executable = chromium_path()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kns-print")
        self._state: dict[str, Any] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, job: PrintJob, done: Callable[[], None] | None = None) -> Future[bytes]:
        def run() -> bytes:
            pdf = self._print(job)
            if done is not None:
                done()
            return pdf

        return self.pool.submit(run)

    def _page(self) -> Any:
        if "page" not in self._state:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(
                executable_path=self.executable,
                args=[
                    "--no-sandbox",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--font-render-hinting=none",
                ],
            )
            context = browser.new_context(offline=True)
            context.route("**/*", lambda route: route.abort())
            self._state.update(playwright=playwright, browser=browser, page=context.new_page())
        return self._state["page"]

    def _print(self, job: PrintJob) -> bytes:
        page = self._page()
        pdf = b""
        layouts = (job.html, *job.denser)
        for number, html in enumerate(layouts, start=1):
            page.set_content(html, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            last = number == len(layouts)
            for scale in SCALES if job.shrink and last else SCALES[:1]:
                pdf = page.pdf(
                    format="A4", print_background=True, prefer_css_page_size=True, scale=scale
                )
                if job.max_pages is None or page_count(pdf) <= job.max_pages:
                    return stable_pdf(pdf)
        return stable_pdf(pdf)

    def close(self) -> None:
        def stop() -> None:
            if "browser" in self._state:
                self._state["browser"].close()
                self._state["playwright"].stop()
            self._state.clear()

        self.pool.submit(stop).result()
        self.pool.shutdown()


def print_all(jobs: Iterable[PrintJob]) -> list[bytes]:
    """Print several documents with one browser (for callers that need no progress)."""
    with Printer() as printer:
        futures = [printer.submit(job) for job in jobs]
        return [future.result() for future in futures]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates of handouts, posters and the materials pages (parsed once)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["markdown"] = author_markdown
    env.filters["qr"] = qr_svg
    env.filters["address"] = address_text
    env.globals["print_css"] = markupsafe.Markup(
        (TEMPLATES / "print.css").read_text(encoding="utf-8")
    )
    return env


# tables as on the site (a step may hold one); the rest is plain CommonMark
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def author_markdown(text: str) -> markupsafe.Markup:
    """An author's Markdown as HTML; HTML in the source is shown as text, never run, and what
    Markdown makes is cleaned like the site's."""
    return markupsafe.Markup(clean_html(MARKDOWN.render(text)))


@dataclass(frozen=True)
class HandoutStep:
    """A step as the handout prints it: citations moved to the footnote, its picture inline."""

    title: str
    body: str
    tip: str | None
    picture: str | None
    alt: str | None


# How many denser layouts a handout may take to fit on its two pages; the type never shrinks
# (body 14 pt, tips 12 pt): spacing, margins and pictures do.
HANDOUT_DENSITIES = 4
MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
}


def picture_uri(media_dir: Path | None, name: str | None) -> str | None:
    """A media file as a data: address (the printer refuses every request leaving the page)."""
    if media_dir is None or name is None:
        return None
    kind = MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
    return f"data:{kind};base64,{base64.b64encode((media_dir / name).read_bytes()).decode()}"


def handout_html(
    plan: LessonPlan, site_url: str | None, media_dir: Path | None = None, density: int = 0
) -> str:
    """The one- or two-page handout of a lesson: the steps with their pictures beside them and
    the safety rules, large type, legal citations in a footnote line. Without `site_url` the QR
    code's place is a box for the class's address; without `media_dir`, no pictures. A higher
    `density` (up to HANDOUT_DENSITIES - 1) packs the same text in the same type more tightly."""
    lesson_url = plan.page_url(site_url) if site_url else None
    citations = Citations(plan.lang)
    summary = citations.move(plan.summary)
    bring = [citations.move(item) for item in plan.bring]
    steps = [
        HandoutStep(
            title=citations.move(step.title),
            body=citations.move(step.body),
            tip=citations.move(step.tip) if step.tip else None,
            picture=picture_uri(media_dir, step.image),
            alt=step.alt,
        )
        for step in plan.steps
    ]
    safety = [citations.move(rule) for rule in plan.safety]
    return (
        environment()
        .get_template("handout.html.j2")
        .render(
            plan=plan,
            t=plan.t,
            lesson_url=lesson_url,
            summary=summary,
            bring=bring,
            steps=steps,
            safety=safety,
            footnote=citations.line(),
            density=min(max(density, 0), HANDOUT_DENSITIES - 1),
        )
    )


def handout_job(plan: LessonPlan, site_url: str | None, media_dir: Path | None) -> PrintJob:
    """The handout as a print job: its layouts from roomiest to densest, the first that fits."""
    first, *denser = (
        handout_html(plan, site_url, media_dir, density) for density in range(HANDOUT_DENSITIES)
    )
    return PrintJob(first, MAX_HANDOUT_PAGES, denser=tuple(denser), shrink=False)
