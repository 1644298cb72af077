"""The class store: classes, learners and quiz completions in one SQLite file (the laptop) or
a PostgreSQL database (the commune hub); `database` tells the two apart.

WAL with synchronous=FULL: a completion is on disk before the server answers 2xx, so a power
cut on the facilitator's laptop never loses what a phone was told was saved. Completions are
keyed by the id the phone made, so a retry is counted once.

The schema has a version (`PRAGMA user_version`; a one-row table on PostgreSQL); `connect` brings an older store up to date
with `MIGRATIONS`, one function per version, each in its own transaction. Each completion keeps
the phone's time as sent and, beside it, the day it counts for (`completion_day`), so charts
and reports group by one column and a phone with a wrong clock cannot move a completion to 1970.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from kynangso.classroom import database
from kynangso.classroom.database import Connection, Target

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
CODE_LENGTH = 6
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
PIN_MIN, PIN_MAX = 4, 64  # characters; a longer PIN is a stronger one
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


class StoreInUse(StoreError):
    """The store is held by a running server (or another restore)."""


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


# The tallies of version 6: a row per (class, learner entry, lesson) and per (class, learner
# entry, month), with its attempts and passes (the sum of `passed`, as the commune counts it).
TALLIES = {"tally_lesson": "lesson", "tally_month": "month"}
# What each tally's third column is, over a completions row (`{row}`: '', 'NEW.' or 'OLD.').
# The stored day is 'YYYY-MM-DD': its first 7 characters are the month.
TALLY_KEYS = {"lesson": "{row}lesson", "month": "substr({row}day, 1, 7)"}


def _tally_key(key: str, row: str = "") -> str:
    return TALLY_KEYS[key].format(row=f"{row}." if row else "")


def _tally_tables(connection: Connection) -> None:
    for table, key in TALLIES.items():
        connection.execute(
            f"CREATE TABLE {table} ("
            " class_code TEXT NOT NULL,"
            " learner_id TEXT NOT NULL,"
            f" {key} TEXT NOT NULL,"
            " attempts INTEGER NOT NULL,"
            " passes INTEGER NOT NULL,"
            f" PRIMARY KEY (class_code, learner_id, {key}))"
        )


def _sqlite_tally_triggers(connection: Connection) -> None:
    """A row trigger per change of a completion: one upsert per tally for a new row, one
    decrement (and the row dropped at 0 attempts) for a removed one, both for a change."""

    def add(row: str) -> str:
        return "".join(
            f"INSERT INTO {table} (class_code, learner_id, {key}, attempts, passes)"
            f" VALUES ({row}.class_code, {row}.learner_id,"
            f" {_tally_key(key, row)}, 1, {row}.passed)"
            f" ON CONFLICT (class_code, learner_id, {key}) DO UPDATE"
            " SET attempts = attempts + 1, passes = passes + excluded.passes;"
            for table, key in TALLIES.items()
        )

    def remove(row: str) -> str:
        statements = []
        for table, key in TALLIES.items():
            match = (
                f" WHERE class_code = {row}.class_code AND learner_id = {row}.learner_id"
                f" AND {key} = {_tally_key(key, row)}"
            )
            statements.append(
                f"UPDATE {table} SET attempts = attempts - 1, passes = passes - {row}.passed"
                f"{match};"
                f"DELETE FROM {table}{match} AND attempts <= 0;"
            )
        return "".join(statements)

    connection.execute(
        f"CREATE TRIGGER tally_insert AFTER INSERT ON completions BEGIN {add('NEW')} END"
    )
    connection.execute(
        f"CREATE TRIGGER tally_delete AFTER DELETE ON completions BEGIN {remove('OLD')} END"
    )
    connection.execute(
        "CREATE TRIGGER tally_update AFTER UPDATE OF class_code, learner_id, lesson, passed, day"
        f" ON completions BEGIN {remove('OLD')} {add('NEW')} END"
    )


def _pg_tally_function() -> str:
    """The body of PostgreSQL's tally trigger: statement-level, over the statement's rows
    (`added`, `removed`: the transition tables), grouped, so a sync batch or a seed of a
    million rows is one upsert per tally, not one per row. Rows are upserted in key order:
    two writers' batches then lock tally rows in one order and cannot deadlock. No `?` nor
    `%` in it: it is run without parameters, so the connection leaves it as it is."""
    removing, adding = [], []
    for table, key in TALLIES.items():
        grouped = (
            f"SELECT class_code, learner_id, {_tally_key(key)} AS {key}, COUNT(*) AS attempts,"
            " COALESCE(SUM(passed), 0) AS passes FROM {rows} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        match = f"t.class_code = g.class_code AND t.learner_id = g.learner_id AND t.{key} = g.{key}"
        removing.append(
            f"UPDATE {table} t SET attempts = t.attempts - g.attempts,"
            f" passes = t.passes - g.passes FROM ({grouped.format(rows='removed')}) g"
            f" WHERE {match};"
            f" DELETE FROM {table} t USING ({grouped.format(rows='removed')}) g"
            f" WHERE {match} AND t.attempts <= 0;"
        )
        adding.append(
            f"INSERT INTO {table} (class_code, learner_id, {key}, attempts, passes)"
            f" {grouped.format(rows='added')}"
            f" ON CONFLICT (class_code, learner_id, {key}) DO UPDATE"
            f" SET attempts = {table}.attempts + excluded.attempts,"
            f" passes = {table}.passes + excluded.passes;"
        )
    return (
        "CREATE FUNCTION kynangso_tally() RETURNS trigger LANGUAGE plpgsql AS $tally$"
        " BEGIN"
        f" IF TG_OP IN ('DELETE', 'UPDATE') THEN {' '.join(removing)} END IF;"
        f" IF TG_OP IN ('INSERT', 'UPDATE') THEN {' '.join(adding)} END IF;"
        " RETURN NULL;"
        " END $tally$"
    )


def _pg_tally_triggers(connection: Connection) -> None:
    connection.execute(_pg_tally_function())
    for name, event, rows in (
        ("tally_insert", "INSERT", "NEW TABLE AS added"),
        ("tally_delete", "DELETE", "OLD TABLE AS removed"),
        # PostgreSQL allows no column list on an UPDATE trigger with transition tables: any
        # update takes the old rows out and puts the new ones in, which is right whatever
        # changed. (The store never updates a completion; only hands or scripts might.)
        ("tally_update", "UPDATE", "OLD TABLE AS removed NEW TABLE AS added"),
    ):
        connection.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON completions REFERENCING {rows}"
            " FOR EACH STATEMENT EXECUTE FUNCTION kynangso_tally()"
        )


def _add_tallies(connection: Connection) -> None:
    """Version 6: the commune's counts kept as they happen. `tally_lesson` and `tally_month`
    hold attempts and passes per (class, learner entry, lesson or month), kept by triggers on
    `completions` in the same transaction as every insert (whichever path makes it: a phone,
    a sync, a merge, a restored backup, a raw INSERT), and every delete or update. The commune
    view then reads a row per person and lesson, not every completion. Merged entries stay
    apart here: `same_as` is applied when counting. The completions already stored are
    counted once, here."""
    _tally_tables(connection)
    if database.is_postgres(connection):
        _pg_tally_triggers(connection)
    else:
        _sqlite_tally_triggers(connection)
    for table, key in TALLIES.items():
        connection.execute(
            f"INSERT INTO {table} (class_code, learner_id, {key}, attempts, passes)"
            f" SELECT class_code, learner_id, {_tally_key(key)}, COUNT(*), COALESCE(SUM(passed), 0)"
            " FROM completions GROUP BY 1, 2, 3"
        )


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


def pin_problem(pin: str) -> str | None:
    """What is wrong with a PIN a facilitator chose, or None."""
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        return f"the PIN must be {PIN_MIN} to {PIN_MAX} characters"
    return None


def hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8", "surrogatepass"), salt=salt, **SCRYPT)


def create_class(connection: Connection, name: str, pin: str) -> str:
    """A new class with a fresh code; the PIN is kept only as a salted scrypt hash."""
    salt = secrets.token_bytes(16)
    digest = hash_pin(pin, salt)
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


def pin_record(connection: Connection, code: str) -> tuple[bytes, bytes] | None:
    """(salt, hash) of a class's PIN, or None for an unknown code: a quick read, so the slow
    part (`pin_matches`) can run in another thread without sharing the connection."""
    row = connection.execute(
        "SELECT pin_salt, pin_hash FROM classes WHERE code = ?", (code,)
    ).fetchone()
    return None if row is None else (bytes(row["pin_salt"]), bytes(row["pin_hash"]))


def pin_matches(pin: str, record: tuple[bytes, bytes] | None) -> bool:
    """Whether `pin` is the one behind `record`; about 0.2 s of scrypt whatever the answer."""
    if record is None:
        hash_pin(pin, b"0" * 16)  # same work either way: timing does not tell which codes exist
        return False
    salt, digest = record
    return hmac.compare_digest(hash_pin(pin, salt), digest)


def check_pin(connection: Connection, code: str, pin: str) -> bool:
    return pin_matches(pin, pin_record(connection, code))


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


def token_hash(token: str) -> str:
    """What the store keeps of a session token: a copy of the store (a backup, a stick) then
    holds nothing that opens the dashboard. The token is 256 random bits: no salt needed."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(connection: Connection, code: str, hours: int = 12) -> str:
    """A new coach session for `code`; returns the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    connection.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
    connection.execute(
        "INSERT INTO sessions (token_hash, class_code, expires_at) VALUES (?, ?, ?)",
        (token_hash(token), code, expires.isoformat(timespec="seconds")),
    )
    return token


def session_class(connection: Connection, token: str | None) -> str | None:
    if not token:
        return None
    row = connection.execute(
        "SELECT class_code FROM sessions WHERE token_hash = ? AND expires_at >= ?",
        (token_hash(token), now()),
    ).fetchone()
    return None if row is None else str(row["class_code"])


def close_session(connection: Connection, token: str) -> None:
    connection.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))


def checkpoint(db_path: Target, mode: str = "PASSIVE") -> None:
    """Move committed WAL pages into the database file. PASSIVE (the periodic one) never
    blocks writers; TRUNCATE (at shutdown, after a restore, after a name is forgotten) also
    empties the WAL file. Nothing to do on PostgreSQL, which manages its own log."""
    assert mode in ("PASSIVE", "TRUNCATE")
    if database.is_url(db_path):
        return
    connection = sqlite3.connect(db_path, timeout=10)
    try:
        connection.execute(f"PRAGMA wal_checkpoint({mode})")
    finally:
        connection.close()


def backup(connection: Connection, target: Path) -> None:
    """An online copy of the whole store, safe while the server is writing. The copy is one
    self-contained file (no -wal beside it), so it can be carried on a USB stick as it is.
    SQLite only: PostgreSQL has pg_dump."""
    assert isinstance(connection, sqlite3.Connection), "backup is for a SQLite store"
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_wal(target)  # an old copy's WAL would otherwise be replayed into the new one
    destination = sqlite3.connect(target)
    try:
        connection.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


# --- who is using the store ------------------------------------------------------------------


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def hold(db_path: Path, *, exclusive: bool) -> IO[bytes]:
    """Take the store's lock file: shared by every running server, exclusive for a restore.
    The operating system drops it when the process ends, even after kill -9, so a crash never
    leaves the store looking busy. Raises StoreInUse when it cannot be had right now."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+b")
    try:
        fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreInUse(
            f"{db_path} is in use by a running 'kynangso serve'"
            if exclusive
            else f"{db_path} is being restored"
        ) from None
    return handle


def release(handle: IO[bytes]) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


# --- restore ---------------------------------------------------------------------------------


def _remove_wal(db_path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            db_path.with_name(db_path.name + suffix).unlink()


def _check(connection: Connection, source: Path) -> None:
    """Raise StoreError unless `connection` is an intact class store."""
    try:
        verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{source} is not a class store: {exc}") from exc
    if verdict != ["ok"]:
        raise StoreError(f"{source} is damaged: {'; '.join(verdict[:5])}")
    missing = {"classes", "learners", "completions"} - tables
    if missing:
        raise StoreError(f"{source} is not a class store: no table {', '.join(sorted(missing))}")


@contextlib.contextmanager
def _held(db_path: Path) -> Iterator[None]:
    handle = hold(db_path, exclusive=True)
    try:
        yield
    finally:
        release(handle)


def restore(source: Path, db_path: Path) -> dict[str, int]:
    """Replace the store at `db_path` with the backup `source` and return its counts.

    Refused (StoreInUse) while a server holds the store. The backup is checked and copied to a
    file beside the store first; then the old store's -wal and -shm are removed (left there,
    SQLite would replay the old WAL into the restored file) and the copy takes the store's
    place in one rename. The result is migrated, checked again, and checkpointed."""
    if not source.is_file():
        raise StoreError(f"no backup at {source}")
    with _held(db_path):
        staging = db_path.with_name(db_path.name + ".restoring")
        _remove_wal(staging)
        staging.unlink(missing_ok=True)
        try:
            original = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            try:
                _check(original, source)
                copy = sqlite3.connect(staging)
                try:
                    original.backup(copy)
                    copy.execute("PRAGMA journal_mode=DELETE")
                finally:
                    copy.close()
            finally:
                original.close()
            _remove_wal(db_path)
            os.replace(staging, db_path)
        finally:
            staging.unlink(missing_ok=True)
        connection = connect(db_path)
        try:
            _check(connection, db_path)
            found = counts(connection)
        finally:
            connection.close()
        checkpoint(db_path, "TRUNCATE")
        return found
