"""Smaller bytes for the same page: comments and indentation out of our own scripts and styles,
indentation out of the HTML between tags. Names and code stay exactly as written (no
renaming), so what runs is what we wrote, only without what a phone never reads.

JavaScript keeps its line breaks (automatic semicolon insertion depends on them) and every
space a token needs; strings, template literals and regular expressions are copied untouched;
a `/` after `)` is taken for a division, as in our code. HTML keeps the contents of <pre>,
<textarea>, <code>, <script> and <style>, and every tag, as they are; a run of white space
holding a line break becomes one line break, which renders the same under normal white-space
rules (a no-break space is text and stays).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

# After one of these (or at the start), a `/` opens a regular expression, not a division.
REGEX_AFTER_PUNCTUATION = set("(,=:[!&|?{};+-*%<>~^")
REGEX_AFTER_WORDS = {
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
}
WORD_BEFORE = re.compile(r"([A-Za-z_$][\w$]*)\s*$")


def _string_end(text: str, i: int) -> int:
    """Index just past the '…' or "…" string starting at text[i]."""
    quote = text[i]
    i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote or text[i] == "\n":
            return i + 1
        i += 1
    return i


def _template_end(text: str, i: int) -> int:
    """Index just past the `…${…}…` template literal starting at text[i]."""
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            return i + 1
        if text.startswith("${", i):
            i = _code_end(text, i + 2, closing="}")
            continue
        i += 1
    return i


def _code_end(text: str, i: int, closing: str) -> int:
    """Index just past the `closing` brace that ends the code starting at text[i]."""
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            i = _string_end(text, i)
        elif ch == "`":
            i = _template_end(text, i)
        elif ch == "{":
            depth += 1
            i += 1
        elif ch == "}":
            if depth == 0:
                return i + 1
            depth -= 1
            i += 1
        else:
            i += 1
    return i


def _regex_end(text: str, i: int) -> int:
    """Index just past the /…/flags regular expression starting at text[i]."""
    i += 1
    in_class = False
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n":
            return i  # not a regular expression after all; leave the rest as it is
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "/":
            i += 1
            while i < len(text) and (text[i].isalnum() or text[i] in "_$"):
                i += 1
            return i
        i += 1
    return i


def _regex_allowed(before: str) -> bool:
    stripped = before.rstrip()
    if not stripped:
        return True
    if stripped[-1] in REGEX_AFTER_PUNCTUATION:
        return True
    word = WORD_BEFORE.search(stripped)
    return bool(word and word.group(1) in REGEX_AFTER_WORDS)


CODE_SPACE = re.compile(r"[ \t]*\n\s*")
# Spaces beside these characters separate nothing: `a = b` is `a=b`. Never beside + - / * . or
# a word, where `a + +b`, `a / b`, `return x` or `1 .toString()` need them.
PUNCTUATION_SPACE = re.compile(r"[ \t]+(?=[{}()\[\];,:=<>?!&|])|(?<=[{}()\[\];,:=<>?!&|])[ \t]+")


def _trim_code(code: str) -> str:
    trimmed = PUNCTUATION_SPACE.sub("", CODE_SPACE.sub("\n", code))
    return code if "<!--" in trimmed and "<!--" not in code else trimmed


def minify_js(text: str) -> str:
    """The script without comments (except /*! … */ notices), indentation and blank lines."""
    out: list[str] = []
    code: list[str] = []  # plain code since the last string, regular expression or notice

    def flush() -> None:
        if code:
            out.append(_trim_code("".join(code)))
            code.clear()

    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"`":
            end = _string_end(text, i) if ch != "`" else _template_end(text, i)
            flush()
            out.append(text[i:end])
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            if text.startswith("/*!", i):
                flush()
                out.append(text[i:end])
            else:
                code.append(" ")
            i = end
        elif ch == "/" and _regex_allowed("".join(out[-1:]) + "".join(code)):
            end = _regex_end(text, i)
            flush()
            out.append(text[i:end])
            i = end
        else:
            code.append(ch)
            i += 1
    flush()
    return "".join(out).strip() + "\n"


CSS_SPACE_AROUND = re.compile(r"\s*([{};,>])\s*")


def minify_css(text: str) -> str:
    """The stylesheet without comments (except /*! … */) and without needless white space."""
    out, i, start = [], 0, 0
    pieces: list[tuple[bool, str]] = []  # (is_code, text)
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            end = _string_end(text, i)
            pieces.append((True, text[start:i]))
            pieces.append((False, text[i:end]))
            i = start = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            pieces.append((True, text[start:i]))
            if text.startswith("/*!", i):
                pieces.append((False, text[i:end]))
            else:
                pieces.append((True, " "))
            i = start = end
        else:
            i += 1
    pieces.append((True, text[start:]))
    for is_code, piece in pieces:
        if is_code:
            piece = re.sub(r"\s+", " ", piece)
            piece = CSS_SPACE_AROUND.sub(r"\1", piece)
        out.append(piece)
    return "".join(out).strip() + "\n"


# What keeps its white space: elements where it counts, comments, and tags that span lines.
HTML_KEPT = re.compile(
    r"<(pre|textarea|code|script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*\n[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
SPACE = " \t\r\f"  # HTML's white space (a no-break space is text, and stays)


def squeeze_html(text: str) -> str:
    """The page with each run of white space that holds a line break, outside tags and outside
    elements whose white space counts, turned into a single line break."""
    out, last = [], 0
    for match in HTML_KEPT.finditer(text):
        out.append(_squeeze(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_squeeze(text[last:]))
    return "".join(out)


def _squeeze(text: str) -> str:
    if "\n" not in text:
        return text
    first, *middle, last = text.split("\n")
    kept = [line.strip(SPACE) for line in middle]
    return "\n".join([first.rstrip(SPACE), *[line for line in kept if line], last.lstrip(SPACE)])


def shrink_site(site: Path) -> int:
    """Minify our own scripts and styles and squeeze every page, in place; return bytes saved.
    Material's files are minified already; vendored libraries keep their notices as they are."""
    scripts = sorted(site.glob("assets/*.js")) + sorted(
        site.glob("assets/javascripts/workers/kns-*.js")
    )
    saved = sum(shrink_file(path, minify_js) for path in scripts)
    saved += sum(shrink_file(path, minify_css) for path in sorted(site.glob("assets/*.css")))
    saved += sum(shrink_file(page, squeeze_html) for page in site.rglob("*.html"))
    return saved


def shrink_file(path: Path, shrink: Callable[[str], str]) -> int:
    """Rewrite `path` with `shrink` applied; return the bytes saved."""
    before = path.read_text(encoding="utf-8")
    after = shrink(before)
    if after != before:
        path.write_text(after, encoding="utf-8")
    return len(before.encode()) - len(after.encode())
