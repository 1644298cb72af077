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
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

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
HUMAN_TEXT = ("class_name", "learner_name", "lesson_title")
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
    records = (
        (
            *(row[column] for column in _STORED[:9]),
            percent(row["score"], row["total"]),
            int(bool(row["passed"])),
            row["answered_at"],
            row["received_at"],
            row.get("day", ""),
        )
        for row in rows
    )
    out = io.StringIO()
    _write(out, records, catalog)
    return out.getvalue()


def percent(score: int, total: int) -> int:
    """Score as a whole percent, halves rounded up; the same arithmetic as the SQL below."""
    return (200 * score + total) // (2 * total) if total else 0


# Columns as they come from the store, in CSV order, without lesson_title and topic (from the
# catalog) and with percent, passed and the times computed in the query.
_STORED = tuple(column for column in COLUMNS if column not in ("lesson_title", "topic"))
_QUERY = (
    "SELECT c.id, c.class_code, k.name, c.learner_id, l.name, c.lesson, c.lang, c.score, c.total,"
    " CASE WHEN c.total > 0 THEN (200 * c.score + c.total) / (2 * c.total) ELSE 0 END,"
    " CASE WHEN c.passed THEN 1 ELSE 0 END, c.answered_at, c.received_at, {day}"
    " FROM completions c JOIN learners l ON l.id = c.learner_id JOIN classes k ON k.code = c.class_code"
)


def _write(
    out: IO[str], records: Iterable[tuple[Any, ...]], catalog: dict[str, Any] | None
) -> None:
    """BOM, header and one line per record (a row in `_STORED` order); titles and topics from
    the catalog, looked up once per lesson; names neutralised."""
    lessons = (catalog or {}).get("lessons", {})
    extra: dict[str, tuple[str, str]] = {}
    out.write("\ufeff")
    writer = csv.writer(out, dialect="excel", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for record in records:
        lesson = record[5]
        if lesson not in extra:
            info = lessons.get(lesson, {})
            extra[lesson] = (safe_cell(info.get("title", {}).get("vi", "")), info.get("topic", ""))
        title, topic = extra[lesson]
        writer.writerow(
            (
                *record[:2],
                safe_cell(record[2]),
                record[3],
                safe_cell(record[4]),
                lesson,
                title,
                topic,
                *record[6:],
            )
        )


def write_completions(
    connection: sqlite3.Connection,
    code: str | None,
    catalog: dict[str, Any] | None,
    out: IO[str],
) -> None:
    """The CSV of one class (or every class) straight from SQL: the query does the arithmetic
    and Python only writes lines, so 69,000 completions take a fraction of a second."""
    from . import store

    stored_day = store.schema_version(connection) >= 2
    query = _QUERY.format(day="c.day" if stored_day else "c.received_at")
    params: tuple[str, ...] = ()
    if code is not None:
        query += " WHERE c.class_code = ?"
        params = (code,)
    cursor = connection.cursor()
    cursor.row_factory = None  # plain tuples
    records: Iterable[tuple[Any, ...]] = cursor.execute(
        query + " ORDER BY c.answered_at, c.id", params
    )
    if not stored_day:  # a read-only look at an old store: work the day out here
        records = ((*r[:-1], store.completion_day(r[11], r[12])) for r in records)
    _write(out, records, catalog)


def class_csv(db_path: Path, code: str | None, catalog: dict[str, Any] | None) -> bytes:
    """The CSV of one class on a read connection of its own: what the server builds in a worker
    thread, off the event loop."""
    from . import store

    connection = store.reader(db_path)
    out = io.StringIO()
    try:
        write_completions(connection, code, catalog, out)
    finally:
        connection.close()
    return out.getvalue().encode("utf-8")
