"""Keep only the theme CSS this site can use: a phone on shared Wi-Fi should not download
styles for code blocks, tabs, tags, versions or right-to-left pages that no page of ours has.

A style rule is kept when one of its selectors could match: every class, id, element and
attribute it requires (the value too, when it is one word) occurs in a tag of some built page,
or in the scripts that change pages in the browser. Our scripts count word for word. Material's
bundle names the classes of every component it has, so a word of its counts as a class only
when it looks like one (a hyphen or underscore, or `js`) and is not of a component built only
around markup no page has (FROM_PAGE_MARKUP); text direction, table alignment and the palette
take their values from pages alone (PAGE_SETS). Selectors inside :not() are never required;
:is(), :where() and :has() need one alternative that could match.

Then custom properties nothing refers to and @keyframes nothing names are dropped, @media and
@supports keep their kept rules, the palette stylesheet (no longer linked, see
overrides/main.html) is folded into the main one, and the result is named after its content:
class mode caches hashed theme files for a year. Our own kns.css is never purged: its classes
are made by our scripts at run time. tests/test_slim.py compares every element's computed style
with Material's whole stylesheet.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from kynangso.site.post.css import (
    IDENT,
    Declaration,
    Rule,
    closing,
    parse,
    serialize,
    split_top,
)

Item = Rule | Declaration

WORD = re.compile(r"[\w-]+")
# Attributes whose values come from the page template alone: the text direction, table cell
# alignment, and the colour palette (Material's script changes it only from a palette toggle,
# whose values would be in the page). Material's scripts read "rtl", "white"… but never set them.
PAGE_SETS = {"dir", "align"}
# Material components built only around markup a page brings: code blocks, tabs, tags, a
# repository, versions, diagrams, page status. Their class names are in the bundle whatever
# the site has; they count only when some page has a word starting with the same block.
FROM_PAGE_MARKUP = (
    "highlight",
    "md-annotation",
    "md-code",
    "md-clipboard",
    "tabbed",
    "md-tag",
    "md-source",
    "md-version",
    "md-status",
    "md-mermaid",
    "mermaid",
)
HASH_IN_NAME = re.compile(r"\.[0-9a-f]{8}\.min\.css$")
CHARSET = re.compile(r'^\s*@charset\s+"[^"]*";')
VAR_REFERENCE = re.compile(r"var\(\s*(--[\w-]+)")
CHOOSING = {"is", "where", "matches", "-webkit-any", "-moz-any", "has"}
ATTRIBUTE = re.compile(
    r"""^\s*([\w-]+)\s*(?:([~|^$*]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))\s*[is]?\s*)?$"""
)


# ------------------------------------------------------------------ a small CSS rear match?
@dataclass(frozen=True)
class Used:
    """What the site's pages and scripts can put in a document: `names` are class names and
    ids, `words` element names, attribute names and values."""

    names: frozenset[str]
    words: frozenset[str]
    page_words: frozenset[str] = frozenset()  # for attributes only a page sets (PAGE_SETS)


def could_match(selector: str, used: Used) -> bool:
    """False only when the selector requires a class, id, element or attribute that never occurs."""
    i = 0
    while i < len(selector):
        ch = selector[i]
        if ch == "\\":
            return True  # escaped names: do not guess
        if ch in ".#":
            match = IDENT.match(selector, i + 1)
            if match:
                if match.group(0) not in used.names:
                    return False
                i = match.end()
                continue
        elif ch.isalpha() and (i == 0 or selector[i - 1] in " >+~(,\t\n"):
            match = IDENT.match(selector, i)
            if match:  # a type selector: the element has to occur somewhere
                if match.group(0).lower() not in used.words:
                    return False
                i = match.end()
                continue
        elif ch == "[":
            end = closing(selector, i, "[", "]")
            if not _attribute_could_match(selector[i + 1 : end], used):
                return False
            i = end + 1
            continue
        elif ch == ":":
            while i < len(selector) and selector[i] == ":":
                i += 1
            match = IDENT.match(selector, i)
            if not match:
                continue
            name = match.group(0).lower()
            i = match.end()
            if i < len(selector) and selector[i] == "(":
                end = closing(selector, i, "(", ")")
                if name in CHOOSING and not any(
                    could_match(alt, used) for alt in split_top(selector[i + 1 : end], ",")
                ):
                    return False
                i = end + 1
            continue
        i += 1
    return True


def _attribute_could_match(inside: str, used: Used) -> bool:
    match = ATTRIBUTE.match(inside)
    if not match:
        return True
    name, operator = match.group(1), match.group(2)
    if name.lower() not in used.words:
        return False
    value = next((v for v in match.group(3, 4, 5) if v is not None), None)
    if operator in ("=", "~=", "|=") and value and WORD.fullmatch(value):
        if name.lower() in PAGE_SETS or name.lower().startswith("data-md-color-"):
            return value in used.page_words
        return value in used.words or value in used.names
    return True


# ------------------------------------------------------------------ purging
VENDOR_PSEUDO = re.compile(r"::?-(?:webkit|moz|ms|o)-")


def _purge_selectors(prelude: str, used: Used) -> str | None:
    """The selector list with the selectors that could match, or None if none could.
    A list with a vendor-prefixed pseudo is kept or dropped whole: one selector a browser
    does not know voids the whole rule there, and removing it would wake the rest up."""
    selectors = split_top(prelude, ",")
    kept = [s for s in selectors if could_match(s, used)]
    if not kept:
        return None
    if VENDOR_PSEUDO.search(prelude):
        return prelude
    return ",".join(s.strip() for s in kept)


def purge_rules(items: list[Item], used: Used) -> list[Item]:
    """Step 1: drop style rules no page can use (with the rules nested in them), and groups
    left empty. A nested selector is judged alone: if it cannot match by itself, it cannot
    match below its parent either."""
    kept: list[Item] = []
    for item in items:
        if isinstance(item, Declaration):
            kept.append(item)
        elif item.at is None and item.items is not None:
            prelude = _purge_selectors(item.prelude, used)
            if prelude is not None:
                kept.append(Rule(prelude, items=purge_rules(item.items, used)))
        elif item.items is not None:  # @media, @supports…
            children = purge_rules(item.items, used)
            if children:
                kept.append(item.with_items(children))
        else:
            kept.append(item)  # @keyframes, @font-face, @page, @charset…: judged later or kept
    return kept


def _walk(items: list[Item]) -> Iterable[Item]:
    for item in items:
        yield item
        if isinstance(item, Rule) and item.items is not None:
            yield from _walk(item.items)


def used_custom_properties(items: list[Item], other_css: str, used: Used) -> set[str]:
    """Custom properties something refers to: a kept declaration, other CSS, a page or script."""
    referenced = {w for w in used.words if w.startswith("--")} | set(
        VAR_REFERENCE.findall(other_css)
    )
    definitions: dict[str, list[str]] = {}
    for item in _walk(items):
        if isinstance(item, Declaration):
            if item.name.startswith("--"):
                definitions.setdefault(item.name, []).append(item.value)
            else:
                referenced |= set(VAR_REFERENCE.findall(item.value))
        elif item.body is not None:
            referenced |= set(VAR_REFERENCE.findall(item.body))
    pending = list(referenced)
    while pending:
        for inner in VAR_REFERENCE.findall(" ".join(definitions.get(pending.pop(), []))):
            if inner not in referenced:
                referenced.add(inner)
                pending.append(inner)
    return referenced


def drop_unused(items: list[Item], properties: set[str], names: str) -> list[Item]:
    """Step 2: drop custom properties nobody refers to, @keyframes nobody names, and rules
    and groups left with nothing in them."""
    kept: list[Item] = []
    for item in items:
        if isinstance(item, Declaration):
            if not item.name.startswith("--") or item.name in properties:
                kept.append(item)
        elif item.items is not None:
            inside = drop_unused(item.items, properties, names)
            if inside:
                kept.append(item.with_items(inside))
        elif item.at in ("keyframes", "-webkit-keyframes"):
            animation = item.prelude.split(None, 1)[1].strip() if " " in item.prelude else ""
            if animation and re.search(rf"(?<![\w-]){re.escape(animation)}(?![\w-])", names):
                kept.append(item)
        else:
            kept.append(item)
    return kept


def purge_css(sheets: dict[str, str], used: Used, own_css: str = "") -> dict[str, str]:
    """Each stylesheet with only what pages and scripts that use `used` can need. The sheets are
    purged together (one may define what another uses); `own_css`, our own styles, is kept
    as it is and read for var() references and animation names."""
    purged = {name: purge_rules(list(parse(css)), used) for name, css in sheets.items()}
    every_item = [item for items in purged.values() for item in items]
    properties = used_custom_properties(every_item, own_css, used)
    naming = [
        item
        for item in every_item
        if not (isinstance(item, Rule) and item.at in ("keyframes", "-webkit-keyframes"))
    ]
    names = serialize(naming) + own_css + " " + " ".join(sorted(used.words | used.names))
    return {
        name: serialize(drop_unused(items, properties, names)) for name, items in purged.items()
    }


# ------------------------------------------------------------------ on a built site
class _TagWords(HTMLParser):
    """Class names and ids, and other words (element names, attribute names, one-word values)
    of every start tag of the pages fed to it, read as a browser reads them: a `>` inside a
    quoted value does not end the tag, and character references are decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: set[str] = set()
        self.words: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.words.add(tag)
        for attribute, value in attrs:
            self.words.add(attribute)
            if attribute == "class":
                self.names.update((value or "").split())
            elif attribute == "id":
                self.names.add(value or "")
            elif value and WORD.fullmatch(value):
                self.words.add(value)


def used_in_pages(pages: Iterable[str]) -> Used:
    """What a selector can ask of the built pages."""
    tags = _TagWords()
    for text in pages:
        tags.feed(text)
        tags.close()
        tags.reset()
    return Used(frozenset(tags.names), frozenset(tags.words))


def words_in_scripts(scripts: Iterable[Path]) -> set[str]:
    words: set[str] = set()
    for script in scripts:
        words.update(WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return words


def used_words(site: Path, pages: Iterable[str] | None = None) -> Used:
    """What the pages have, and what the scripts can add to them.
    Our scripts: every word. Material's scripts name the classes of every component it has;
    a word of theirs counts as a class name when it looks like one of theirs (md-…, with a
    hyphen or underscore; and `js`, which the bundle puts on <html> for `no-js`) and is not
    of a component built only around markup no page has (FROM_PAGE_MARKUP)."""
    if pages is None:
        pages = (page.read_text(encoding="utf-8") for page in site.rglob("*.html"))
    in_pages = used_in_pages(pages)
    ours = words_in_scripts(
        p for p in site.glob("assets/**/*.js") if p.name.startswith("kns") or "vendor" in p.parts
    )
    theirs = words_in_scripts(
        p
        for p in site.glob("assets/javascripts/**/*.js")
        if "lunr" not in p.parts and not p.name.startswith("kns")
    )
    page_words = in_pages.names | in_pages.words
    theirs_as_names = {
        w
        for w in theirs
        if (w == "js" or "-" in w.strip("-") or "_" in w) and not _needs_markup(w, page_words)
    }
    return Used(
        names=in_pages.names | ours | theirs_as_names,
        words=in_pages.words | ours | {w for w in theirs if not _needs_markup(w, page_words)},
        page_words=in_pages.words | ours,
    )


def _needs_markup(word: str, pages: frozenset[str]) -> bool:
    block = next((b for b in FROM_PAGE_MARKUP if word.lstrip("-").startswith(b)), None)
    return block is not None and not any(w.startswith(block) for w in pages)


def slim_theme_css(site: Path) -> dict[str, tuple[int, int]]:
    """Purge Material's stylesheets in place, fold the palette into the main one when no page
    links it (overrides/main.html), and name the result after its content in every page;
    return {stylesheet: (bytes before, bytes after)}."""
    pages = {page: page.read_text(encoding="utf-8") for page in site.rglob("*.html")}
    used = used_words(site, pages.values())
    folder = site / "assets" / "stylesheets"
    sheets = {p: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.min.css"))}
    own_css = "".join(p.read_text(encoding="utf-8") for p in sorted(site.glob("assets/*.css")))
    sizes: dict[str, tuple[int, int]] = {}
    purged = purge_css({str(p): c for p, c in sheets.items()}, used, own_css)
    for path, css in purged.items():
        sheet = Path(path)
        sheet.write_text(css, encoding="utf-8")
        sheet.with_name(sheet.name + ".map").unlink(missing_ok=True)  # no longer matches
        sizes[sheet.relative_to(site).as_posix()] = (len(sheets[sheet].encode()), len(css.encode()))
    fold_palette(folder, pages.values())
    for sheet in folder.glob("main.*.min.css"):
        rename_by_content(sheet, pages)
    return sizes


def fold_palette(folder: Path, pages: Iterable[str]) -> bool:
    """Append palette.*.min.css to main.*.min.css and delete it, if no page links it."""
    mains, palettes = (
        sorted(folder.glob("main.*.min.css")),
        sorted(folder.glob("palette.*.min.css")),
    )
    if len(mains) != 1 or len(palettes) != 1:
        return False
    link = f"stylesheets/{palettes[0].name}"
    if any(link in text for text in pages):
        return False
    with mains[0].open("a", encoding="utf-8") as main:
        main.write(CHARSET.sub("", palettes[0].read_text(encoding="utf-8")))
    palettes[0].unlink()
    return True


def rename_by_content(sheet: Path, pages: dict[Path, str]) -> Path:
    """Give a purged theme stylesheet a name from its own content, in every page that links it.
    Its name says "this content, forever" to caches (a year, immutable, in class mode): purged
    differently by a later build, it must not keep Material's name."""
    digest = hashlib.sha256(sheet.read_bytes()).hexdigest()[:8]
    new_name = HASH_IN_NAME.sub(f".{digest}.min.css", sheet.name)
    if new_name == sheet.name:
        return sheet
    renamed = sheet.rename(sheet.with_name(new_name))
    old, new = f"stylesheets/{sheet.name}", f"stylesheets/{new_name}"
    for page, text in pages.items():
        if old in text:
            pages[page] = text.replace(old, new)
            page.write_text(pages[page], encoding="utf-8")
    return renamed
