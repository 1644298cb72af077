"""Read one YAML source file into plain data plus the line/column of every value.

Every scalar stays a string ("no", "yes", "on" are text, not booleans); the pydantic models
turn strings into numbers, dates and booleans only where a field asks for one. Problems a
file can have before it is even data (encoding, tabs, syntax, duplicate keys, aliases) come
back as `Problem`s, never as exceptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kynangso.errors import Problem

MAX_FILE_BYTES = 256 * 1024

PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """A loaded YAML file: its data and where each value and key starts (1-based)."""

    file: str
    data: Any
    value_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def mark(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """The closest known position for a path: the value itself, or its nearest parent."""
        marks = self.key_marks if key else self.value_marks
        probe = tuple(path)
        while probe:
            if probe in marks:
                return marks[probe]
            if not key and probe in self.value_marks:
                return self.value_marks[probe]
            probe = probe[:-1]
        return self.value_marks.get((), (1, 1))


_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _AliasFound(Exception):
    """A node reached twice while converting: the file uses an alias (*name)."""


def _first_alias(text: str) -> tuple[int, int]:
    """Where the first alias (*name) stands; only called for a file that has one."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, AliasEvent) and event.start_mark is not None:
            return event.start_mark.line + 1, event.start_mark.column + 1
    return 1, 1


def load_yaml(path: Path, shown_as: str) -> tuple[Document | None, list[Problem]]:
    """Load one file; on any problem return None and the problems, each with a position."""

    def problem(line: int, column: int, message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(shown_as, line, column, "", message)]

    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        return problem(
            1, 1, f"file is {len(raw) // 1024} KB; the limit is {MAX_FILE_BYTES // 1024} KB"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return problem(line, column, "not UTF-8 text: save the file with UTF-8 encoding")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return problem(1, 1, "file is empty")
    tab_problems = _tab_problems(text, shown_as)
    if tab_problems:
        return None, tab_problems
    try:
        # libyaml composes an alias as a second reference to the anchored node, in linear
        # time, so an alias bomb costs nothing until conversion, which refuses any reuse.
        loader = _FastLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or str(exc)
        if exc.context and "alias" not in message:
            message = f"{exc.context}, {message}"
        return problem(*syntax_hint(text, line, column, message))
    if root is None:
        return problem(1, 1, "file is empty")
    doc = Document(shown_as, None)
    problems: list[Problem] = []
    try:
        doc.data = _to_data(root, (), doc, problems, set())
    except _AliasFound:
        return problem(
            *_first_alias(text), "YAML syntax: aliases (*name) are not allowed: write the text out"
        )
    return (None if problems else doc), problems


# Spaces YAML does not count as indentation: a no-break space (typed with Option-space, or
# pasted from a web page) silently glues a line onto the text above it.
ODD_SPACES = {
    "\t": "tab character",
    "\u00a0": "no-break space (U+00A0)",
    "\u2007": "figure space (U+2007)",
    "\u202f": "narrow no-break space (U+202F)",
    "\u3000": "ideographic space (U+3000)",
}


def _tab_problems(text: str, shown_as: str) -> list[Problem]:
    found = []
    blanks = " " + "".join(ODD_SPACES)
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(blanks))]
        odd = next((i for i, char in enumerate(indent) if char in ODD_SPACES), None)
        if odd is not None:
            found.append(
                Problem(
                    shown_as,
                    number,
                    odd + 1,
                    "",
                    f"{ODD_SPACES[indent[odd]]} in indentation: indent with spaces",
                )
            )
    return found


def syntax_hint(text: str, line: int, column: int, parser: str) -> tuple[int, int, str]:
    """A YAML syntax error in plain words, at the line where the mistake most likely is.

    The parser notices a mistake where it stops making sense, which can be lines later (an
    unclosed quote swallows every line until the next quote), so the likely cause is looked for
    first, and the parser's own words are kept at the end for anyone who knows them.
    """
    lines = text.splitlines()
    opened = _unclosed_quote(lines[:line])
    if opened is not None:
        quote_line, quote_column = opened
        return (
            quote_line,
            quote_column,
            f"YAML syntax: the quote opened on line {quote_line} is never closed: end the text "
            f'with " on the same line (parser: {parser})',
        )
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if _text_after_quote(current):
        hint = "text after the closing quote: put the whole text inside the quotes"
    elif "flow" in parser:
        hint = "a [ or { on this line or above is not closed with ] or }, or a comma is missing"
    elif (
        "expected key" in parser or "not allowed in this context" in parser or "block end" in parser
    ):
        hint = (
            "check the indentation of this line and the one above: names of the same block "
            "start in the same column"
        )
    elif "could not find expected ':'" in parser:
        hint = (
            "a line of fields has no 'name: value': check for a missing ':' on this line or above"
        )
    else:
        hint = "check this line and the one above"
    return line, column, f"YAML syntax: {hint} (parser: {parser})"


# `name: "text` or `- "text` with no closing quote on the line
QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s"'#:][^:#]*:\s+)?(["'])""")


def _unclosed_quote(lines: list[str]) -> tuple[int, int] | None:
    """Where the last quoted text that does not end on its own line opens, if any."""
    found = None
    for number, line in enumerate(lines, start=1):
        match = QUOTED_VALUE.match(line)
        if match is None:
            continue
        quote = match.group(1)
        rest = line[match.end() :]
        closing = re.search(r'(?<!\\)"', rest) if quote == '"' else re.search(r"'(?!')", rest)
        if closing is None:
            found = (number, match.end())
    return found


def _text_after_quote(line: str) -> bool:
    match = QUOTED_VALUE.match(line)
    if match is None or match.group(1) != '"':
        return False
    closing = re.search(r'(?<!\\)"', line[match.end() :])
    if closing is None:
        return False
    after = line[match.end() + closing.end() :].strip()
    return bool(after) and not after.startswith("#") and after[0] not in ",}]"


def _to_data(
    node: Node, path: PathKey, doc: Document, problems: list[Problem], seen: set[int]
) -> Any:
    if id(node) in seen:
        raise _AliasFound
    seen.add(id(node))
    doc.value_marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, ScalarNode):
        if node.value == "" and not node.style:
            return None
        if not node.style and _curly_quoted(node.value):
            problems.append(
                Problem(
                    doc.file,
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                    field_path(path),
                    f"text wrapped in curly quotes {node.value[0]}…{node.value[-1]}: YAML quotes "
                    'are straight ("…"); retype them, or the curly quotes show on the page',
                )
            )
        return str(node.value)
    if isinstance(node, SequenceNode):
        return [
            _to_data(item, path + (i,), doc, problems, seen) for i, item in enumerate(node.value)
        ]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line, key_column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, ScalarNode):
                problems.append(
                    Problem(
                        doc.file, key_line, key_column, field_path(path), "a key must be plain text"
                    )
                )
                continue
            key = str(key_node.value)
            if key in result:
                first = doc.key_marks[path + (key,)][0]
                problems.append(
                    Problem(
                        doc.file,
                        key_line,
                        key_column,
                        field_path(path + (key,)),
                        f"duplicate key (first given on line {first})",
                    )
                )
                continue
            doc.key_marks[path + (key,)] = (key_line, key_column)
            result[key] = _to_data(value_node, path + (key,), doc, problems, seen)
        return result
    return None


# Word processors and phone keyboards turn "…" into “…”: YAML then keeps the curly quotes as
# part of the text instead of reading them as quotes.
OPENING_QUOTES = "“‘„«"
CLOSING_QUOTES = "”’“»"


def _curly_quoted(value: str) -> bool:
    return len(value) > 1 and value[0] in OPENING_QUOTES and value[-1] in CLOSING_QUOTES


def field_path(path: PathKey) -> str:
    """`steps[2].title.en` for ("steps", 1, "title", "en"): list positions count from 1."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out
