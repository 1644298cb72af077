"""CSV of completions that opens cleanly in Excel, LibreOffice and Google Sheets.

UTF-8 with a byte-order mark (so Excel reads Vietnamese names right), one row per completion
with its `id`, numbers written as numbers, and any human-written text (class and learner names,
lesson titles) that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) neutralised with a leading apostrophe. Ids, codes and times are written as they are:
the API only accepts letters, digits, - and _ in them, which cannot call a function, and an
apostrophe would break them as keys (learner ids are made never to start with - for this).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

COLUMNS = (
    "id",
    "class_code",
    "class_name",
    "learner_id",
    "learner_name",
    "lesson",
    "lesson_title",
    "topic",
    "lang",
    "score",
    "total",
    "percent",
    "passed",
    "answered_at",
    "received_at",
    "day",
)
HUMAN_TEXT = frozenset({"class_name", "learner_name", "lesson_title"})
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Numbers stay numbers; text that could run as a formula gets a leading apostrophe."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def completions_csv(rows: list[dict[str, Any]], catalog: dict[str, Any] | None = None) -> str:
    """The CSV text (with BOM) for completion rows from `store.completions`."""
    lessons = (catalog or {}).get("lessons", {})
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, dialect="excel", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for row in rows:
        lesson = lessons.get(row["lesson"], {})
        record = {
            **row,
            "lesson_title": lesson.get("title", {}).get("vi", ""),
            "topic": lesson.get("topic", ""),
            "percent": round(100 * row["score"] / row["total"]) if row["total"] else 0,
            "passed": 1 if row["passed"] else 0,
        }
        writer.writerow([_cell(column, record.get(column)) for column in COLUMNS])
    return out.getvalue()


def _cell(column: str, value: Any) -> Any:
    if column in HUMAN_TEXT:
        return safe_cell(value)
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value


def class_csv(db_path: Path, code: str | None, catalog: dict[str, Any] | None) -> bytes:
    """The CSV of one class (or every class) read on a connection of its own: what the server
    builds in a worker thread, off the event loop."""
    from . import store

    connection = store.reader(db_path)
    try:
        rows = store.completions(connection, code)
    finally:
        connection.close()
    return completions_csv(rows, catalog).encode("utf-8")
