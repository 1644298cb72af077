"""The illustrations in content/media/: schematic SVGs a phone on a slow line can afford.

Every SVG there is published, referenced or not, so every one is read: a file that is not
well-formed XML shows as a broken picture, and one that runs a script, loads another host's
file or declares entities is refused. Size is a publishing rule (`validate --strict`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from kynangso.errors import Problem

SVG_BUDGET = 15 * 1024
# Entities can expand a small file into a huge one; a picture needs none.
DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# What makes a picture more than a drawing: code, another host's file, a bitmap inside.
UNSAFE = (
    (re.compile(r"<script", re.IGNORECASE), "holds a script"),
    (re.compile(r"<foreignObject", re.IGNORECASE), "holds HTML (foreignObject)"),
    (re.compile(r"<image", re.IGNORECASE), "embeds another picture (<image>): draw it instead"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "holds an event handler (on…=)"),
    (
        re.compile(r"(?:href|src)\s*=\s*[\"']\s*(?:https?:|//|javascript:|data:)", re.IGNORECASE),
        "links to another host's file",
    ),
)


def svg_problems(path: Path, shown_as: str) -> list[Problem]:
    """Why an SVG cannot be published as it is; none for a plain schematic drawing."""
    raw = path.read_bytes()
    declaration = DECLARATION.search(raw)
    if declaration:
        line = raw[: declaration.start()].count(b"\n") + 1
        return [Problem(shown_as, line, 1, "", "DOCTYPE or ENTITY is not allowed in an SVG")]
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        if reason == "mismatched tag":
            reason = "mismatched tag: an element opened above this line is never closed"
        return [
            Problem(
                shown_as,
                line,
                column + 1,
                "",
                f"broken SVG ({reason}): open it in a drawing program and save it again",
            )
        ]
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return [Problem(shown_as, 1, 1, "", "not an SVG: the outermost element must be <svg>")]
    text = raw.decode("utf-8", errors="replace")
    return [
        Problem(shown_as, text[: found.start()].count("\n") + 1, 1, "", f"the SVG {why}")
        for pattern, why in UNSAFE
        if (found := pattern.search(text))
    ]


def svg_too_large(path: Path, shown_as: str) -> Problem | None:
    """A warning when an SVG is over the budget a first visit on a slow line can afford."""
    size = path.stat().st_size
    if size <= SVG_BUDGET:
        return None
    return Problem(
        shown_as,
        1,
        1,
        "",
        f"SVG is {size / 1024:.1f} KB; the limit is {SVG_BUDGET // 1024} KB: simplify the drawing",
    )
