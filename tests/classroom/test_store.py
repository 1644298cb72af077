"""The SQLite class store."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from kynangso.classroom import store


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


FIXTURE_V0 = Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "v0.db"


def test_completion_day_is_vietnam_time() -> None:
    received = "2026-11-13T01:00:00+00:00"
    assert store.completion_day("2026-11-12T16:59:59+00:00", received) == "2026-11-12"
    assert store.completion_day("2026-11-12T17:00:00+00:00", received) == "2026-11-13"
    assert store.completion_day("2026-11-12T23:30:00+07:00", received) == "2026-11-12"


def test_a_wrong_phone_clock_counts_on_the_day_of_receipt() -> None:
    received = "2026-11-20T18:00:00+00:00"  # 21/11 in Vietnam
    for answered in (
        "1970-01-01T00:00:00+00:00",  # a phone whose clock was reset
        "2023-12-31T23:59:59+00:00",
        "2099-01-01T00:00:00+00:00",
        "2026-11-21T18:00:01+00:00",  # more than a day ahead of receipt
        "9999-12-31T23:59:59-05:00",  # past year 9999 in UTC
        "0001-01-01T00:00:00+07:00",  # before year 1 in UTC
        "9999-12-31T23:59:59+00:00",
        "not a time",
        "",
        None,
    ):
        assert store.completion_day(answered, received) == "2026-11-21", answered
    assert store.completion_day("2026-11-21T17:00:00+00:00", received) == "2026-11-22"  # < 1 day
    assert store.completion_day("2024-01-01T00:00:00+00:00", received) == "2024-01-01"
    assert store.completion_day("garbage", "garbage") == ""


def test_completion_day_is_stored_at_insert(connection: sqlite3.Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    store.add_completion(connection, _completion(code, learner, answered_at="1970-01-01T00:00:00"))
    [row] = store.completions(connection, code)
    assert row["day"] == store.completion_day(row["received_at"], row["received_at"])
    assert row["answered_at"] == "1970-01-01T00:00:00"  # the phone's time is kept as sent


def test_a_store_made_before_schema_versions_is_migrated(tmp_path: Path) -> None:
    """tests/fixtures/stores/v0.db was written by the store as it was before versions were
    recorded: one class (PIN 2468), two learners, three completions (one from a phone whose
    clock said 1970, received 2026-11-20), a coach session."""
    db = tmp_path / "old.db"
    db.write_bytes(FIXTURE_V0.read_bytes())
    assert store.schema_version(sqlite3.connect(db)) == 0
    connection = store.connect(db)
    assert store.schema_version(connection) == store.SCHEMA_VERSION
    assert store.counts(connection) == {"classes": 1, "learners": 2, "completions": 3}
    # its session kept the token as given: version 3 drops it (the coach logs in again)
    assert connection.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    [code] = [row["code"] for row in connection.execute("SELECT code FROM classes")]
    assert store.check_pin(connection, code, "2468")
    days = {row["id"]: row["day"] for row in store.completions(connection, code)}
    assert days == {"c1": "2026-11-10", "c2": "2026-11-13", "c3": "2026-11-20"}
    learner = store.learners(connection, code)[0]["id"]
    assert store.add_completion(connection, _completion(code, learner, id_="c4"))
    connection.close()
    again = store.connect(db)  # a second open finds nothing to do
    assert store.schema_version(again) == store.SCHEMA_VERSION
    assert store.counts(again)["completions"] == 4


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    connection = store.connect(tmp_path / "class.db")
    connection.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(store.StoreError, match="newer than this kynangso"):
        store.connect(tmp_path / "class.db")


def test_read_only_look_at_an_old_store_still_has_days(tmp_path: Path) -> None:
    old = sqlite3.connect(f"{FIXTURE_V0.as_uri()}?mode=ro", uri=True)
    old.row_factory = sqlite3.Row
    assert {row["id"]: row["day"] for row in store.completions(old)}["c3"] == "2026-11-20"


def test_learner_ids_never_start_like_a_formula(connection: sqlite3.Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    connection.execute("BEGIN")
    ids = [store.add_learner(connection, code, f"Người {i}") for i in range(600)]
    connection.execute("COMMIT")
    assert len(set(ids)) == 600
    assert not [i for i in ids if i.startswith(("=", "+", "-", "@", "_"))]
    assert all(len(i) == 16 for i in ids)


def test_truncate_checkpoint_empties_the_wal(tmp_path: Path) -> None:
    db = tmp_path / "class.db"
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    connection.execute("BEGIN")
    for i in range(2000):
        store.add_completion(
            connection, _completion(code, learner, id_=f"c{i}", answers=[True] * 6)
        )
    connection.execute("COMMIT")
    wal = tmp_path / "class.db-wal"
    assert wal.stat().st_size > 100_000
    store.checkpoint(db, "TRUNCATE")
    assert wal.stat().st_size == 0
    assert store.counts(connection)["completions"] == 2000


def test_backup_is_one_file_without_a_wal(connection: sqlite3.Connection, tmp_path: Path) -> None:
    store.create_class(connection, "Lớp A", "2468")
    target = tmp_path / "copy.db"
    target.with_name("copy.db-wal").write_bytes(b"left over from an old copy")
    store.backup(connection, target)
    assert not target.with_name("copy.db-wal").exists()
    assert target.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: the file is the whole copy
