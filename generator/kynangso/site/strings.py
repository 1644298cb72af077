"""Interface words of the generated pages, read from the catalogues in `kynangso/words/`."""

from __future__ import annotations

from kynangso import words
from kynangso.sources.schema import LANGUAGES

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


def browser_words(lang: str, kind: str) -> dict[str, dict[str, str]]:
    """{group: {key: text}} for a page of `kind`, written into it as JSON for the scripts."""
    catalogue = words.load(lang)
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
