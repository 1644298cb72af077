"""The class store: classes, learners and quiz completions in one SQLite file.

WAL with synchronous=FULL: a completion is on disk before the server answers 2xx, so a power
cut on the facilitator's laptop never loses what a phone was told was saved. Completions are
keyed by the id the phone made, so a retry is counted once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
CODE_LENGTH = 6
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
PIN_MIN, PIN_MAX = 4, 64  # characters; a longer PIN is a stronger one

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
    token_hash  TEXT PRIMARY KEY,  -- sha256 hex of the cookie's token; the token is never stored
    class_code  TEXT NOT NULL REFERENCES classes(code),
    expires_at  TEXT NOT NULL
);
"""


class StoreError(Exception):
    """A request the store cannot satisfy: unknown class or learner."""


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


def connect(db_path: Path) -> sqlite3.Connection:
    """Open (and create) the store with the settings every writer relies on."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=10)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    # Checkpoints copy the WAL into the database and fsync it: done by `checkpoint()` from a
    # background thread, never inside a request, so no phone waits behind one.
    connection.execute("PRAGMA wal_autocheckpoint=0")
    _drop_plain_sessions(connection)
    connection.executescript(SCHEMA)
    return connection


def _drop_plain_sessions(connection: sqlite3.Connection) -> None:
    """A store from before session tokens were hashed kept them as given in `sessions.token`:
    drop that table (it is recreated empty). Sessions last 12 hours; losing them only asks a
    coach to log in again, and no usable token is left on disk."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(sessions)")}
    if "token" in columns:
        connection.execute("DROP TABLE sessions")


def pin_problem(pin: str) -> str | None:
    """What is wrong with a PIN a facilitator chose, or None."""
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        return f"the PIN must be {PIN_MIN} to {PIN_MAX} characters"
    return None


def hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8", "surrogatepass"), salt=salt, **SCRYPT)


def create_class(connection: sqlite3.Connection, name: str, pin: str) -> str:
    """A new class with a fresh code; the PIN is kept only as a salted scrypt hash."""
    salt = secrets.token_bytes(16)
    digest = hash_pin(pin, salt)
    for _ in range(100):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            connection.execute(
                "INSERT INTO classes (code, name, pin_salt, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (code, name, salt, digest, now()),
            )
            return code
        except sqlite3.IntegrityError:
            continue
    raise StoreError("could not find a free class code")


def pin_record(connection: sqlite3.Connection, code: str) -> tuple[bytes, bytes] | None:
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


def check_pin(connection: sqlite3.Connection, code: str, pin: str) -> bool:
    return pin_matches(pin, pin_record(connection, code))


def class_name(connection: sqlite3.Connection, code: str) -> str | None:
    row = connection.execute("SELECT name FROM classes WHERE code = ?", (code,)).fetchone()
    return None if row is None else str(row["name"])


def add_learner(connection: sqlite3.Connection, code: str, name: str) -> str:
    if class_name(connection, code) is None:
        raise StoreError("unknown class")
    learner_id = secrets.token_urlsafe(12)
    connection.execute(
        "INSERT INTO learners (id, class_code, name, joined_at) VALUES (?, ?, ?, ?)",
        (learner_id, code, name, now()),
    )
    return learner_id


def add_completion(connection: sqlite3.Connection, completion: Completion) -> bool:
    """Store a completion once; True when it is new, False when that id was already kept."""
    row = connection.execute(
        "SELECT class_code FROM learners WHERE id = ?", (completion.learner_id,)
    ).fetchone()
    if row is None or row["class_code"] != completion.class_code:
        raise StoreError("unknown class or learner")
    answers = None
    if completion.answers is not None:
        answers = "".join("1" if ok else "0" for ok in completion.answers)
    cursor = connection.execute(
        "INSERT OR IGNORE INTO completions (id, class_code, learner_id, lesson, lang, score, total, passed,"
        " answered_at, received_at, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            completion.id,
            completion.class_code,
            completion.learner_id,
            completion.lesson,
            completion.lang,
            completion.score,
            completion.total,
            int(completion.passed),
            completion.answered_at,
            now(),
            answers,
        ),
    )
    return cursor.rowcount == 1


def completions(connection: sqlite3.Connection, code: str | None = None) -> list[dict[str, Any]]:
    """Every completion (of one class, or all), oldest first, with learner and class names."""
    query = (
        "SELECT c.id, c.class_code, k.name AS class_name, c.learner_id, l.name AS learner_name, c.lesson,"
        " c.lang, c.score, c.total, c.passed, c.answered_at, c.received_at, c.answers"
        " FROM completions c JOIN learners l ON l.id = c.learner_id JOIN classes k ON k.code = c.class_code"
    )
    params: tuple[str, ...] = ()
    if code is not None:
        query += " WHERE c.class_code = ?"
        params = (code,)
    query += " ORDER BY c.answered_at, c.id"
    return [dict(row) for row in connection.execute(query, params)]


def learners(connection: sqlite3.Connection, code: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        "SELECT id, name, joined_at FROM learners WHERE class_code = ? ORDER BY joined_at, name",
        (code,),
    )
    return [dict(row) for row in rows]


def token_hash(token: str) -> str:
    """What the store keeps of a session token: a copy of the store (a backup, a stick) then
    holds nothing that opens the dashboard. The token is 256 random bits: no salt needed."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(connection: sqlite3.Connection, code: str, hours: int = 12) -> str:
    """A new coach session for `code`; returns the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
    connection.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
    connection.execute(
        "INSERT INTO sessions (token_hash, class_code, expires_at) VALUES (?, ?, ?)",
        (token_hash(token), code, expires.isoformat(timespec="seconds")),
    )
    return token


def session_class(connection: sqlite3.Connection, token: str | None) -> str | None:
    if not token:
        return None
    row = connection.execute(
        "SELECT class_code FROM sessions WHERE token_hash = ? AND expires_at >= ?",
        (token_hash(token), now()),
    ).fetchone()
    return None if row is None else str(row["class_code"])


def close_session(connection: sqlite3.Connection, token: str) -> None:
    connection.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))


def checkpoint(db_path: Path) -> None:
    """Move committed WAL pages into the database file without blocking writers."""
    connection = sqlite3.connect(db_path, timeout=10)
    try:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        connection.close()


def backup(connection: sqlite3.Connection, target: Path) -> None:
    """An online copy of the whole store, safe while the server is writing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    destination = sqlite3.connect(target)
    try:
        connection.backup(destination)
    finally:
        destination.close()
