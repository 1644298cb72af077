"""Links in author text: internal links must reach a page or file of the site, in the language
of the text; external links are listed for a person to check (the build never goes on the
network).

A text is judged from the page it appears on, in its own language: the English text of a
lesson is on `/en/lessons/<id>/`, so `../other-id/` and `/en/lessons/other-id/` reach the
English lesson there, while `/lessons/other-id/` would send an English reader to the
Vietnamese page and is refused with the form to write instead. Link targets are found by the
one pattern of `authortext.link_targets`, in the texts found by `authortext.strings`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kynangso.errors import Problem
from kynangso.sources.authortext import CODE_SPAN, link_targets, strings
from kynangso.sources.loading import Document, PathKey, field_path
from kynangso.sources.schema import LANGUAGE_NAMES, LOCALIZED_SLUGS

EXTERNAL = re.compile(r"^(https?:|mailto:|tel:)", re.IGNORECASE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# Where each language's pages start; media/ is one folder at the site root for both.
LANGUAGE_ROOTS = {"vi": "/", "en": "/en/"}


@dataclass(frozen=True)
class Link:
    """One link target in one file, at a line."""

    file: str
    line: int
    field: str
    url: str


def site_paths(lesson_ids: Iterable[str], topics: Iterable[str]) -> set[str]:
    """Every page path of one language of the site, as '/lessons/x/' (Vietnamese addresses)."""
    paths = {"/", "/glossary/", "/about/", "/teams/", "/editors/"}
    paths |= {f"/topics/{topic}/" for topic in topics}
    paths |= {f"/lessons/{lesson_id}/" for lesson_id in lesson_ids}
    paths |= {f"/{slug}/" for slug in LOCALIZED_SLUGS}
    return paths


def page_of(file: str) -> str:
    """The Vietnamese page a source file's text appears on (a quiz is on its lesson's page)."""
    for folder in ("lessons/", "quizzes/"):
        if file.startswith(folder):
            return f"/lessons/{file.removeprefix(folder).removesuffix('.yaml')}/"
    if file.startswith("content/pages/"):
        name = file.removeprefix("content/pages/").removesuffix(".yaml")
        return "/" if name == "home" else f"/{name}/"
    if file == "content/glossary.yaml":
        return "/glossary/"
    return "/"


def language_of(path: PathKey) -> str | None:
    """'vi' or 'en' for a text inside a bilingual field; None for any other value."""
    last = path[-1] if path else None
    return last if isinstance(last, str) and last in LANGUAGE_ROOTS else None


def links_in(doc: Document) -> list[tuple[PathKey, str]]:
    """Every link target in a document's texts, with the path of the text holding it; a link
    written inside a code span is an example shown as text, not a link."""
    return [
        (path, target)
        for path, text in strings(doc.data)
        for target in link_targets(CODE_SPAN.sub("", text) if "`" in text else text)
    ]


def resolve(target: str, page: str, lang: str) -> str:
    """The site path a link leads to from `page` (Vietnamese address) in `lang`, as '/x/y/'
    for a page or '/media/x.svg' for a file."""
    target = re.split(r"[#?]", target, maxsplit=1)[0]
    base = LANGUAGE_ROOTS[lang] + page.lstrip("/")
    resolved = posixpath.normpath(posixpath.join(base, target))
    if resolved.endswith("/index.html"):
        resolved = resolved.removesuffix("index.html")
    if resolved.startswith("/media/"):
        return resolved
    return resolved.rstrip("/") + "/"


def link_problem(target: str, page: str, lang: str, pages: set[str], media: set[str]) -> str | None:
    """Why an internal link in `lang` text on `page` leads nowhere useful; None when it is fine."""
    if not re.split(r"[#?]", target, maxsplit=1)[0] or SCHEME.match(target):
        return None  # a link within the page, or an external one (checked in authortext)
    resolved = resolve(target, page, lang)
    if resolved.startswith("/media/"):
        if resolved.removeprefix("/media/") in media:
            return None
        return f"link '{target}' leads to no file in content/media/"
    own, other = _addresses(pages, lang), _addresses(pages, "en" if lang == "vi" else "vi")
    if resolved in own:
        return None
    if resolved in other:
        wanted = _in_language(resolved, lang)
        return (
            f"link '{target}' leads to the {LANGUAGE_NAMES['en' if lang == 'vi' else 'vi']} "
            f"page: in {LANGUAGE_NAMES[lang]} text write '{wanted}' (or a relative address)"
        )
    return f"link '{target}' leads to no page of the site"


def broken_internal_links(
    documents: dict[str, Document],
    lesson_ids: Iterable[str],
    topics: Iterable[str],
    media: set[str],
) -> list[Problem]:
    """Internal links that lead nowhere, or to the page of the other language."""
    pages = site_paths(lesson_ids, topics)
    problems = []
    for doc in documents.values():
        page = page_of(doc.file)
        for path, target in links_in(doc):
            lang = language_of(path)
            if lang is None:
                continue  # not author text shown on a page (a source's url is external)
            message = link_problem(target, page, lang, pages, media)
            if message is not None:
                line, column = doc.mark(path)
                problems.append(Problem(doc.file, line, column, field_path(path), message))
    return problems


def external_links(documents: dict[str, Document]) -> list[Link]:
    """Every http(s) address in the sources (source lists and text), for a person to check."""
    found = []
    for doc in documents.values():
        for path, text in strings(doc.data):
            if path and path[-1] == "url" and EXTERNAL.match(text):
                found.append(Link(doc.file, doc.mark(path)[0], field_path(path), text))
        found += [
            Link(doc.file, doc.mark(path)[0], field_path(path), target)
            for path, target in links_in(doc)
            if EXTERNAL.match(target)
        ]
    return sorted(set(found), key=lambda link: (link.file, link.line, link.url))


def _addresses(pages: set[str], lang: str) -> set[str]:
    root = LANGUAGE_ROOTS[lang]
    return {root + page.lstrip("/") for page in pages}


def _in_language(resolved: str, lang: str) -> str:
    """The same page's address in `lang`."""
    bare = (
        "/" + resolved.removeprefix("/en/").lstrip("/") if resolved.startswith("/en/") else resolved
    )
    return LANGUAGE_ROOTS[lang] + bare.lstrip("/")
