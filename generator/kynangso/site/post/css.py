"""The theme purge's view of a stylesheet: style rules with their declarations and nested
rules, grouping at-rules (@media, @supports…) with their children, other at-rules as written,
and writing them back. tinycss2 reads it (CSS Syntax Level 3, with nesting), so strings,
comments, escapes and nested blocks are read as a browser reads them; nothing is interpreted
beyond the structure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# tinycss2 ships no type information: its nodes are Any here, and what we build from them is typed.
import tinycss2  # type: ignore[import-untyped]
from tinycss2.ast import AtRule, Node, QualifiedRule  # type: ignore[import-untyped]
from tinycss2.serializer import serialize_identifier  # type: ignore[import-untyped]

IDENT = re.compile(r"-?[_a-zA-Z\u00a0-\uffff][\w\u00a0-\uffff-]*")
GROUPING = {
    "media",
    "supports",
    "layer",
    "container",
    "document",
    "-moz-document",
    "scope",
    "starting-style",
}


@dataclass
class Declaration:
    """`name:value` in a style rule (or in a grouping at-rule nested in one)."""

    name: str
    value: str  # as written, with `!important` when it has it

    def __str__(self) -> str:
        return f"{self.name}:{self.value}"


@dataclass
class Rule:
    """`prelude { … }`. A style rule or a grouping at-rule holds `items`: declarations and
    nested rules, in their order. Any other at-rule (@font-face, @keyframes, @page…) keeps its
    block as written in `body`. With neither, it is a statement: `@charset "UTF-8";`."""

    prelude: str
    items: list[Rule | Declaration] | None = None
    body: str | None = None

    @property
    def statement(self) -> bool:
        return self.items is None and self.body is None

    @property
    def at(self) -> str | None:
        return at_name(self.prelude)

    @property
    def declarations(self) -> list[Declaration]:
        return [item for item in self.items or () if isinstance(item, Declaration)]

    @property
    def rules(self) -> list[Rule]:
        return [item for item in self.items or () if isinstance(item, Rule)]

    def with_items(self, items: list[Rule | Declaration]) -> Rule:
        return Rule(self.prelude, items=items)


def strip_comments(text: str) -> str:
    """The stylesheet without comments (tokens that would run together keep an empty `/**/`)."""
    tokens = tinycss2.parse_component_value_list(text, skip_comments=True)
    return str(tinycss2.serialize(tokens))


def parse(text: str) -> list[Rule]:
    """Rules and at-rules of a stylesheet. Anything a browser would drop as invalid is dropped."""
    return list(_rules(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)))


def _rules(nodes: Iterable[Node], nested: bool = False) -> Iterator[Rule]:
    for item in _items(nodes, nested):
        if isinstance(item, Rule):
            yield item


def _items(nodes: Iterable[Node], nested: bool) -> Iterator[Rule | Declaration]:
    for node in nodes:
        if node.type == "declaration":
            value = tinycss2.serialize(node.value).strip()
            important = "!important" if node.important else ""
            yield Declaration(serialize_identifier(node.name), value + important)
        elif isinstance(node, QualifiedRule):
            prelude = tinycss2.serialize(node.prelude).strip()
            yield Rule(prelude, items=list(_items(_block(node.content), nested=True)))
        elif isinstance(node, AtRule):
            yield _at_rule(node, nested)


def _at_rule(node: AtRule, nested: bool) -> Rule:
    prelude = f"@{serialize_identifier(node.at_keyword)}{tinycss2.serialize(node.prelude)}"
    prelude = prelude.rstrip()
    if node.content is None:
        return Rule(prelude)
    if node.lower_at_keyword not in GROUPING:
        return Rule(prelude, body=tinycss2.serialize(node.content))
    # Inside a style rule a group holds declarations too; at the top it holds rules only.
    content = _block(node.content) if nested else _rule_list(node.content)
    return Rule(prelude, items=list(_items(content, nested)))


def _block(content: list[Node]) -> list[Node]:
    nodes: list[Node] = tinycss2.parse_blocks_contents(
        content, skip_comments=True, skip_whitespace=True
    )
    return nodes


def _rule_list(content: list[Node]) -> list[Node]:
    nodes: list[Node] = tinycss2.parse_rule_list(content, skip_comments=True, skip_whitespace=True)
    return nodes


def at_name(prelude: str) -> str | None:
    if not prelude.startswith("@"):
        return None
    match = IDENT.match(prelude, 1)
    return match.group(0).lower() if match else None


def serialize(items: Iterable[Rule | Declaration]) -> str:
    """The rules (and declarations, in a block) written back without needless white space."""
    out: list[str] = []
    after_declaration = False
    for item in items:
        if after_declaration:
            out.append(";")  # between a declaration and what follows it, never after the last
        after_declaration = isinstance(item, Declaration)
        if isinstance(item, Declaration):
            out.append(str(item))
        elif item.statement:
            out.append(f"{item.prelude};")
        elif item.items is not None:
            out.append(f"{item.prelude}{{{serialize(item.items)}}}")
        else:
            out.append(f"{item.prelude}{{{item.body}}}")
    return "".join(out)


def _skip_string(text: str, i: int) -> int:
    """Index just past the string that starts at text[i]."""
    quote = text[i]
    i += 1
    while i < len(text) and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def split_top(text: str, separator: str) -> list[str]:
    """Split a selector list at `separator` outside strings, (), and []."""
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
    """Index of the bracket closing the one at text[i] in a selector."""
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
