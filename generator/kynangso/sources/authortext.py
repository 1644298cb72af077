"""What author text may not hold: anything that could become code on a page.

Every text is shown as text. A lesson, quiz or page that holds an HTML tag, an attribute list
(`{: onclick=…}`), a link with a scheme other than http, https, mailto or tel (inline,
reference-style or autolink) or a control character is refused with its field named, before
the build; the renderer escapes and cleans as well, so this is the first line, not the only one.
In class mode lessons and the coach dashboard share one origin: code in a lesson could read
the coach's list of learners.
"""

from __future__ import annotations

import re
from typing import Any

from kynangso.sources.loading import PathKey

# A code span (`…`, ``…``); a blank line ends a paragraph and so any span; an escaped \` opens
# none. What is inside one is shown as it is (the site escapes it), so it is not checked.
CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(?:(?!\n[ \t]*\n).)*?(?<!`)\1(?!`)", re.DOTALL)
HTML_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|!--|![A-Za-z]|\?)")
# attr_list's syntax: `{:` or `{` before an id, a class or a name=value pair
ATTRIBUTE_LIST = re.compile(r"\{[ \t]*(?::|[#.][\w-]|[^{}\n]*?\b[\w-]+[ \t]*=)")
INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
REFERENCE_LINK = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*)>")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
SAFE_SCHEME = re.compile(r"^(https?://|mailto:|tel:)", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Invisible characters that hide inside a word: "VNe\u200bID" looks right and is found by no
# search, and a reader's screen reader stumbles on it. No Vietnamese or English text needs one.
ZERO_WIDTH = re.compile("[\u00ad\u180e\u200b-\u200d\u2060\ufeff]")
ZERO_WIDTH_NAMES = {
    "\u00ad": "soft hyphen",
    "\u180e": "Mongolian vowel separator",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "byte order mark",
}
# A real citizen ID number is 12 digits starting with 0; examples use made-up placeholders.
ID_LIKE = re.compile(r"(?<!\d)0\d{11}(?!\d)")
# One search that finds nothing in plain text: validate reads tens of thousands of texts.
SUSPECT = re.compile(
    "[<{\\]\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200d\u2060\ufeff]|0\\d{11}"
)
# Characters that show nothing: white space, controls, soft hyphen, zero-width space and
# joiners, direction marks, word joiner, BOM, variation selectors, Hangul fillers, tags.
INVISIBLE_ONLY = re.compile(
    "[\\s\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U000e0000-\U000e0fff]*"
)


def is_blank(text: str) -> bool:
    """Whether `text` shows nothing at all: empty, or only invisible characters."""
    return INVISIBLE_ONLY.fullmatch(text) is not None


def text_problems(text: str) -> list[str]:
    """What is wrong with one author text, as messages; none for plain text and Markdown."""
    if SUSPECT.search(text) is None:
        return []  # the common case: nothing below can match
    problems: list[str] = []
    control = CONTROL.search(text)
    if control:
        problems.append(
            f"control character U+{ord(control.group(0)):04X} is not allowed: remove it"
        )
    hidden = ZERO_WIDTH.search(text)
    if hidden and not is_blank(text):  # an all-invisible text is reported as empty instead
        char = hidden.group(0)
        before = text[max(0, hidden.start() - 12) : hidden.start()].split("\n")[-1]
        problems.append(
            f"invisible character U+{ord(char):04X} ({ZERO_WIDTH_NAMES[char]}) after "
            f"'{before}': delete it (retype the word around it)"
        )
    if ID_LIKE.search(text):
        problems.append(
            "12 digits starting with 0 look like a real citizen ID number: "
            "use a made-up example such as 0xx xxx xxx xxx"
        )
    prose = CODE_SPAN.sub("", text)
    tag = HTML_TAG.search(prose)
    if tag:
        problems.append(
            f"HTML '{_tag_at(prose, tag.start())}' is not allowed: write Markdown (**bold**, "
            "[text](https://…)); author text is shown as text"
        )
    attributes = ATTRIBUTE_LIST.search(prose)
    if attributes:
        problems.append(
            f"attribute list '{_braces_at(prose, attributes.start())}' is not allowed: "
            "author text cannot set HTML attributes"
        )
    problems += [
        f"link '{target}' is not allowed: use an https:// address or a page of this site"
        for target in link_targets(text)
        if SCHEME.match(target) and not SAFE_SCHEME.match(target)
    ]
    return problems


def link_targets(text: str) -> list[str]:
    """Every link target in `text`: inline `[a](x)`, reference `[a]: x` and autolink `<x>`."""
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text) + AUTOLINK.findall(text)


def strings(data: Any) -> list[tuple[PathKey, str]]:
    """Every text value in a loaded YAML document, with its path (a loop, not recursion:
    validate walks every file)."""
    found: list[tuple[PathKey, str]] = []
    stack: list[tuple[PathKey, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            found.append((path, value))
        elif isinstance(value, dict):
            stack.extend((path + (key,), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((path + (index,), item) for index, item in enumerate(value))
    return found


def _tag_at(text: str, start: int) -> str:
    end = text.find(">", start)
    shown = text[start : end + 1] if 0 <= end - start < 40 else text[start : start + 12] + "…"
    return " ".join(shown.split())


def _braces_at(text: str, start: int) -> str:
    end = text.find("}", start)
    shown = text[start : end + 1] if 0 <= end - start < 40 else text[start : start + 12] + "…"
    return " ".join(shown.split())
