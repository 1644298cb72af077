"""The site's languages: one list, the i18n plugin's `languages` in the project's mkdocs.yml.

mkdocs-static-i18n needs that list to build `/<code>/` pages and the language switch, so it is
the one place: the generator reads it from there (never from a second copy in code) for the
pages it renders, the search indexes and the offline packs. Vietnamese is the default language
(at `/`, the base of every text and catalogue) and English is required beside it, as every
text is written in both; any other language is optional in each text and falls back to
Vietnamese, text by text.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml
from pydantic import BaseModel

from kynangso.errors import Problem, SourceError
from kynangso.sources.loading import Document, PathKey, field_path
from kynangso.sources.schema import Text

BASE = "vi"
REQUIRED = ("vi", "en")  # every text is written in these (validate checks it)
WHERE = "plugins.i18n.languages"
# what mkdocs-static-i18n takes as a locale: two letters (ISO 639-1), maybe with a script or
# region (`vi-VN`); it refuses three-letter codes such as blt (Thái Đen) or hmn (Mông)
SITE_CODE = r"^[a-z]{2}(-[A-Za-z]{4})?(-[A-Z]{2})?$"


def site_languages(root: Path) -> tuple[str, ...]:
    """The codes of the site's languages from `root/mkdocs.yml`, the default (Vietnamese)
    first; raise `SourceError` naming the file, line and field when the list is not usable."""
    path = root / "mkdocs.yml"
    try:
        # compose, not load: mkdocs.yml carries python tags (the slugify function) we never run
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SourceError([Problem("mkdocs.yml", 1, 1, "", f"cannot be read: {error}")]) from None
    entries = _language_nodes(node)
    if entries is None:
        raise SourceError(
            [Problem("mkdocs.yml", 1, 1, WHERE, "no list of languages (the i18n plugin's)")]
        )
    problems: list[Problem] = []
    codes: list[str] = []
    default = None
    for position, entry in enumerate(entries, start=1):
        line, column = entry.start_mark.line + 1, entry.start_mark.column + 1
        fields = _mapping(entry)
        where = f"{WHERE}[{position}].locale"
        code = fields.get("locale", "")
        if not re.match(SITE_CODE, code):
            problems.append(
                Problem(
                    "mkdocs.yml",
                    line,
                    column,
                    where,
                    f"{code!r}: a site language needs a two-letter code (ISO 639-1), maybe with"
                    " a region (vi-VN): the i18n plugin takes no other",
                )
            )
            continue
        if code in codes:
            problems.append(Problem("mkdocs.yml", line, column, where, f"{code} is listed twice"))
        codes.append(code)
        if fields.get("default") == "true":
            default = code
    if not problems:
        problems += _shape_problems(codes, default, entries)
    if problems:
        raise SourceError(problems)
    return (BASE, *(code for code in codes if code != BASE))


def _shape_problems(
    codes: list[str], default: str | None, entries: list[yaml.Node]
) -> list[Problem]:
    line = entries[0].start_mark.line + 1 if entries else 1
    problems = []
    if default != BASE:
        problems.append(
            Problem("mkdocs.yml", line, 1, WHERE, f"the default language must be {BASE}")
        )
    for code in REQUIRED:
        if code not in codes:
            problems.append(
                Problem("mkdocs.yml", line, 1, WHERE, f"{code} is missing: every text has it")
            )
    return problems


def _mapping(node: yaml.Node) -> dict[str, str]:
    """A mapping node's scalar values by key; other values are left out."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): str(value.value)
        for key, value in node.value
        if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode)
    }


def _child(node: yaml.Node | None, name: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for key, value in node.value if key.value == name), None)


def _language_nodes(root: yaml.Node | None) -> list[yaml.Node] | None:
    """The entries of `plugins: - i18n: languages:`, or None when there is no such list."""
    plugins = _child(root, "plugins")
    if not isinstance(plugins, yaml.SequenceNode):
        return None
    for plugin in plugins.value:
        languages = _child(_child(plugin, "i18n"), "languages")
        if isinstance(languages, yaml.SequenceNode):
            return list(languages.value)
    return None


def text_language_problems(
    doc: Document, model: BaseModel, languages: tuple[str, ...]
) -> list[Problem]:
    """A problem for every key of a text beside vi and en that is not one of the site's
    `languages`: a typo (`vn:`) or a language mkdocs.yml does not list."""
    others = [code for code in languages if code not in REQUIRED]
    problems = []
    for path, text in _texts(model, ()):
        for key in text.extra_languages():
            if key in others:
                continue
            line, column = doc.mark((*path, key), key=True)
            allowed = [*REQUIRED, *others]
            guess = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean '{guess[0]}'?" if guess else ""
            problems.append(
                Problem(
                    doc.file,
                    line,
                    column,
                    field_path((*path, key)),
                    f"unknown field '{key}'{hint} (expected one of: {', '.join(allowed)};"
                    f" another language is added to {WHERE} in mkdocs.yml)",
                )
            )
    return problems


def _texts(value: object, path: PathKey) -> list[tuple[PathKey, Text]]:
    """Every `Text` inside a model, with its path."""
    if isinstance(value, Text):
        return [(path, value)]
    found: list[tuple[PathKey, Text]] = []
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found += _texts(getattr(value, name), (*path, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += _texts(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            found += _texts(item, (*path, key))
    return found
