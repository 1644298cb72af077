"""Links in author text: internal links must reach a page or file of the site; external
links are listed for a person to check (the build never goes on the network)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from kynangso.errors import Problem
from kynangso.sources.loading import Document, PathKey, field_path
from kynangso.sources.schema import LOCALIZED_SLUGS, TOPICS

LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
EXTERNAL = re.compile(r"^(https?:|mailto:|tel:)", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """One link target in one file, at a line."""

    file: str
    line: int
    field: str
    url: str


def site_paths(lesson_ids: list[str]) -> set[str]:
    """Every page path of one language of the site, as '/lessons/x/'."""
    paths = {"/", "/glossary/", "/about/", "/teams/", "/editors/"}
    paths |= {f"/topics/{topic}/" for topic in TOPICS}
    paths |= {f"/lessons/{lesson_id}/" for lesson_id in lesson_ids}
    paths |= {f"/{slug}/" for slug in LOCALIZED_SLUGS}
    return paths


def page_of(file: str) -> str:
    """The page a source file's text appears on."""
    if file.startswith("lessons/"):
        return f"/lessons/{file.removeprefix('lessons/').removesuffix('.yaml')}/"
    if file.startswith("content/pages/"):
        name = file.removeprefix("content/pages/").removesuffix(".yaml")
        return "/" if name == "home" else f"/{name}/"
    return "/"


def links_in(doc: Document) -> list[Link]:
    """Every Markdown link target in a document's texts, with where it stands."""
    found: list[Link] = []
    for path, text in _strings(doc.data, ()):
        for target in LINK.findall(text):
            line, _ = doc.mark(path)
            found.append(Link(doc.file, line, field_path(path), target))
    return found


def broken_internal_links(
    documents: dict[str, Document], lesson_ids: list[str], media: set[str]
) -> list[Problem]:
    """Internal links that lead nowhere: to no page of the site and no file in content/media/."""
    pages = site_paths(lesson_ids)
    problems = []
    for doc in documents.values():
        base = page_of(doc.file)
        for link in links_in(doc):
            target = link.url.split("#", 1)[0]
            if not target or EXTERNAL.match(target):
                continue
            resolved = posixpath.normpath(posixpath.join(base, target))
            if resolved.startswith("/media/") and resolved.removeprefix("/media/") in media:
                continue
            if (resolved.rstrip("/") + "/") in pages or resolved == "/":
                continue
            line, column = doc.mark(_path_from(link.field, doc))
            problems.append(
                Problem(
                    doc.file,
                    line,
                    column,
                    link.field,
                    f"link '{link.url}' leads to no page of the site",
                )
            )
    return problems


def external_links(documents: dict[str, Document]) -> list[Link]:
    """Every http(s) address in the sources (source lists and text), for a person to check."""
    found = []
    for doc in documents.values():
        for path, text in _strings(doc.data, ()):
            if path and path[-1] == "url" and EXTERNAL.match(text):
                found.append(Link(doc.file, doc.mark(path)[0], field_path(path), text))
        found += [link for link in links_in(doc) if EXTERNAL.match(link.url)]
    return sorted(set(found), key=lambda link: (link.file, link.line, link.url))


def _strings(data: Any, path: PathKey) -> list[tuple[PathKey, str]]:
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in _strings(value, path + (key,))]
    if isinstance(data, list):
        return [found for i, value in enumerate(data) for found in _strings(value, path + (i,))]
    return [(path, data)] if isinstance(data, str) else []


def _path_from(field: str, doc: Document) -> PathKey:
    for path in doc.value_marks:
        if field_path(path) == field:
            return path
    return ()
