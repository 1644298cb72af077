"""A small CSS reader for the build's theme purge: rules with their preludes and bodies,
grouping at-rules with their children, and writing them back. Comments and strings are
respected; nothing is interpreted beyond the structure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

IDENT = re.compile(r"-?[_a-zA-Z\u00a0-\uffff][\w\u00a0-\uffff-]*")
GROUPING = {"media", "supports", "layer", "container", "document", "-moz-document"}


@dataclass
class Rule:
    """`prelude { body }`: a style rule (body = declarations) or an at-rule.
    Grouping at-rules (@media, @supports…) hold `children` instead of a body."""

    prelude: str
    body: str = ""
    children: list[Rule] | None = None
    statement: bool = False  # `@charset "UTF-8";`: no block at all


def _skip_string(text: str, i: int) -> int:
    """Index just past the string that starts at text[i]."""
    quote = text[i]
    i += 1
    while i < len(text) and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


STRING_OR_COMMENT = re.compile(
    r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|/\*.*?(?:\*/|$)""", re.DOTALL
)
IN_BLOCK = re.compile(r"""["'{}]""")
IN_SHEET = re.compile(r"""["'(){};]""")


def strip_comments(text: str) -> str:
    return STRING_OR_COMMENT.sub(lambda m: m.group(1) or "", text)


def _block_end(text: str, i: int) -> int:
    """Index of the `}` closing the block whose `{` is at text[i] (comments stripped)."""
    depth = 0
    while (match := IN_BLOCK.search(text, i)) is not None:
        i = match.start()
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
            continue
        depth += 1 if ch == "{" else -1
        if depth == 0:
            return i
        i += 1
    raise ValueError("unbalanced braces in CSS")


def parse(text: str) -> list[Rule]:
    """Rules and at-rules of a stylesheet without comments."""
    rules: list[Rule] = []
    i, start, parens = 0, 0, 0
    while (match := IN_SHEET.search(text, i)) is not None:
        i = match.start()
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
            continue
        if ch == "(":
            parens += 1
        elif ch == ")":
            parens -= 1
        elif ch == ";" and parens == 0:
            statement = text[start:i].strip()
            if statement:
                rules.append(Rule(statement, statement=True))
            start = i + 1
        elif ch == "{" and parens == 0:
            end = _block_end(text, i)
            prelude = text[start:i].strip()
            inner = text[i + 1 : end]
            if at_name(prelude) in GROUPING:
                rules.append(Rule(prelude, children=parse(inner)))
            else:
                rules.append(Rule(prelude, inner))
            i = start = end + 1
            continue
        i += 1
    return rules


def at_name(prelude: str) -> str | None:
    if not prelude.startswith("@"):
        return None
    match = IDENT.match(prelude, 1)
    return match.group(0).lower() if match else None


def serialize(rules: Iterable[Rule]) -> str:
    out = []
    for rule in rules:
        if rule.statement:
            out.append(f"{rule.prelude};")
        elif rule.children is not None:
            out.append(f"{rule.prelude}{{{serialize(rule.children)}}}")
        else:
            out.append(f"{rule.prelude}{{{rule.body}}}")
    return "".join(out)


def split_top(text: str, separator: str) -> list[str]:
    """Split at `separator` outside strings, (), and []."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def closing(text: str, i: int, opening: str, closing: str) -> int:
    """Index of the bracket closing the one at text[i]."""
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = _skip_string(text, i)
            continue
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text) - 1
