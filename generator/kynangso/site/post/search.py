"""Search: accent-insensitive, one index per language, loaded only when a resident searches.

Material's search worker indexes every field named in the index's `config.fields`, so folded
fields let "dinh danh" match "định danh" while results still show the accents: `folded_title`
carries the title's boost (a lesson whose title matches comes first, with or without marks) and
`folded` the text's. A lesson's entry also gets its topic's name (`topic`, weighed as a title):
"dinh danh" is what a resident types for the VNeID lessons, whose titles never say it.
mkdocs-static-i18n writes one index for both languages; a Vietnamese page needs only the
Vietnamese entries (half the bytes), and with a single lunr language the English stop words
("so", "an", "to", "do") no longer drop "số", "an toàn", "tờ" or "đỏ" from the index.
Pages start our stand-in worker instead of Material's; it fetches the page language's index and
Material's worker on the first query (overrides/main.html, overrides/assets/javascripts/workers/).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from kynangso.errors import BuildError
from kynangso.sources.schema import LANGUAGES

FOLDED_TITLE = "folded_title"
FOLDED_TEXT = "folded"
TOPIC = "topic"
LESSON = re.compile(r"^(?:[a-z]{2}/)?lessons/([^/#]+)/$")
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"\w+")
INDEX = "search/search_index.json"
# Words end at spaces, hyphens and punctuation (not at a decimal point), so "(VNeID)" and
# "điện," are indexed as "vneid" and "điện"; mkdocs' own separator keeps the punctuation.
SEPARATOR = r"""[\s\-,:;!?=()\[\]{}"“”'‘’/]+|\.(?!\d)|&[lg]t;|&amp;"""


def fold(text: str) -> str:
    """Strip Vietnamese accent marks: "Định danh điện tử" -> "Dinh danh dien tu"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def folded_words(text: str) -> str:
    """The folded form of each word of `text` (HTML allowed) that has accent marks, in order.
    Words without marks are left out: the original field already matches them, and a second
    copy would count them twice."""
    words = WORD.findall(unicodedata.normalize("NFC", TAG.sub(" ", text)))
    return " ".join(folded for word in words if (folded := fold(word)) != word)


def language_of(location: str, languages: tuple[str, ...] = LANGUAGES) -> str:
    """The language of a search entry by its address: the first language lives at the root,
    the others under their own folder (`en/…`)."""
    for lang in languages[1:]:
        if location == lang or location.startswith(f"{lang}/"):
            return lang
    return languages[0]


def index_path(lang: str) -> str:
    """Where a language's index is, relative to the site root."""
    return INDEX if lang == LANGUAGES[0] else f"{lang}/{INDEX}"


LUNR = "assets/javascripts/lunr/min"


def lunr_language(site: Path, lang: str) -> str:
    """The search engine's language for an index: its own where the theme ships one, else
    Vietnamese, the language a third language's untranslated texts are shown in."""
    if lang in ("vi", "en") or (site / LUNR / f"lunr.{lang}.min.js").is_file():
        return lang
    return LANGUAGES[0]


def with_folded_fields(
    config: dict[str, Any], docs: list[dict[str, Any]], topics: dict[str, str] | None = None
) -> dict[str, Any]:
    """An index with the folded fields added to its config and to every entry that has marks,
    and the lessons' entries (`lessons/<id>/`) given the name of their topic from `topics`
    ({lesson id: topic name}), as it is and folded."""
    fields = dict(config.get("fields", {}))
    fields[FOLDED_TITLE] = dict(fields.get("title", {"boost": 1}))
    fields[FOLDED_TEXT] = dict(fields.get("text", {"boost": 1}))
    if topics:
        fields[TOPIC] = dict(fields.get("title", {"boost": 1}))
    entries = []
    for doc in docs:
        entry = dict(doc)
        lesson = LESSON.match(str(doc.get("location", "")))
        if topics and lesson and lesson.group(1) in topics:
            name = html.escape(topics[lesson.group(1)], quote=False)  # author text, as titles
            entry[TOPIC] = f"{name} {folded_words(name)}".strip()
        for field, source in ((FOLDED_TITLE, "title"), (FOLDED_TEXT, "text")):
            words = folded_words(str(doc.get(source, "")))
            if words:  # English entries mostly need none
                entry[field] = words
        entries.append(entry)
    return {"config": {**config, "fields": fields}, "docs": entries}


def lesson_topics(site: Path, lang: str) -> dict[str, str]:
    """{lesson id: its topic's name in `lang`} from the site's catalog.json, if there is one."""
    catalog_file = site / "catalog.json"
    if not catalog_file.is_file():
        return {}
    catalog = json.loads(catalog_file.read_text(encoding="utf-8"))
    # the catalog holds vi and en: another language's lessons take the Vietnamese names
    names = {
        key: topic["title"].get(lang) or topic["title"][LANGUAGES[0]]
        for key, topic in catalog.get("topics", {}).items()
    }
    return {
        lesson_id: names[lesson["topic"]]
        for lesson_id, lesson in catalog.get("lessons", {}).items()
        if lesson.get("topic") in names
    }


def split_search_index(site: Path, languages: tuple[str, ...] = LANGUAGES) -> dict[str, int]:
    """Replace the one index mkdocs has just written for every language by one per language,
    each with its own lunr language and the folded fields; return the number of entries per
    language."""
    source = site / INDEX
    if not source.is_file():
        raise BuildError(f"{source}: mkdocs wrote no search index")
    index = json.loads(source.read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = index.get("docs", [])
    counts: dict[str, int] = {}
    for lang in languages:
        own = [doc for doc in docs if language_of(str(doc.get("location", "")), languages) == lang]
        config = {
            **index.get("config", {}),
            "lang": [lunr_language(site, lang)],
            "separator": SEPARATOR,
        }
        made = with_folded_fields(config, own, lesson_topics(site, lang))
        target = site / index_path(lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(made, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        counts[lang] = len(own)
    return counts


WORKERS = "assets/javascripts/workers"
STAND_IN = "kns-search.js"
MARKER = "__KNS_MATERIAL_WORKER__"
INDEX_MARKER = "__KNS_SEARCH_INDEX__"


def stand_in_name(lang: str) -> str:
    """The stand-in worker of a language's pages (see overrides/main.html): `kns-search.js`
    for the first language, `kns-search.<lang>.js` for the others."""
    return STAND_IN if lang == LANGUAGES[0] else STAND_IN.replace(".js", f".{lang}.js")


def link_search_worker(site: Path, languages: tuple[str, ...] = LANGUAGES) -> str:
    """Write the name of Material's search worker and the address of a language's index into
    a copy of our stand-in per language, which loads them on the first query; return the
    worker's name."""
    folder = site / WORKERS
    material = sorted(p.name for p in folder.glob("search.*.min.js"))
    if len(material) != 1:
        raise BuildError(
            f"expected one Material search worker in {folder}, found {material or 'none'}"
        )
    stand_in = folder / STAND_IN
    text = stand_in.read_text(encoding="utf-8")
    for marker in (MARKER, INDEX_MARKER):
        if marker not in text:
            raise BuildError(f"{stand_in} has no {marker} to replace")
    for lang in languages:
        # the stand-in lives three folders down from the site root
        index = f"../../../{index_path(lang)}"
        linked = text.replace(MARKER, material[0]).replace(INDEX_MARKER, index)
        (folder / stand_in_name(lang)).write_text(linked, encoding="utf-8")
    return material[0]
