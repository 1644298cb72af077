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
from dataclasses import dataclass
from typing import IO, Any

from kynangso.catalog import Catalog
from kynangso.classroom.database import Connection, PgConnection, Target, is_postgres

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
# At a hub (a store with teams) each line ends with the class's team and its place; a laptop's
# CSV keeps exactly COLUMNS.
HUB_COLUMNS = ("team", "place")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 4096  # CSV lines read from the database at a time


def safe_cell(value: Any) -> Any:
    """Numbers stay numbers; text that could run as a formula gets a leading apostrophe."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def completions_csv(rows: list[dict[str, Any]], catalog: Catalog | None = None) -> str:
    """The CSV text (with BOM) for completion rows from `store.completions`."""
    out = io.StringIO()
    _write(out, (_record(row) for row in rows), catalog)
    return out.getvalue()


def _record(row: dict[str, Any]) -> tuple[Any, ...]:
    """A store row as a tuple in `_STORED` order."""
    return (
        *(row[column] for column in _STORED[:9]),
        percent(row["score"], row["total"]),
        int(bool(row["passed"])),
        row["answered_at"],
        row["received_at"],
        row.get("day", ""),
    )


def percent(score: int, total: int) -> int:
    """Score as a whole percent, halves rounded up; the same arithmetic as the SQL below."""
    return (200 * score + total) // (2 * total) if total else 0


# Columns as they come from the store, in CSV order, without lesson_title and topic (from the
# catalog) and with percent, passed and the times computed in the query.
_STORED = tuple(column for column in COLUMNS if column not in ("lesson_title", "topic"))


def _write(out: IO[str], records: Iterable[tuple[Any, ...]], catalog: Catalog | None) -> None:
    """BOM, header and one line per record (a row in `_STORED` order); titles and topics from
    the catalog, looked up once per lesson; names neutralised."""
    extra: dict[str, tuple[str, str]] = {}
    out.write("\ufeff")
    writer = csv.writer(out, dialect="excel", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for record in records:
        lesson = record[5]
        if lesson not in extra:
            extra[lesson] = _lesson_cells(catalog, lesson)
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


def _lesson_cells(catalog: Catalog | None, lesson: str) -> tuple[str, str]:
    """(lesson_title, topic) of a CSV line: empty for a lesson this build does not have."""
    entry = catalog.lessons.get(lesson) if catalog is not None else None
    return ("", "") if entry is None else (safe_cell(entry.title.vi), entry.topic)


def write_completions(
    connection: Connection,
    code: str | None,
    catalog: Catalog | None,
    out: IO[str],
) -> None:
    """The CSV of one class (or every class) written by the database: each line is built by the
    query, quoting and neutralising included, and Python only passes the lines on. 69,000
    completions then cost little Python time, which matters because the server builds this in
    a thread beside the event loop that answers the phones. SQLite and PostgreSQL spell a few
    string functions differently (`_SQLITE`, `_POSTGRES`); the lines are the same."""
    from kynangso.classroom import store

    if store.schema_version(connection) < 2:  # a read-only look at an old store: no day column
        _write(out, (_record(row) for row in store.completions(connection, code)), catalog)
        return
    cells, params = _catalog_cells(catalog)
    hub = is_hub(connection)
    columns = COLUMNS + HUB_COLUMNS if hub else COLUMNS
    query = _lines(_POSTGRES if is_postgres(connection) else _SQLITE, hub=hub).format(catalog=cells)
    if code is not None:
        query += " WHERE c.class_code = ?"
        params.append(code)
    query += " ORDER BY c.answered_at, c.id"
    if isinstance(connection, PgConnection):
        # A hub may hold a million completions: read them in chunks through a server-side
        # cursor rather than all at once.
        out.write("\ufeff" + ",".join(columns) + "\r\n")
        out.writelines(line for (line,) in connection.stream(query, params, CHUNK_ROWS))
        return
    if isinstance(connection, sqlite3.Connection):
        cursor: Any = connection.cursor()
        cursor.row_factory = None  # plain tuples: the fastest rows sqlite3 makes
        cursor.execute(query, params)
    else:
        cursor = connection.execute(query, params)
    out.write("\ufeff" + ",".join(columns) + "\r\n")
    while lines := cursor.fetchmany(CHUNK_ROWS):
        out.writelines(line for (line,) in lines)


@dataclass(frozen=True)
class _Dialect:
    """The string functions the CSV lines need, as one database spells them."""

    char: str  # the function from a code point to a character
    needs_quotes: (
        str  # "{expr} holds a comma, a quote or a line break" (the characters are in the literal)
    )

    def chr(self, code: int) -> str:
        return f"{self.char}({code})"


_SQLITE = _Dialect(char="char", needs_quotes="{expr} GLOB '*[,\"\r\n]*'")
_POSTGRES = _Dialect(char="chr", needs_quotes="{expr} ~ '[,\"\r\n]'")


def _sql_text(sql: _Dialect, expr: str, *, human: bool = False) -> str:
    """SQL for one CSV text field, written as Python's csv module would (quoted only when it
    holds a comma, a quote or a line break); human-written text also gets the formula guard.
    Each test runs once per field: this runs for every row of a big class."""
    guard = ""
    quote = sql.chr(34)
    if human:
        guard = (
            f"(CASE WHEN substr({expr}, 1, 1) IN ('=', '+', '-', '@', {sql.chr(9)}, {sql.chr(13)})"
            f" THEN {sql.chr(39)} ELSE '' END) || "
        )
    return (
        f"(CASE WHEN {sql.needs_quotes.format(expr=expr)}"
        f" THEN {quote} || {guard}replace({expr}, {quote}, {quote} || {quote}) || {quote}"
        f" ELSE {guard}{expr} END)"
    )


def _lines(sql: _Dialect, *, hub: bool = False) -> str:
    """The query that writes one CSV line per completion; `{catalog}` is left to fill. At a hub
    each line ends with the class's team name and place (empty for a class made there)."""
    team = (
        (
            _sql_text(sql, "COALESCE(t.name, '')", human=True),
            _sql_text(sql, "COALESCE(t.place, '')", human=True),
        )
        if hub
        else ()
    )
    return (
        "SELECT "
        + " || ',' || ".join(
            (
                _sql_text(sql, "c.id"),
                _sql_text(sql, "c.class_code"),
                _sql_text(sql, "k.name", human=True),
                _sql_text(sql, "c.learner_id"),
                _sql_text(sql, "l.name", human=True),
                _sql_text(sql, "c.lesson"),
                "COALESCE(cat.cells, ',')",  # lesson_title and topic, already written by Python
                _sql_text(sql, "c.lang"),
                "c.score",
                "c.total",
                "(CASE WHEN c.total > 0 THEN (200 * c.score + c.total) / (2 * c.total) ELSE 0 END)",
                "(CASE WHEN c.passed <> 0 THEN 1 ELSE 0 END)",
                _sql_text(sql, "c.answered_at"),
                _sql_text(sql, "c.received_at"),
                _sql_text(sql, "c.day"),
                *team,
            )
        )
        + f" || {sql.chr(13)} || {sql.chr(10)}"
        " FROM completions c JOIN learners l ON l.id = c.learner_id"
        " JOIN classes k ON k.code = c.class_code"
        " LEFT JOIN ({catalog}) cat ON cat.lesson = c.lesson"
        + (" LEFT JOIN teams t ON t.id = k.team" if hub else "")
    )


def is_hub(connection: Connection) -> bool:
    """Whether the store holds teams: a commune hub, or a store that others were merged into."""
    from kynangso.classroom import store

    if store.schema_version(connection) < 4:
        return False
    return connection.execute("SELECT 1 FROM teams LIMIT 1").fetchone() is not None


def _catalog_cells(catalog: Catalog | None) -> tuple[str, list[Any]]:
    """A VALUES table of (lesson, its 'lesson_title,topic' as CSV) and its parameters."""
    params: list[Any] = []
    for lesson_id in catalog.lessons if catalog is not None else ():
        line = io.StringIO()
        csv.writer(line, dialect="excel", lineterminator="").writerow(
            _lesson_cells(catalog, lesson_id)
        )
        params += [lesson_id, line.getvalue()]
    if not params:
        return "SELECT NULL AS lesson, NULL AS cells", params
    rows = ", ".join(["(?, ?)"] * (len(params) // 2))
    return f"SELECT column1 AS lesson, column2 AS cells FROM (VALUES {rows}) AS v", params


def class_csv(db_path: Target, code: str | None, catalog: Catalog | None) -> bytes:
    """The CSV of one class on a read connection of its own: what the server builds in a worker
    thread, off the event loop."""
    from kynangso.classroom import store

    connection = store.reader(db_path)
    out = io.StringIO()
    try:
        write_completions(connection, code, catalog, out)
    finally:
        connection.close()
    return out.getvalue().encode("utf-8")
