"""Render the validated project into the Markdown tree mkdocs builds: docs/{vi,en}/… + media.

Author text is Markdown, but never HTML: `<` and `&` are escaped before Markdown sees them,
so a `<script>` in a YAML file shows up as text on the page and never runs; `{` outside code
is escaped too, so author text cannot set attributes through attr_list (our templates can).
Titles go into the front matter as HTML text: the theme puts them, as they are, into `<title>`,
the header, the sidebar and the footer. What Markdown makes is then cleaned by `clean.py`.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from kynangso.catalog import Catalog, LessonEntry, TopicEntry, Words, write_catalog
from kynangso.site.strings import (
    LOCALIZED_PAGES,
    PROJECT_WORDS,
    browser_words,
    format_date,
    localized_pages,
    site_words,
)
from kynangso.sources.authortext import CODE_SPAN
from kynangso.sources.schema import Fallback, Quiz
from kynangso.sources.validate import Project

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"
ASSETS = Path(__file__).resolve().parent.parent / "assets"


# `&` that could start a character reference; a lone `&` ("Hỏi & đáp") is already HTML text.
REFERENCE_AMP = re.compile(r"&(?=[#A-Za-z0-9])")

# Hand-written pages for community teams and editors, not residents: out of the residents'
# menu and search (their words, "biên soạn", "lớp", would crowd out lessons), linked from the
# about page at their usual addresses.
STAFF_PAGES = ("teams", "editors")


def markdown_text(value: str) -> str:
    """Author text made safe for Markdown: HTML is shown, never interpreted, and `{` outside
    code spans cannot start an attribute list (`{: onclick=…}`)."""
    escaped = html.escape(value, quote=False)
    parts: list[str] = []
    last = 0
    for span in CODE_SPAN.finditer(escaped):
        parts.append(escaped[last : span.start()].replace("{", "&#123;"))
        parts.append(span.group(0))
        last = span.end()
    parts.append(escaped[last:].replace("{", "&#123;"))
    return "".join(parts)


# A text a third language has no translation of is shown in Vietnamese (`Text.get` gives a
# `Fallback`): the element says so with lang="vi" (a screen reader switches voice) and a small
# word from the page language's catalogue (`site.fallback`) says it to the eye. Texts in the
# page's own language come out exactly as before.
@jinja2.pass_context
def markdown_inline(context: jinja2.runtime.Context, value: str) -> str:
    """`markdown_text` for a text inside a line (a title, a list item)."""
    text = markdown_text(value)
    if not isinstance(value, Fallback):
        return text
    return f'<span lang="vi">{text}</span> <small>{context["t"]["fallback"]}</small>'


@jinja2.pass_context
def markdown_block(context: jinja2.runtime.Context, value: str) -> str:
    """`markdown_text` for a text of its own paragraphs (a step's body, a tip, a page)."""
    text = markdown_text(value)
    if not isinstance(value, Fallback):
        return text
    mark = context["t"]["fallback"]
    return f'<small>{mark}</small>\n\n<div lang="vi" markdown="1">\n\n{text}\n\n</div>'


def text_html(value: str) -> markupsafe.Markup:
    """A text for an HTML template (the quiz form), in a lang="vi" span where it fell back."""
    escaped = markupsafe.escape(value)
    if isinstance(value, Fallback):
        return markupsafe.Markup('<span lang="vi">') + escaped + markupsafe.Markup("</span>")
    return escaped


def html_title(value: str) -> str:
    """A title as HTML text, for the theme, which inserts page titles without escaping them."""
    return REFERENCE_AMP.sub("&amp;", value).replace("<", "&lt;").replace(">", "&gt;")


def yaml_string(value: str) -> str:
    """A front-matter value: JSON strings are valid YAML and need no further quoting."""
    return json.dumps(value, ensure_ascii=False)


def json_script(value: Any) -> markupsafe.Markup:
    """JSON for a <script type="application/json"> block: UTF-8 kept readable (half the bytes
    of \\u escapes), and <, >, & escaped so no text can close the script element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return markupsafe.Markup(text)


def _environment(own: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = markdown_inline
    env.filters["mdblock"] = markdown_block
    env.filters["tx"] = text_html
    env.filters["yamlstr"] = yaml_string
    env.filters["htmltitle"] = html_title
    env.filters["date"] = format_date
    env.filters["json_script"] = json_script
    env.globals["browser_words"] = functools.partial(browser_words, own=own)
    return env


def site_pages(project: Project) -> dict[str, str]:
    """Every page of the site as {path under docs/: Markdown text}; a pure function of the project."""
    own = project.root / PROJECT_WORDS
    env = _environment(own)
    pages: dict[str, str] = {}
    counts = {key: len(project.lessons_in(key)) for key in project.topics}
    # the course order (topics, then lessons in each): the home page's "start here" and "continue"
    order = [lesson for key in project.topics for lesson in project.lessons_in(key)]
    localized = localized_pages(project.languages, own)
    for lang in project.languages:
        t = site_words(lang, own)
        other = "en" if lang == "vi" else "vi"
        common = {"lang": lang, "t": t, "other": other, "localized": localized}
        pages[f"{lang}/index.md"] = env.get_template("home.md.j2").render(
            page=project.pages["home"],
            topics=project.topics,
            counts=counts,
            order=[(lesson.id, lesson.title.get(lang)) for lesson in order],
            media=media_prefix(lang, depth=0),
            slugs={name: names[lang] for name, names in localized.items()},
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
                assets=asset_prefix(lang, depth=2),
                quiz_data=quiz_data(project.quizzes[lesson_id], lang),
                **common,
            )
        for old_id, lesson_id in moved_lessons(project).items():
            # a renamed lesson's old address stays valid for bookmarks, printed QR codes and links
            pages[f"{lang}/lessons/{old_id}.md"] = env.get_template("redirect.md.j2").render(
                title=project.lessons[lesson_id].title.get(lang), target=lesson_id, **common
            )
        terms = sorted(project.glossary.terms, key=lambda term: _sort_key(term.term.get(lang)))
        pages[f"{lang}/glossary.md"] = env.get_template("glossary.md.j2").render(
            glossary=project.glossary, terms=terms, **common
        )
        staff = {key: project.pages[key].title.get(lang) for key in STAFF_PAGES}
        for name in ("about", *STAFF_PAGES):
            # the team guide links to the materials the build writes beside it, in site/teams/
            materials = ("" if lang == "vi" else "../../teams/") if name == "teams" else None
            pages[f"{lang}/{name}.md"] = env.get_template("page.md.j2").render(
                page=project.pages[name],
                materials=materials,
                staff=name in STAFF_PAGES,
                staff_links=staff if name == "about" else {},
                **common,
            )
        pages.update(_progress_pages(env, project, lang, common))
    return pages


def _progress_pages(
    env: jinja2.Environment, project: Project, lang: str, common: dict[str, Any]
) -> dict[str, str]:
    """ "My progress" and the passport in `lang`, plus redirects from the other language's slugs."""
    t = common["t"]
    localized: dict[str, dict[str, str]] = common["localized"]
    slugs = {name: names[lang] for name, names in localized.items()}
    shared = {
        "catalog": catalog(project, lang),
        "assets": asset_prefix(lang, depth=1),
        "progress_slug": slugs["progress"],
        "passport_slug": slugs["passport"],
        "first_lesson": next(
            lesson.id for key in project.topics for lesson in project.lessons_in(key)
        ),
        **common,
    }
    pages = {
        f"{lang}/{slugs['progress']}.md": env.get_template("progress.md.j2").render(**shared),
        f"{lang}/{slugs['passport']}.md": env.get_template("passport.md.j2").render(**shared),
        f"{lang}/{slugs['join']}.md": env.get_template("join.md.j2").render(**shared),
    }
    for name, names in localized.items():
        for other_lang, slug in names.items():
            if other_lang != lang and slug != names[lang]:
                pages[f"{lang}/{slug}.md"] = env.get_template("redirect.md.j2").render(
                    title=t[name], target=names[lang], **common
                )
    return pages


def moved_lessons(project: Project) -> dict[str, str]:
    """{old id: current id} for every lesson renamed with `formerly`."""
    return {old: lesson.id for lesson in project.lessons.values() for old in lesson.formerly}


def moved_lesson_files(project: Project) -> frozenset[str]:
    """Site-relative files of the redirect pages at renamed lessons' old addresses: the
    phones' offline pack leaves them out, as nothing on the site links to them."""
    return frozenset(
        f"{prefix}lessons/{old_id}/index.html"
        for old_id in moved_lessons(project)
        for prefix in ("", *(f"{lang}/" for lang in project.languages[1:]))
    )


def catalog(project: Project, lang: str) -> dict[str, Any]:
    """Every topic and lesson with its title in `lang`, for the pages that read the local store.
    URLs are relative to a page one folder below the language's home."""
    return {
        "lang": lang,
        "topics": [
            {
                "id": key,
                "title": topic.title.get(lang),
                "lessons": [
                    {
                        "id": lesson.id,
                        "title": lesson.title.get(lang),
                        "url": f"../lessons/{lesson.id}/",
                        "minutes": lesson.minutes,
                    }
                    for lesson in project.lessons_in(key)
                ],
            }
            for key, topic in project.topics.items()
        ],
    }


def site_catalog(project: Project) -> Catalog:
    """`catalog.json` at the site root: what class mode needs to check lesson ids and to name
    lessons, topics and questions on the coach dashboard and in exports."""
    return Catalog(
        topics={
            key: TopicEntry(title=Words(**topic.title.model_dump()))
            for key, topic in project.topics.items()
        },
        lessons={
            lesson.id: LessonEntry(
                topic=lesson.topic,
                title=Words(**lesson.title.model_dump()),
                questions=[
                    Words(**q.prompt.model_dump()) for q in project.quizzes[lesson.id].questions
                ],
                pass_mark=project.quizzes[lesson.id].pass_mark,
            )
            for key in project.topics
            for lesson in project.lessons_in(key)
        },
    )


# An explanation that opens with its own verdict ("Sai. …", "No. …") would follow the widget's
# plain "Bạn chọn “Đúng”: chưa đúng." with "Sai.", which reads as a contradiction on a
# true/false question; the widget says the verdict, the explanation keeps only its reason.
OPENING_VERDICT = re.compile(
    r"^\s*(?:đúng(?: vậy| rồi)?|sai|chưa đúng|không đúng|right|wrong|correct|incorrect|"
    r"true|false|yes|no)\s*[.!]\s*",
    re.IGNORECASE,
)


def without_verdict(explanation: str) -> str:
    """`explanation` without an opening "Đúng." / "Sai." / "Right." / "No."."""
    return OPENING_VERDICT.sub("", explanation, count=1) or explanation


def quiz_data(quiz: Quiz, lang: str) -> dict[str, Any]:
    """What the quiz widget needs beyond the form: right answers and explanations in `lang`."""
    return {
        "lesson": quiz.id,
        "lang": lang,
        "pass_mark": quiz.pass_mark,
        "questions": [
            {
                "kind": question.kind,
                "correct": [i for i, choice in enumerate(question.choices) if choice.correct],
                "explanations": [
                    without_verdict(choice.explanation.get(lang)) for choice in question.choices
                ],
            }
            for question in quiz.questions
        ],
    }


def media_prefix(lang: str, depth: int) -> str:
    """Relative URL of the one shared media folder at the site root, from a page `depth`
    folders down; English pages sit one folder deeper, under /en/."""
    return _root_prefix(lang, depth) + "media/"


def asset_prefix(lang: str, depth: int) -> str:
    """Relative URL of the site's own scripts and styles (shared by both languages)."""
    return _root_prefix(lang, depth) + "assets/"


def _root_prefix(lang: str, depth: int) -> str:
    return "../" * (depth + (0 if lang == "vi" else 1))


def navigation(project: Project) -> list[str]:
    """The sidebar: home, progress, one entry per topic and the residents' hand-written pages;
    never every lesson, so a page's size does not grow with the number of lessons, and never the
    pages for teams and editors (the about page links to them). The progress entry uses the
    Vietnamese slug; in English that page redirects to /en/progress/."""
    return (
        ["index.md", f"{LOCALIZED_PAGES['progress']['vi']}.md"]
        + [f"topics/{key}.md" for key in project.topics]
        + ["glossary.md", "about.md"]
    )


def write_docs(project: Project, docs_dir: Path) -> None:
    """Write the Markdown tree, the media and the site's own CSS/JS into `docs_dir`."""
    for relative, text in site_pages(project).items():
        target = docs_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    write_catalog(site_catalog(project), docs_dir)
    shutil.copytree(project.media_dir, docs_dir / "media", dirs_exist_ok=True)
    shutil.copytree(ASSETS, docs_dir / "assets", dirs_exist_ok=True)


def _sort_key(text: str) -> str:
    from kynangso.site.post.search import fold

    return fold(text).lower()
