"""Each page of the handbook in its own language: a Sphinx extension.

The handbook is one book holding both languages (one search, one table of contents), and Sphinx
renders every page in the book's language (`vi`): without this, English lesson plans said
"Tìm Kiếm", "Nội dung" and carried `<html lang="vi">`. A lesson page is named `<id>.<lang>`;
for an English one this sets the page's `lang`, gives the theme templates the untranslated
strings (the themes are written in English, so those are the English words), leaves out
Sphinx's Vietnamese `translations.js` and puts the book's title and search hint in English.
Every lesson page also links to the same lesson in the other language.

The words come from the `kns_languages` config value that handbook.py writes into the book's
`_config.yml`: {lang: {"title", "search", "other"}}. handbook.py copies this file into the
book's `_ext/` folder, where jupyter-book loads it.
"""

from __future__ import annotations

import gettext
import html
from typing import Any

from sphinx import locale
from sphinx.application import Sphinx

# Strings sphinx-togglebutton puts into every page as inline scripts, in the book's language.
TOGGLE_HINTS = {
    "let toggleHintShow": "let toggleHintShow = 'Click to show';",
    "let toggleHintHide": "let toggleHintHide = 'Click to hide';",
}


def page_language(pagename: str, languages: dict[str, Any]) -> str | None:
    """`en` for `sample-lesson.en`, None for a page of both languages (the home, the search)."""
    _, _, suffix = pagename.rpartition(".")
    return suffix if "." in pagename and suffix in languages else None


def choose_catalogs(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Runs first for every page: the message catalogs of the page's language for what Python
    code translates while the page is made (sphinx-book-theme's button tooltips, strings of
    pydata-sphinx-theme's navigation). Pages are written one after another in a process, so
    the catalogs set here stay until the next page."""
    lang = page_language(pagename, app.config.kns_languages)
    _use_catalogs(untranslated=lang is not None and lang != app.config.language)


def restore_catalogs(app: Sphinx, exception: Exception | None) -> None:
    _use_catalogs(untranslated=False)


# The book language's catalogs, kept while an English page uses none.
_SAVED: dict[tuple[str, str], gettext.NullTranslations] = {}


def _use_catalogs(untranslated: bool) -> None:
    if not _SAVED:
        # "general" are the documents' words; "console" ones (the build's messages) stay
        _SAVED.update((k, v) for k, v in locale.translators.items() if k[0] == "general")
    for key, catalog in _SAVED.items():
        locale.translators[key] = gettext.NullTranslations() if untranslated else catalog


def set_page_language(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    languages: dict[str, dict[str, str]] = app.config.kns_languages
    lang = page_language(pagename, languages)
    if lang is None:
        return
    words = languages[lang]
    context["language"] = lang
    context["docstitle"] = words["title"]
    context["theme_search_bar_text"] = words["search"]
    if lang != app.config.language:
        _untranslated(context)
    other = _other_page(app, pagename, lang, languages)
    if other is not None:
        context["body"] = other + context.get("body", "")


def _untranslated(context: dict[str, Any]) -> None:
    """The theme strings as written (English) for this page only: Jinja's `_` and `{% trans %}`
    look `gettext` up in the page context first, sphinx-book-theme calls `translate`."""
    english = gettext.NullTranslations()
    context["gettext"] = english.gettext
    context["ngettext"] = english.ngettext
    context["translate"] = english.gettext
    scripts = []
    for script in context.get("script_files", []):
        filename = str(getattr(script, "filename", "") or "")
        body = getattr(script, "attributes", {}).get("body", "")
        if filename.endswith("translations.js"):
            continue  # Sphinx's script strings in the book's language; without it they are English
        hint = next((text for start, text in TOGGLE_HINTS.items() if body.startswith(start)), None)
        if hint is not None:
            script = type(script)(filename, priority=script.priority, body=hint)
        scripts.append(script)
    context["script_files"] = scripts


def _other_page(
    app: Sphinx, pagename: str, lang: str, languages: dict[str, dict[str, str]]
) -> str | None:
    """A link to the same lesson in the other language, when the book has it."""
    stem = pagename.rpartition(".")[0]
    for code in languages:
        target = f"{stem}.{code}"
        if code != lang and target in app.env.all_docs:
            href = html.escape(app.builder.get_relative_uri(pagename, target))
            text = html.escape(languages[lang]["other"])
            return (
                f'<p class="kns-other-language"><a href="{href}" hreflang="{code}" '
                f'lang="{code}">{text}</a></p>\n'
            )
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("kns_languages", {}, "html")
    # A hash of our extensions' code: when it changes, Sphinx rewrites every page instead of
    # keeping the pages it made with the old code.
    app.add_config_value("kns_extensions_key", "", "env")
    app.connect("html-page-context", choose_catalogs, priority=1)
    app.connect("build-finished", restore_catalogs)
    # after the themes' own handlers, which set `translate` and the search hint
    app.connect("html-page-context", set_page_language, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
