"""The class store: classes, learners and quiz completions in one SQLite file (the laptop) or
a PostgreSQL database (the commune hub); `database` tells the two apart.

WAL with synchronous=FULL: a completion is on disk before the server answers 2xx, so a power
cut on the facilitator's laptop never loses what a phone was told was saved. Completions are
keyed by the id the phone made, so a retry is counted once.

The schema has a version (`PRAGMA user_version`; a one-row table on PostgreSQL); `connect` brings an older store up to date
with `MIGRATIONS`, one function per version, each in its own transaction. Each completion keeps
the phone's time as sent and, beside it, the day it counts for (`completion_day`), so charts
and reports group by one column and a phone with a wrong clock cannot move a completion to 1970.

Beside it: the tallies' tables and triggers (`tallies`), a class's PIN (`pins`), coach sessions
(`sessions`), and the care of a SQLite file: checkpoints, backup, lock file, restore (`storefile`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from kynangso.classroom import database, pins, tallies
from kynangso.classroom.database import Connection, Target

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
CODE_LENGTH = 6
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# A phone's clock before this, or more than a day after the laptop received the completion, is
# wrong (a reset battery, a hand-set year): the completion then counts on the day it arrived.
EARLIEST_PLAUSIBLE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
AHEAD_ALLOWED = dt.timedelta(days=1)
WAL_SIZE_LIMIT = database.WAL_SIZE_LIMIT
# sqlite3's and psycopg's constraint errors, as one tuple for `except`.
IntegrityError = database.IntegrityError

# The tables as the first released version made them (schema version 1). Never edit it: a
# change to the store is a new function appended to MIGRATIONS.
SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    pin_salt    BLOB NOT NULL,
    pin_hash    BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS learners (
    id          TEXT PRIMARY KEY,
    class_code  TEXT NOT NULL REFERENCES classes(code),
    name        TEXT NOT NULL,
    joined_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS completions (
    id           TEXT PRIMARY KEY,
    class_code   TEXT NOT NULL REFERENCES classes(code),
    learner_id   TEXT NOT NULL REFERENCES learners(id),
    lesson       TEXT NOT NULL,
    lang         TEXT NOT NULL,
    score        INTEGER NOT NULL,
    total        INTEGER NOT NULL,
    passed       INTEGER NOT NULL,
    answered_at  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    answers      TEXT
);
CREATE INDEX IF NOT EXISTS completions_by_class ON completions(class_code, answered_at);
CREATE TABLE IF NOT EXISTS sessions (
    token       TEXT PRIMARY KEY,
    class_code  TEXT NOT NULL REFERENCES classes(code),
    expires_at  TEXT NOT NULL
);
"""


class StoreError(Exception):
    """A request the store cannot satisfy: unknown class or learner."""


def _create_tables(connection: Connection) -> None:
    """Version 1: the first tables. A store made before versions were recorded already has
    them (every statement is IF NOT EXISTS), so it simply gets the number."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)


def _add_completion_day(connection: Connection) -> None:
    """Version 2: the day each completion counts for, so SQL can group by it, and an index
    that answers the dashboard's counts."""
    connection.execute("ALTER TABLE completions ADD COLUMN day TEXT NOT NULL DEFAULT ''")
    rows = connection.execute("SELECT id, answered_at, received_at FROM completions").fetchall()
    connection.executemany(
        "UPDATE completions SET day = ? WHERE id = ?",
        [(completion_day(row[1], row[2]), row[0]) for row in rows],
    )
    connection.execute(
        "CREATE INDEX IF NOT EXISTS completions_by_class_day ON completions(class_code, day)"
    )
    # Covers every count the dashboard makes, so SQLite reads the index alone instead of
    # fetching each of a class's rows from the table.
    connection.execute(
        "CREATE INDEX IF NOT EXISTS completions_by_class_lesson"
        " ON completions(class_code, lesson, learner_id, passed, answers)"
    )


def _hash_session_tokens(connection: Connection) -> None:
    """Version 3: sessions keep only the sha256 of their token, so a copy of the store (a
    backup, a USB stick) holds nothing that opens the dashboard. Sessions last 12 hours: the
    old ones are dropped, which only asks a coach to log in again."""
    connection.execute("DROP TABLE IF EXISTS sessions")
    connection.execute(
        "CREATE TABLE sessions ("
        " token_hash TEXT PRIMARY KEY,"  # sha256 hex of the cookie's token
        " class_code TEXT NOT NULL REFERENCES classes(code),"
        " expires_at TEXT NOT NULL)"
    )


def _add_teams_and_sync(connection: Connection) -> None:
    """Version 4: the commune hub. `teams` are the teams allowed to sync to this store (the
    token kept only as its sha256); `classes.team` is the team a class belongs to ('' for a
    class made in this store), so a hub keeps two laptops' same code apart. On a laptop,
    `sync_acks` records what the hub acknowledged for each team the store synced as (a learner
    with `named` saying whether its name went too) and `sync_team` the teams it synced as."""
    connection.execute(
        "CREATE TABLE teams ("
        " id TEXT PRIMARY KEY,"
        " name TEXT NOT NULL,"
        " place TEXT NOT NULL,"
        " token_hash TEXT NOT NULL,"  # sha256 hex of the team's token; '' when it has none
        " created_at TEXT NOT NULL)"
    )
    connection.execute("CREATE INDEX teams_by_token ON teams(token_hash)")
    connection.execute("ALTER TABLE classes ADD COLUMN team TEXT NOT NULL DEFAULT ''")
    connection.execute(
        "CREATE TABLE sync_acks ("
        " team TEXT NOT NULL,"
        " kind TEXT NOT NULL,"  # class, learner or completion
        " id TEXT NOT NULL,"
        " named INTEGER NOT NULL,"
        " PRIMARY KEY (team, kind, id))"
    )
    connection.execute(
        "CREATE TABLE sync_team ("
        " team TEXT PRIMARY KEY,"
        " name TEXT NOT NULL,"
        " place TEXT NOT NULL,"
        " hub TEXT NOT NULL,"
        " synced_at TEXT NOT NULL)"
    )


def _add_people_and_commune(connection: Connection) -> None:
    """Version 5: a learner entry can point at the entry of the same person (`same_as`, the
    kept entry of a merge; NULL for a person's own entry), a class can be closed to new joins
    (`closed_at`), and the commune view has a PIN and sessions of its own. Text columns and
    plain tables only, so the same statements run on every database the store supports."""
    connection.execute("ALTER TABLE learners ADD COLUMN same_as TEXT")
    connection.execute("ALTER TABLE classes ADD COLUMN closed_at TEXT")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )
    connection.execute(
        "CREATE TABLE IF NOT EXISTS commune_sessions"
        " (token_hash TEXT PRIMARY KEY, expires_at TEXT NOT NULL)"
    )


def _add_tallies(connection: Connection) -> None:
    """Version 6: the commune's counts kept as they happen (`tallies`): attempts and passes
    per (class, learner entry, lesson or month), kept by triggers on `completions`."""
    tallies.create(connection)


# One function per schema version, in order: MIGRATIONS[n] takes a store from version n to
# n + 1. Append only. (The sessions table is part of version 1; a change to it, like any other,
# is a new function at the end.)
MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_tables,
    _add_completion_day,
    _hash_session_tokens,
    _add_teams_and_sync,
    _add_people_and_commune,
    _add_tallies,
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: Connection) -> int:
    return database.schema_version(connection)


def migrate(connection: Connection) -> None:
    """Bring the store to SCHEMA_VERSION, one version per transaction (`database.migrate`:
    two processes opening an old store at once do not run a migration twice)."""
    database.migrate(connection, MIGRATIONS)
    _refuse_newer(connection)


@dataclass(frozen=True)
class Completion:
    """One finished quiz attempt, as the phone reports it."""

    id: str
    class_code: str
    learner_id: str
    lesson: str
    lang: str
    score: int
    total: int
    passed: bool
    answered_at: str
    answers: list[bool] | None = None


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _moment(text: Any) -> dt.datetime | None:
    """A stored time as an aware UTC datetime; None for anything unreadable or out of range."""
    try:
        moment = dt.datetime.fromisoformat(str(text))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None


def completion_day(answered_at: Any, received_at: Any) -> str:
    """The day (YYYY-MM-DD, Vietnam time) a completion counts for: the phone's time when it
    is plausible, else the time the server received it. '' only if neither can be read."""
    received = _moment(received_at)
    answered = _moment(answered_at)
    if answered is not None and received is not None and not _plausible(answered, received):
        answered = None
    moment = answered or received
    try:
        return "" if moment is None else moment.astimezone(VIETNAM).date().isoformat()
    except OverflowError:  # 9999-12-31 late in the evening is already year 10000 in Vietnam
        return ""


def _plausible(answered: dt.datetime, received: dt.datetime) -> bool:
    try:
        return EARLIEST_PLAUSIBLE <= answered <= received + AHEAD_ALLOWED
    except OverflowError:
        return False


def connect(db_path: Target) -> Connection:
    """Open (and create, and migrate) the store at a SQLite path or a PostgreSQL URL, with the
    settings every writer relies on (WAL and synchronous=FULL on SQLite)."""
    connection = database.connect(db_path, MIGRATIONS)
    try:
        _refuse_newer(connection)
    except StoreError:
        connection.close()
        raise
    return connection


def _refuse_newer(connection: Connection) -> None:
    found = schema_version(connection)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"this class store has schema version {found}, newer than this kynangso knows"
            f" ({SCHEMA_VERSION}): update kynangso before opening it"
        )


def reader(db_path: Target) -> Connection:
    """A read-only connection of its own, for work done off the event loop (dashboard, CSV);
    it never creates or migrates anything."""
    return database.reader(db_path)


def create_class(connection: Connection, name: str, pin: str) -> str:
    """A new class with a fresh code; the PIN is kept only as a salted scrypt hash."""
    salt = secrets.token_bytes(16)
    digest = pins.hash_pin(pin, salt)
    for _ in range(100):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        # ON CONFLICT, not an exception: on PostgreSQL a failed INSERT would end the writer's
        # whole transaction, not just this statement.
        cursor = connection.execute(
            "INSERT INTO classes (code, name, pin_salt, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (code, name, salt, digest, now()),
        )
        if cursor.rowcount == 1:
            return code
    raise StoreError("could not find a free class code")


def class_name(connection: Connection, code: str) -> str | None:
    row = connection.execute("SELECT name FROM classes WHERE code = ?", (code,)).fetchone()
    return None if row is None else str(row["name"])


def new_learner_id() -> str:
    """16 URL-safe characters starting with a letter or digit: an id that starts with - (or
    any of = + @) would be taken for a formula by a spreadsheet opening the CSV."""
    while True:
        learner_id = secrets.token_urlsafe(12)
        if learner_id[0].isalnum():
            return learner_id


def add_learner(connection: Connection, code: str, name: str) -> str:
    if class_name(connection, code) is None:
        raise StoreError("unknown class")
    learner_id = new_learner_id()
    connection.execute(
        "INSERT INTO learners (id, class_code, name, joined_at) VALUES (?, ?, ?, ?)",
        (learner_id, code, name, now()),
    )
    return learner_id


def add_completion(connection: Connection, completion: Completion) -> bool:
    """Store a completion once; True when it is new, False when that id was already kept.
    Raises StoreError for a learner not in the completion's class."""
    stored = insert_completion(connection, completion, now())
    if stored is None:
        raise StoreError("unknown class or learner")
    return stored


def add_completions(
    connection: Connection, completions: Sequence[Completion]
) -> list[bool | StoreError]:
    """`add_completion` for many at once, in one INSERT: per completion, True when new,
    False when its id was already kept, or the StoreError `add_completion` would raise. The
    writer stores the completions that wait together this way."""
    received_at = now()
    stored = insert_completions(connection, [(c, received_at) for c in completions])
    return [StoreError("unknown class or learner") if s is None else s for s in stored]


COMPLETION_COLUMNS = (
    "id, class_code, learner_id, lesson, lang, score, total, passed, answered_at, received_at,"
    " answers, day"
)
# Rows per statement: 12 values each, well under SQLite's 32,766 and PostgreSQL's 65,535
# parameters per statement.
ROWS_PER_INSERT = 500


def insert_completions(
    connection: Connection, received: Sequence[tuple[Completion, str]]
) -> list[bool | None]:
    """`insert_completion` for many (each with its receipt time), one statement per 500: on
    PostgreSQL a statement is a round trip, and a batch of 500 completions from a laptop, or
    the 30 that 60 phones posted in the same few milliseconds, cost one, not one each."""
    # The same id twice in one batch (a phone that sent again): which of the two rows one
    # statement keeps is the database's choice, so each later copy goes in a statement after
    # the earlier one, as if they came one at a time.
    rounds: list[list[int]] = []
    copies: dict[str, int] = {}
    for index, (completion, _) in enumerate(received):
        copy = copies[completion.id] = copies.get(completion.id, -1) + 1
        if copy == len(rounds):
            rounds.append([])
        rounds[copy].append(index)
    outcomes: list[bool | None] = [None] * len(received)
    for indexes in rounds:
        for start in range(0, len(indexes), ROWS_PER_INSERT):
            part = indexes[start : start + ROWS_PER_INSERT]
            for index, outcome in zip(
                part, _insert_rows(connection, [received[i] for i in part]), strict=True
            ):
                outcomes[index] = outcome
    return outcomes


def _insert_rows(
    connection: Connection, received: Sequence[tuple[Completion, str]]
) -> list[bool | None]:
    if not received:
        return []
    rows = json.dumps(
        [_completion_values(completion, at) for completion, at in received],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    # A row goes in only when its learner is in its class. `WHERE true` keeps SQLite from
    # reading ON CONFLICT as the join's ON.
    inserted = connection.execute(
        f"INSERT INTO completions ({COMPLETION_COLUMNS}) SELECT {_JSON_COLUMNS}"
        f" FROM {database.json_rows(connection)}"
        " JOIN learners l ON l.id = r.value ->> 2 AND l.class_code = r.value ->> 1 WHERE true"
        " ON CONFLICT DO NOTHING RETURNING id",
        (rows,),
    ).fetchall()
    new = {row[0] for row in inserted}  # ids are unique within one statement's rows
    outcomes = [completion.id in new for completion, _ in received]
    # What did not go in: an id kept before (False), or a learner not in its class (None).
    asked = {c.learner_id for (c, _), ok in zip(received, outcomes, strict=True) if not ok}
    classes = _learner_classes(connection, sorted(asked))
    return [
        True if ok else (False if classes.get(c.learner_id) == c.class_code else None)
        for (c, _), ok in zip(received, outcomes, strict=True)
    ]


# The completion's values from its JSON row, numbers cast (PostgreSQL's ->> gives text).
_JSON_COLUMNS = ", ".join(
    f"CAST(r.value ->> {n} AS INTEGER)" if n in (5, 6, 7) else f"r.value ->> {n}" for n in range(12)
)


def _learner_classes(connection: Connection, learner_ids: Sequence[str]) -> dict[str, str]:
    if not learner_ids:
        return {}
    marks = ", ".join("?" * len(learner_ids))
    rows = connection.execute(
        f"SELECT id, class_code FROM learners WHERE id IN ({marks})", tuple(learner_ids)
    )
    return {str(row[0]): str(row[1]) for row in rows}


def _completion_values(completion: Completion, received_at: str) -> tuple[Any, ...]:
    answers = None
    if completion.answers is not None:
        answers = "".join("1" if ok else "0" for ok in completion.answers)
    return (
        completion.id,
        completion.class_code,
        completion.learner_id,
        completion.lesson,
        completion.lang,
        completion.score,
        completion.total,
        int(completion.passed),
        completion.answered_at,
        received_at,
        answers,
        completion_day(completion.answered_at, received_at),
    )


def insert_completion(
    connection: Connection, completion: Completion, received_at: str
) -> bool | None:
    """Insert a completion received at `received_at`: True when new, False when that id was
    already kept, None when its learner is not in its class. One statement when it is new (on
    PostgreSQL each statement is a round trip to the server): the row is inserted only if its
    learner is in its class; a row not inserted is then told apart. `insert_completions` is
    the same for many rows at once."""
    cursor = connection.execute(
        f"INSERT INTO completions ({COMPLETION_COLUMNS})"
        " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM learners WHERE id = ? AND class_code = ?"
        " ON CONFLICT DO NOTHING",
        (
            *_completion_values(completion, received_at),
            completion.learner_id,
            completion.class_code,
        ),
    )
    if cursor.rowcount == 1:
        return True
    row = connection.execute(
        "SELECT class_code FROM learners WHERE id = ?", (completion.learner_id,)
    ).fetchone()
    return None if row is None or row["class_code"] != completion.class_code else False


def completions(connection: Connection, code: str | None = None) -> list[dict[str, Any]]:
    """Every completion (of one class, or all), oldest first, with learner and class names and
    the day it counts for (worked out here when a read-only look at an old store has no column)."""
    stored_day = schema_version(connection) >= 2
    query = (
        "SELECT c.id, c.class_code, k.name AS class_name, c.learner_id, l.name AS learner_name, c.lesson,"
        " c.lang, c.score, c.total, c.passed, c.answered_at, c.received_at, c.answers"
        + (", c.day" if stored_day else "")
        + " FROM completions c JOIN learners l ON l.id = c.learner_id"
        " JOIN classes k ON k.code = c.class_code"
    )
    params: tuple[str, ...] = ()
    if code is not None:
        query += " WHERE c.class_code = ?"
        params = (code,)
    query += " ORDER BY c.answered_at, c.id"
    rows = [dict(row) for row in connection.execute(query, params)]
    if not stored_day:
        for row in rows:
            row["day"] = completion_day(row["answered_at"], row["received_at"])
    return rows


def counts(connection: Connection) -> dict[str, int]:
    """How many classes, learners and completions the store holds."""
    return {
        table: int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        for table in ("classes", "learners", "completions")
    }


def learners(connection: Connection, code: str | None) -> list[dict[str, Any]]:
    """The learners of class `code` (of every class when None), in the order they joined."""
    return _rows(
        connection,
        "SELECT id, class_code, name, joined_at FROM learners",
        ("class_code", code),
        "joined_at, name, id",
    )


def classes(connection: Connection, code: str | None) -> list[dict[str, Any]]:
    """Class `code` (every class when None) with its name and when it was made, oldest first."""
    return _rows(
        connection, "SELECT code, name, created_at FROM classes", ("code", code), "created_at, code"
    )


def _rows(
    connection: Connection, select: str, where: tuple[str, str | None], order: str
) -> list[dict[str, Any]]:
    """`select` ordered by `order`, limited to one class when `where`'s value is given."""
    column, value = where
    if value is None:
        rows = connection.execute(f"{select} ORDER BY {order}")
    else:
        rows = connection.execute(f"{select} WHERE {column} = ? ORDER BY {order}", (value,))
    return [dict(row) for row in rows]
