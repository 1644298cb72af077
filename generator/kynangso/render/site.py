"""Render the validated project into the Markdown tree mkdocs builds: docs/{vi,en}/… + media.

Author text is Markdown, but never HTML: `<` and `&` are escaped before Markdown sees them,
so a `<script>` in a YAML file shows up as text on the page and never runs.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import jinja2

from ..schema import LANGUAGES
from ..validate import Project
from .strings import UI, format_date

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def markdown_text(value: str) -> str:
    """Author text made safe for Markdown: HTML is shown, never interpreted."""
    return html.escape(value, quote=False)


def yaml_string(value: str) -> str:
    """A front-matter value: JSON strings are valid YAML and need no further quoting."""
    return json.dumps(value, ensure_ascii=False)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = markdown_text
    env.filters["yamlstr"] = yaml_string
    env.filters["date"] = format_date
    return env


def site_pages(project: Project) -> dict[str, str]:
    """Every page of the site as {path under docs/: Markdown text}; a pure function of the project."""
    env = _environment()
    pages: dict[str, str] = {}
    counts = {key: len(project.lessons_in(key)) for key in project.topics}
    for lang in LANGUAGES:
        t = UI[lang]
        other = "en" if lang == "vi" else "vi"
        common = {"lang": lang, "t": t, "other": other}
        pages[f"{lang}/index.md"] = env.get_template("home.md.j2").render(
            page=project.pages["home"],
            topics=project.topics,
            counts=counts,
            media=media_prefix(lang, depth=0),
            **common,
        )
        for key, topic in project.topics.items():
            pages[f"{lang}/topics/{key}.md"] = env.get_template("topic.md.j2").render(
                topic=topic, lessons=project.lessons_in(key), **common
            )
        for lesson_id, lesson in project.lessons.items():
            pages[f"{lang}/lessons/{lesson_id}.md"] = env.get_template("lesson.md.j2").render(
                lesson=lesson,
                quiz=project.quizzes[lesson_id],
                topic=project.topics[lesson.topic],
                media=media_prefix(lang, depth=2),
                **common,
            )
        terms = sorted(project.glossary.terms, key=lambda term: _sort_key(term.term.get(lang)))
        pages[f"{lang}/glossary.md"] = env.get_template("glossary.md.j2").render(
            glossary=project.glossary, terms=terms, **common
        )
        for name in ("about", "teams"):
            pages[f"{lang}/{name}.md"] = env.get_template("page.md.j2").render(
                page=project.pages[name], **common
            )
    return pages


def media_prefix(lang: str, depth: int) -> str:
    """Relative URL of the one shared media folder at the site root, from a page `depth`
    folders down; English pages sit one folder deeper, under /en/."""
    return "../" * (depth + (0 if lang == "vi" else 1)) + "media/"


def navigation(project: Project) -> list[str]:
    """The sidebar: home, one entry per topic and the hand-written pages; never every lesson,
    so a page's size does not grow with the number of lessons."""
    return (
        ["index.md"]
        + [f"topics/{key}.md" for key in project.topics]
        + ["glossary.md", "teams.md", "about.md"]
    )


def write_docs(project: Project, docs_dir: Path) -> None:
    """Write the Markdown tree, the media and the site's own CSS/JS into `docs_dir`."""
    for relative, text in site_pages(project).items():
        target = docs_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    shutil.copytree(project.media_dir, docs_dir / "media", dirs_exist_ok=True)
    shutil.copytree(ASSETS, docs_dir / "assets", dirs_exist_ok=True)


def _sort_key(text: str) -> str:
    from ..search import fold

    return fold(text).lower()
