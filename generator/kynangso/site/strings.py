"""Interface words of the generated pages, read from the catalogues in `kynangso/words/`."""

from __future__ import annotations

from pathlib import Path

from kynangso import words
from kynangso.sources.schema import LANGUAGES

# A project's own catalogues, for a language the generator has none of (see README, "Interface
# words"): Vietnamese still fills every key they leave out.
PROJECT_WORDS = Path("content") / "words"

# The site's words, one catalogue per language (kynangso/words/<lang>.yaml).
UI: dict[str, dict[str, str]] = {lang: words.load(lang).section("site") for lang in LANGUAGES}

# The browser code's words for the page kinds that need them: a page carries only its own.
# "every" (the local store, the offline pack) goes on every page through the theme
# (overrides/main.html), the others in the pages of their kind, so a lesson carries no
# progress-page or join-page words.
BROWSER_GROUPS: dict[str, tuple[str, ...]] = {
    "every": ("every_page",),
    "lesson": ("lesson",),
    "recordings": ("recordings",),  # only on lessons with recorded voices
    "progress": ("progress",),
    "passport": ("progress",),
    "join": ("join",),
}


def site_words(lang: str, own: Path | None = None) -> dict[str, str]:
    """The page templates' words in `lang`; `own` is the project's folder of catalogues."""
    return words.load(lang, project=own).section("site")


def browser_words(lang: str, kind: str, own: Path | None = None) -> dict[str, dict[str, str]]:
    """{group: {key: text}} for a page of `kind`, written into it as JSON for the scripts."""
    catalogue = words.load(lang, project=own)
    return {group: catalogue.section("browser", group) for group in BROWSER_GROUPS[kind]}


def format_date(value: object, lang: str) -> str:
    """25/11/2026 in Vietnamese, 25 November 2026 in English."""
    import datetime as dt

    assert isinstance(value, dt.date)
    if lang == "vi":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return value.strftime("%-d %B %Y")


# Pages whose address differs by language; the other language's address redirects to it so
# the language switch (which keeps the path) always lands on the right page.
LOCALIZED_PAGES: dict[str, dict[str, str]] = {
    name: {lang: words.load(lang).section("pages")[name] for lang in LANGUAGES}
    for name in words.load(words.BASE).section("pages")
}


def localized_pages(
    languages: tuple[str, ...], own: Path | None = None
) -> dict[str, dict[str, str]]:
    """{page: {lang: address}} for the site's `languages` (LOCALIZED_PAGES for vi and en)."""
    return {
        name: {lang: words.load(lang, project=own).section("pages")[name] for lang in languages}
        for name in words.load(words.BASE).section("pages")
    }
