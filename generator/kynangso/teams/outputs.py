"""Writing each kind of team material into its folder: the lesson-plan notebooks, the slide
decks (from the cache when unchanged), the PDFs (printed by one Chromium while the caller goes
on) and the materials list pages.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from nbformat import NotebookNode

from kynangso.sources.schema import LANGUAGES
from kynangso.sources.validate import Project
from kynangso.teams.cache import TEMPLATES, Cache, content_key
from kynangso.teams.notebooks import lesson_notebook, notebook_media, notebook_text
from kynangso.teams.plan import LessonPlan
from kynangso.teams.printing import Printer, PrintJob, environment, picture_uri
from kynangso.teams.strings import TEAMS_UI


@dataclass(frozen=True)
class Notebook:
    """A lesson plan as a notebook, its .ipynb text, the media files it shows and the plan as
    a web page (`page`, its pictures at `media/<file>`)."""

    node: NotebookNode
    text: str
    media: tuple[str, ...]
    page: str = ""


def write_notebooks(
    project: Project, plans: list[LessonPlan], folder: Path, advance: Callable[[], None]
) -> dict[str, Notebook]:
    """`<id>.<lang>.ipynb` for every plan, the same plan as `<id>.<lang>.html` beside it (to read
    or print without Jupyter), and the media they show under `media/`."""
    (folder / "media").mkdir(parents=True)
    notebooks: dict[str, Notebook] = {}
    to_html = plan_page_maker()
    for plan in plans:
        name = f"{plan.lesson_id}.{plan.lang}"
        node = lesson_notebook(plan)
        page = to_html(node)
        notebooks[name] = Notebook(node, notebook_text(node), tuple(notebook_media(node)), page)
        (folder / f"{name}.ipynb").write_text(notebooks[name].text, encoding="utf-8")
        (folder / f"{name}.html").write_text(page, encoding="utf-8")
        advance()
    for file in sorted({m for notebook in notebooks.values() for m in notebook.media}):
        shutil.copy2(project.media_dir / file, folder / "media" / file)
    return notebooks


def plan_page_maker() -> Callable[[NotebookNode], str]:
    """nbconvert's HTML of a lesson-plan notebook with our template (`nbconvert/kns_plan`): the
    style inlined, no script or font from a CDN; its pictures stay `media/<file>` beside it."""
    from nbconvert.exporters import HTMLExporter

    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name="kns_plan",
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    css = (TEMPLATES / "plan.css").read_text(encoding="utf-8")

    def page(node: NotebookNode) -> str:
        body, _ = exporter.from_notebook_node(
            node, resources={"metadata": {"name": "plan"}, "kns": {"css": css}}
        )
        return str(body)

    return page


# A picture of the plan page: `media/<file>` beside the page (nbconvert writes src="…" quoted).
PAGE_PICTURE = re.compile(r'(<img\b[^>]*?\bsrc=")media/([^"/]+)(")')


def printable_plan(page: str, media_dir: Path) -> str:
    """The plan page with its pictures inlined as data: addresses, for Chromium to print: the
    printer refuses every request leaving the page, a file beside it included."""
    return PAGE_PICTURE.sub(
        lambda m: f"{m.group(1)}{picture_uri(media_dir, m.group(2))}{m.group(3)}", page
    )


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
        self.add_job(file, kind, PrintJob(html, max_pages))

    def add_job(self, file: str, kind: str, job: PrintJob) -> None:
        key = content_key(kind, job.html, *job.denser, str(job.max_pages), str(job.shrink))
        cached = self.cache.get("print", key, ".pdf")
        if cached is not None:
            (self.folder / file).write_bytes(cached)
            self.reused += 1
            self.advance()
            return
        self.printer = self.printer or Printer()
        self.pending[file] = (
            key,
            self.printer.submit(job, done=self.advance),
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


def write_materials_pages(project: Project, out_dir: Path) -> None:
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
