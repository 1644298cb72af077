"""`build_teams`: every team material of a project, as one linear function of named stages."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from kynangso.sources.schema import LANGUAGES
from kynangso.sources.validate import Project
from kynangso.stopwatch import Stopwatch
from kynangso.teams import handbook
from kynangso.teams.cache import Cache
from kynangso.teams.kit import attendance_html, quiz_html
from kynangso.teams.outputs import (
    PrintRun,
    make_slides,
    printable_plan,
    write_materials_pages,
    write_notebooks,
)
from kynangso.teams.plan import lesson_plan
from kynangso.teams.posters import posters_html
from kynangso.teams.printing import handout_job
from kynangso.teams.siteurl import resolve_site_url

OUTPUTS = ("notebooks", "handbook", "slides", "print")


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
    clock = Stopwatch()
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
        summary["seconds"]["notebooks"] = round(clock.lap(), 2)

        media = {name for notebook in notebooks.values() for name in notebook.media}
        texts = {name: notebook.text for name, notebook in notebooks.items()}
        book = handbook.start(handbook.book_sources(project, texts, media), cache_dir / "handbook")
        try:
            with PrintRun(cache, out_dir / "print", advance["handouts + posters"]) as prints:
                for plan in plans:
                    prints.add_job(
                        f"{plan.lesson_id}.{plan.lang}.pdf",
                        "handout",
                        handout_job(plan, site, project.media_dir),
                    )
                    name = f"{plan.lesson_id}.{plan.lang}"
                    prints.add(f"{name}.quiz.pdf", "quiz", quiz_html(plan))
                    prints.add(f"{name}.attendance.pdf", "attendance", attendance_html(plan))
                    page = printable_plan(notebooks[name].page, project.media_dir)
                    prints.add(f"{name}.plan.pdf", "plan", page)
                for lang in LANGUAGES:
                    prints.add(f"posters.{lang}.pdf", "posters", posters_html(project, lang, site))
                # Chromium prints and Sphinx builds while the slides are made here.
                made = make_slides(project, notebooks, cache, out_dir / "slides", advance["slides"])
                summary["made"]["slides"], summary["reused"]["slides"] = made, len(notebooks) - made
                summary["seconds"]["slides"] = round(clock.lap(), 2)
                prints.wait()
            summary["made"]["pdfs"], summary["reused"]["pdfs"] = prints.made, prints.reused
            summary["seconds"]["pdfs (waiting for Chromium)"] = round(clock.lap(), 2)
            handbook.finish(book, out_dir / "handbook")
            advance["handbook"]()
        except BaseException:
            handbook.stop(book)
            raise
        summary["reused" if book.cached else "made"]["handbook"] = 1
        summary["seconds"]["handbook (waiting for jupyter-book)"] = round(clock.lap(), 2)

    write_materials_pages(project, out_dir)
    cache.prune(("slides", "print"))
    summary["seconds"]["total"] = round(clock.total(), 2)
    return summary


@contextmanager
def _progress(show: bool, lessons: int) -> Iterator[dict[str, Callable[[], None]]]:
    """A rich progress display on standard error (nothing at all when `show` is false);
    yields one `advance()` per kind of material. Safe to call from the printing thread."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    totals = {
        "lesson plans": lessons,
        "slides": lessons,
        "handouts + posters": 4 * lessons + len(LANGUAGES),
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
