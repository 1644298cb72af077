"""Materials for community teams, made from the same sources as the site, into `site/teams/`:

    notebooks/<id>.<lang>.ipynb   lesson plans (facilitator edition, with answers), + media/
    handbook/                     every lesson plan as a jupyter-book HTML book
    slides/<id>.<lang>.html       a self-contained slide deck per lesson
    print/<id>.<lang>.pdf         a one- or two-page A4 handout per lesson
    print/posters.<lang>.pdf      A4 QR posters for the Wi-Fi points, one page per topic
    materials.<lang>.html         the list of all of the above, per language

`build_teams` is one linear function of named stages. The slow outputs (slides, PDFs, the
handbook) are kept in `cache_dir` under the hash of what they are made from, so an unchanged
lesson is never rebuilt. The handbook builds in its own process while the PDFs print in
Chromium and the slides are made here: the three overlap on a 2-core machine.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from nbformat import NotebookNode

from kynangso.errors import BuildError
from kynangso.sources.schema import LANGUAGES
from kynangso.sources.validate import Project
from kynangso.teams import handbook
from kynangso.teams.cache import Cache, content_key
from kynangso.teams.notebooks import lesson_notebook, notebook_media, notebook_text
from kynangso.teams.plan import LessonPlan, lesson_plan
from kynangso.teams.posters import posters_html
from kynangso.teams.printing import MAX_HANDOUT_PAGES, Printer, PrintJob, environment, handout_html
from kynangso.teams.strings import TEAMS_UI

__all__ = ["OUTPUTS", "build_teams", "resolve_site_url", "site_url_problem"]

OUTPUTS = ("notebooks", "handbook", "slides", "print")
SITE_URL_LINE = re.compile(r"^site_url:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


def build_teams(
    project: Project,
    out_dir: Path,
    cache_dir: Path,
    site_url: str | None = None,
    show_progress: bool = True,
) -> dict[str, Any]:
    """Write every team material into `out_dir` (the site's `teams/` folder); return counts
    of what was made and reused, and seconds per stage. Files already in `out_dir` that are
    not ours (the team guide's index.html) are left alone."""
    started = time.perf_counter()
    clock = _Stopwatch()
    site = resolve_site_url(project, site_url)
    cache = Cache(cache_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        shutil.rmtree(out_dir / name, ignore_errors=True)
    plans = [
        lesson_plan(lesson, project.quizzes[lesson.id], project.topics[lesson.topic], lang, site)
        for lang in LANGUAGES
        for key in project.topics
        for lesson in project.lessons_in(key)
    ]
    summary: dict[str, Any] = {"site_url": site, "made": {}, "reused": {}, "seconds": {}}

    with _progress(show_progress, len(plans)) as advance:
        notebooks = write_notebooks(project, plans, out_dir / "notebooks", advance["lesson plans"])
        summary["made"]["notebooks"] = len(notebooks)
        summary["seconds"]["notebooks"] = clock.lap()

        media = {name for notebook in notebooks.values() for name in notebook.media}
        texts = {name: notebook.text for name, notebook in notebooks.items()}
        book = handbook.start(handbook.book_sources(project, texts, media), cache_dir / "handbook")
        try:
            with PrintRun(cache, out_dir / "print", advance["handouts + posters"]) as prints:
                for plan in plans:
                    prints.add(
                        f"{plan.lesson_id}.{plan.lang}.pdf",
                        "handout",
                        handout_html(plan, site),
                        MAX_HANDOUT_PAGES,
                    )
                for lang in LANGUAGES:
                    prints.add(f"posters.{lang}.pdf", "posters", posters_html(project, lang, site))
                # Chromium prints and Sphinx builds while the slides are made here.
                made = make_slides(project, notebooks, cache, out_dir / "slides", advance["slides"])
                summary["made"]["slides"], summary["reused"]["slides"] = made, len(notebooks) - made
                summary["seconds"]["slides"] = clock.lap()
                prints.wait()
            summary["made"]["pdfs"], summary["reused"]["pdfs"] = prints.made, prints.reused
            summary["seconds"]["pdfs (waiting for Chromium)"] = clock.lap()
            handbook.finish(book, out_dir / "handbook")
            advance["handbook"]()
        except BaseException:
            handbook.stop(book)
            raise
        summary["reused" if book.cached else "made"]["handbook"] = 1
        summary["seconds"]["handbook (waiting for jupyter-book)"] = clock.lap()

    _write_materials_pages(project, out_dir)
    cache.prune(("slides", "print"))
    summary["seconds"]["total"] = round(time.perf_counter() - started, 2)
    return summary


@dataclass(frozen=True)
class Notebook:
    """A lesson plan as a notebook, its .ipynb text and the media files it shows."""

    node: NotebookNode
    text: str
    media: tuple[str, ...]


def write_notebooks(
    project: Project, plans: list[LessonPlan], folder: Path, advance: Callable[[], None]
) -> dict[str, Notebook]:
    """`<id>.<lang>.ipynb` for every plan, and the media they show under `media/`."""
    (folder / "media").mkdir(parents=True)
    notebooks: dict[str, Notebook] = {}
    for plan in plans:
        name = f"{plan.lesson_id}.{plan.lang}"
        node = lesson_notebook(plan)
        notebooks[name] = Notebook(node, notebook_text(node), tuple(notebook_media(node)))
        (folder / f"{name}.ipynb").write_text(notebooks[name].text, encoding="utf-8")
        advance()
    for file in sorted({m for notebook in notebooks.values() for m in notebook.media}):
        shutil.copy2(project.media_dir / file, folder / "media" / file)
    return notebooks


def make_slides(
    project: Project,
    notebooks: dict[str, Notebook],
    cache: Cache,
    folder: Path,
    advance: Callable[[], None],
) -> int:
    """A deck per notebook, from the cache when its notebook and images are unchanged; returns
    how many were made."""
    folder.mkdir()
    maker = None
    made = 0
    for name, notebook in notebooks.items():
        images = [project.media_dir.joinpath(m).read_bytes() for m in notebook.media]
        key = content_key("slides", notebook.text, *images)
        deck = cache.get("slides", key, ".html")
        if deck is None:
            from kynangso.teams.slides import SlideMaker

            maker = maker or SlideMaker()
            deck = maker.deck(notebook.node, name, project.media_dir.parent).encode("utf-8")
            cache.put("slides", key, ".html", deck)
            made += 1
        (folder / f"{name}.html").write_bytes(deck)
        advance()
    return made


class PrintRun:
    """PDFs into `folder`: from the cache when their HTML is unchanged, else printed by one
    Chromium (started only when something is missing) while the caller goes on."""

    def __init__(self, cache: Cache, folder: Path, advance: Callable[[], None]) -> None:
        self.cache, self.folder, self.advance = cache, folder, advance
        self.printer: Printer | None = None
        self.pending: dict[str, tuple[str, Future[bytes]]] = {}
        self.made = self.reused = 0
        folder.mkdir()

    def __enter__(self) -> Self:
        return self

    def add(self, file: str, kind: str, html: str, max_pages: int | None = None) -> None:
        key = content_key(kind, html)
        cached = self.cache.get("print", key, ".pdf")
        if cached is not None:
            (self.folder / file).write_bytes(cached)
            self.reused += 1
            self.advance()
            return
        self.printer = self.printer or Printer()
        self.pending[file] = (
            key,
            self.printer.submit(PrintJob(html, max_pages), done=self.advance),
        )

    def wait(self) -> None:
        for file, (key, future) in self.pending.items():
            pdf = future.result()
            self.cache.put("print", key, ".pdf", pdf)
            (self.folder / file).write_bytes(pdf)
            self.made += 1

    def __exit__(self, *exc: object) -> None:
        if self.printer is not None:
            self.printer.close()


def resolve_site_url(project: Project, site_url: str | None) -> str | None:
    """The site's address for QR codes, always ending in '/': the argument, else mkdocs.yml's
    `site_url`, else None (the materials then carry a box for the class's address). An address
    no phone could open (`.local`, `localhost`, loopback) is a BuildError, never a printed code."""
    where = "--site-url"
    if not site_url:
        config = project.root / "mkdocs.yml"
        text = config.read_text(encoding="utf-8") if config.is_file() else ""
        match = SITE_URL_LINE.search(text)
        if match is None:
            return None
        site_url = match.group(1)
        where = f"mkdocs.yml:{text.count(chr(10), 0, match.start()) + 1}: site_url"
    problem = site_url_problem(site_url)
    if problem is not None:
        raise BuildError(
            f"{where}: {site_url!r} {problem}; give the address phones open"
            " (e.g. http://192.168.1.10:8000/ or https://kynangso.example.vn/), or none at all"
            " to print a box for the class address"
        )
    return site_url if site_url.endswith("/") else site_url + "/"


# Names phones cannot look up: many Android phones resolve no mDNS (`.local`) name at all.
UNREACHABLE_SUFFIXES = (".local", ".localhost", ".local.", ".localhost.")


def site_url_problem(url: str) -> str | None:
    """Why a QR code to `url` would lead a phone nowhere, or None when it can be printed."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "is not an http:// or https:// address"
    host = parsed.hostname.lower()
    if host in ("localhost", "localhost.") or host.endswith(UNREACHABLE_SUFFIXES):
        return "is a name only this computer (or no Android phone) can look up"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if ip.is_loopback or ip.is_unspecified or ip.is_link_local:
        return "is an address of this computer alone, which no phone can open"
    return None


def _write_materials_pages(project: Project, out_dir: Path) -> None:
    env = environment()
    for lang in LANGUAGES:
        topics = [
            {
                "title": topic.title.get(lang),
                "lessons": [
                    {"id": lesson.id, "title": lesson.title.get(lang)}
                    for lesson in project.lessons_in(key)
                ],
            }
            for key, topic in project.topics.items()
            if project.lessons_in(key)
        ]
        other = next(code for code in LANGUAGES if code != lang)
        html = env.get_template("materials.html.j2").render(
            lang=lang, other=other, t=TEAMS_UI[lang], topics=topics
        )
        (out_dir / f"materials.{lang}.html").write_text(html, encoding="utf-8")


class _Stopwatch:
    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self) -> float:
        now = time.perf_counter()
        seconds, self.last = round(now - self.last, 2), now
        return seconds


@contextmanager
def _progress(show: bool, lessons: int) -> Iterator[dict[str, Callable[[], None]]]:
    """A rich progress display on standard error (nothing at all when `show` is false);
    yields one `advance()` per kind of material. Safe to call from the printing thread."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    totals = {
        "lesson plans": lessons,
        "slides": lessons,
        "handouts + posters": lessons + len(LANGUAGES),
        "handbook": 1,
    }
    with Progress(
        TextColumn("[bold]teams[/bold] {task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not show,
    ) as progress:
        tasks = {name: progress.add_task(name, total=total) for name, total in totals.items()}
        yield {name: partial(progress.advance, task) for name, task in tasks.items()}
