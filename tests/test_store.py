"""The SQLite class store."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from kynangso import store


@pytest.fixture
def connection(tmp_path: Path) -> sqlite3.Connection:
    """A fresh store in a temporary file."""
    return store.connect(tmp_path / "class.db")


def _completion(code: str, learner: str, id_: str = "c1", **changes: object) -> store.Completion:
    values = {
        "id": id_,
        "class_code": code,
        "learner_id": learner,
        "lesson": "vneid-activate",
        "lang": "vi",
        "score": 5,
        "total": 6,
        "passed": True,
        "answered_at": "2026-11-25T10:00:00+00:00",
        "answers": None,
    }
    values.update(changes)
    return store.Completion(**values)  # type: ignore[arg-type]


def test_store_uses_wal_and_full_sync(connection: sqlite3.Connection) -> None:
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_class_codes_are_easy_to_read_aloud(connection: sqlite3.Connection) -> None:
    codes = {store.create_class(connection, f"Lớp {i}", "2468") for i in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert len(code) == 6 and not set(code) & set("0O1I")


def test_pin_is_hashed_and_checked(connection: sqlite3.Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    row = connection.execute("SELECT pin_hash, pin_salt FROM classes").fetchone()
    assert b"2468" not in row["pin_hash"] and len(row["pin_salt"]) == 16
    assert store.check_pin(connection, code, "2468")
    assert not store.check_pin(connection, code, "2469")
    assert not store.check_pin(connection, "ZZZZZZ", "2468")


def test_completion_is_counted_once(connection: sqlite3.Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    assert store.add_completion(connection, _completion(code, learner)) is True
    assert store.add_completion(connection, _completion(code, learner, score=6)) is False
    [row] = store.completions(connection, code)
    assert row["score"] == 5 and row["learner_name"] == "Lò Văn A" and row["class_name"] == "Lớp A"


def test_unknown_learner_or_other_class_is_refused(connection: sqlite3.Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    other = store.create_class(connection, "Lớp B", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    with pytest.raises(store.StoreError):
        store.add_completion(connection, _completion(other, learner))
    with pytest.raises(store.StoreError):
        store.add_completion(connection, _completion(code, "nobody"))
    with pytest.raises(store.StoreError):
        store.add_learner(connection, "ZZZZZZ", "Lò Văn A")
    assert store.completions(connection) == []


def test_sessions_expire_and_close(connection: sqlite3.Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    token = store.open_session(connection, code)
    assert store.session_class(connection, token) == code
    store.close_session(connection, token)
    assert store.session_class(connection, token) is None
    expired = store.open_session(connection, code, hours=-1)
    assert store.session_class(connection, expired) is None


def test_backup_is_a_complete_copy(connection: sqlite3.Connection, tmp_path: Path) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    store.add_completion(connection, _completion(code, learner))
    store.backup(connection, tmp_path / "copy.db")
    copy = store.connect(tmp_path / "copy.db")
    assert [r["id"] for r in store.completions(copy)] == ["c1"]


def test_session_tokens_are_kept_only_hashed(connection: sqlite3.Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    token = store.open_session(connection, code)
    [row] = connection.execute("SELECT * FROM sessions").fetchall()
    assert token not in [str(value) for value in tuple(row)]
    assert hashlib.sha256(token.encode()).hexdigest() in tuple(row)
    assert store.session_class(connection, token) == code
    assert store.session_class(connection, hashlib.sha256(token.encode()).hexdigest()) is None


def test_plain_session_tokens_of_an_older_store_are_dropped(tmp_path: Path) -> None:
    """A store whose sessions table kept tokens as given: opening it leaves no usable token."""
    db = tmp_path / "old.db"
    old = sqlite3.connect(db)
    old.executescript(
        "CREATE TABLE sessions (token TEXT PRIMARY KEY, class_code TEXT NOT NULL,"
        " expires_at TEXT NOT NULL);"
        "INSERT INTO sessions VALUES ('plain-token', 'ABCDEF', '2999-01-01T00:00:00+00:00');"
    )
    old.commit()
    old.close()
    connection = store.connect(db)
    assert connection.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    assert store.session_class(connection, "plain-token") is None
    code = store.create_class(connection, "Lớp A", "2468")
    assert store.session_class(connection, store.open_session(connection, code)) == code


def test_pin_length_is_4_to_64_characters() -> None:
    assert store.pin_problem("246") == "the PIN must be 4 to 64 characters"
    assert store.pin_problem("2468") is None and store.pin_problem("x" * 64) is None
    assert store.pin_problem("x" * 65) is not None
