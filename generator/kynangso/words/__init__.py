"""The interface words: one catalogue per language, `<lang>.yaml` in this folder.

Python (site pages, team materials, coach pages) and the browser code (through a JSON blob the
pages carry) read the same files, so a language is one new file. Vietnamese is the base: a key
another catalogue leaves out is taken from `vi.yaml`, and the catalogue records which texts
those are (`Catalogue.fallbacks`, `Catalogue.lang_of`), so a page can mark them `lang="vi"`.
It imports nothing of ours: the site, the team materials and class mode all read it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).resolve().parent
BASE = "vi"


class WordsError(Exception):
    """A catalogue that cannot be read, or a language that has none."""


@dataclass(frozen=True)
class Catalogue:
    """The words of one language, with the base language filled in where it has none."""

    lang: str
    name: str
    data: Mapping[str, Any]
    fallbacks: frozenset[str]  # "section.key" of every text taken from the base language

    def section(self, *path: str) -> dict[str, str]:
        """The texts under `path` (e.g. "browser", "lesson") as a plain {key: text}."""
        node: Any = self.data
        for part in path:
            node = node[part]
        return dict(node)

    def texts(self, name: str) -> tuple[str, ...]:
        """A list of texts (e.g. "safety_rules")."""
        return tuple(self.data[name])

    def lang_of(self, *path: str) -> str:
        """The language the text at `path` is actually written in."""
        return BASE if ".".join(path) in self.fallbacks else self.lang


def languages(folder: Path = FOLDER) -> tuple[str, ...]:
    """Every language with a catalogue, the base first."""
    found = sorted(path.stem for path in folder.glob("*.yaml"))
    return tuple(sorted(found, key=lambda lang: lang != BASE))


@functools.lru_cache(maxsize=32)
def load(lang: str, folder: Path = FOLDER, project: Path | None = None) -> Catalogue:
    """The catalogue of `lang`, read once per process; missing keys come from the base.
    `project` is a project's own folder of catalogues (`content/words/`), for a language
    this folder has none of: a project can add a language without changing the generator."""
    base = _read(folder, BASE)
    if lang == BASE:
        return Catalogue(lang, str(base["language"]), base, frozenset())
    source = folder
    if not (folder / f"{lang}.yaml").is_file() and project is not None:
        source = project
    if not (source / f"{lang}.yaml").is_file():
        raise WordsError(f"{source / lang}.yaml: no interface words for language {lang!r}")
    own = _read(source, lang)
    fallbacks: set[str] = set()
    merged = _merge(base, own, (), fallbacks, source / f"{lang}.yaml")
    return Catalogue(lang, str(own.get("language", lang)), merged, frozenset(fallbacks))


def pick(wanted: str | None, accept_language: str | None, folder: Path = FOLDER) -> str:
    """The language to answer in: `wanted` (a `?lang=`) when it has a catalogue, else the first
    of the browser's `Accept-Language` that has one (by q-value), else the base."""
    known = languages(folder)
    if wanted in known:
        return wanted
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary in known and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else BASE


def _read(folder: Path, lang: str) -> dict[str, Any]:
    path = folder / f"{lang}.yaml"
    try:
        # BaseLoader keeps every value a string: "no" stays the word, never a boolean
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise WordsError(f"{path}: cannot read the interface words: {error}") from None
    if not isinstance(data, dict):
        raise WordsError(f"{path}: expected a mapping of interface words")
    return data


def _merge(base: Any, own: Any, path: tuple[str, ...], fallbacks: set[str], file: Path) -> Any:
    """`own` laid over `base` key by key; every text only `base` has is recorded in `fallbacks`."""
    where = ".".join(path) or "(top)"
    if isinstance(base, dict):
        if not isinstance(own, dict):
            raise WordsError(f"{file}: {where}: expected a mapping, as in {BASE}.yaml")
        unknown = sorted(set(own) - set(base))
        if unknown:
            raise WordsError(f"{file}: {where}: {unknown[0]!r} is not a key of {BASE}.yaml")
        merged: dict[str, Any] = {}
        for key, value in base.items():
            if key in own:
                merged[key] = _merge(value, own[key], (*path, key), fallbacks, file)
            else:
                merged[key] = value
                fallbacks.update(_leaves(value, (*path, key)))
        return merged
    if type(own) is not type(base):
        kind = "a list" if isinstance(base, list) else "a text"
        raise WordsError(f"{file}: {where}: expected {kind}, as in {BASE}.yaml")
    return own


def _leaves(value: Any, path: tuple[str, ...]) -> list[str]:
    if isinstance(value, dict):
        return [leaf for key, inner in value.items() for leaf in _leaves(inner, (*path, key))]
    return [".".join(path)]
