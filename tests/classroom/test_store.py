"""The class store, on SQLite and on PostgreSQL (`connection` runs each test on both)."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from postgres import Cluster
from statements import counted

from kynangso.classroom import database, pins, sessions, store, storefile
from kynangso.classroom.database import Connection


@pytest.fixture
def connection(db_target: database.Target) -> Iterator[Connection]:
    """A fresh store: a temporary SQLite file, then a fresh PostgreSQL database."""
    opened = store.connect(db_target)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_connection(tmp_path: Path) -> sqlite3.Connection:
    """A fresh SQLite store, for what only SQLite has (WAL, backup)."""
    opened = store.connect(tmp_path / "class.db")
    assert isinstance(opened, sqlite3.Connection)
    return opened


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


def test_store_uses_wal_and_full_sync(sqlite_connection: sqlite3.Connection) -> None:
    connection = sqlite_connection
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_class_codes_are_easy_to_read_aloud(connection: Connection) -> None:
    codes = {store.create_class(connection, f"Lớp {i}", "2468") for i in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert len(code) == 6 and not set(code) & set("0O1I")


def test_pin_is_hashed_and_checked(connection: Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    row = connection.execute("SELECT pin_hash, pin_salt FROM classes").fetchone()
    assert b"2468" not in row["pin_hash"] and len(row["pin_salt"]) == 16
    assert pins.check_pin(connection, code, "2468")
    assert not pins.check_pin(connection, code, "2469")
    assert not pins.check_pin(connection, "ZZZZZZ", "2468")


def test_completion_is_counted_once(connection: Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    assert store.add_completion(connection, _completion(code, learner)) is True
    assert store.add_completion(connection, _completion(code, learner, score=6)) is False
    [row] = store.completions(connection, code)
    assert row["score"] == 5 and row["learner_name"] == "Lò Văn A" and row["class_name"] == "Lớp A"


def test_unknown_learner_or_other_class_is_refused(connection: Connection) -> None:
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


def test_sessions_expire_and_close(connection: Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    token = sessions.open_session(connection, code)
    assert sessions.session_class(connection, token) == code
    sessions.close_session(connection, token)
    assert sessions.session_class(connection, token) is None
    expired = sessions.open_session(connection, code, hours=-1)
    assert sessions.session_class(connection, expired) is None


def test_backup_is_a_complete_copy(sqlite_connection: sqlite3.Connection, tmp_path: Path) -> None:
    connection = sqlite_connection
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    store.add_completion(connection, _completion(code, learner))
    storefile.backup(connection, tmp_path / "copy.db")
    copy = store.connect(tmp_path / "copy.db")
    assert [r["id"] for r in store.completions(copy)] == ["c1"]


def test_session_tokens_are_kept_only_hashed(connection: Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    token = sessions.open_session(connection, code)
    [row] = connection.execute("SELECT * FROM sessions").fetchall()
    assert token not in [str(value) for value in tuple(row)]
    assert hashlib.sha256(token.encode()).hexdigest() in tuple(row)
    assert sessions.session_class(connection, token) == code
    assert sessions.session_class(connection, hashlib.sha256(token.encode()).hexdigest()) is None


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
    assert sessions.session_class(connection, "plain-token") is None
    code = store.create_class(connection, "Lớp A", "2468")
    assert sessions.session_class(connection, sessions.open_session(connection, code)) == code


def test_pin_length_is_4_to_64_characters() -> None:
    assert pins.pin_problem("246") == "the PIN must be 4 to 64 characters"
    assert pins.pin_problem("2468") is None and pins.pin_problem("x" * 64) is None
    assert pins.pin_problem("x" * 65) is not None


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


def test_completion_day_is_stored_at_insert(connection: Connection) -> None:
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
    assert pins.check_pin(connection, code, "2468")
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


def test_learner_ids_never_start_like_a_formula(connection: Connection) -> None:
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
    storefile.checkpoint(db, "TRUNCATE")
    assert wal.stat().st_size == 0
    assert store.counts(connection)["completions"] == 2000


def test_backup_is_one_file_without_a_wal(
    sqlite_connection: sqlite3.Connection, tmp_path: Path
) -> None:
    connection = sqlite_connection
    store.create_class(connection, "Lớp A", "2468")
    target = tmp_path / "copy.db"
    target.with_name("copy.db-wal").write_bytes(b"left over from an old copy")
    storefile.backup(connection, target)
    assert not target.with_name("copy.db-wal").exists()
    assert target.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: the file is the whole copy


# --- PostgreSQL ------------------------------------------------------------------------------


def test_postgres_keeps_its_version_in_a_table(postgres_url: str) -> None:
    connection = store.connect(postgres_url)
    assert connection.execute("SELECT version FROM kynangso_schema").fetchall() == [
        (store.SCHEMA_VERSION,)
    ]
    assert store.schema_version(connection) == store.SCHEMA_VERSION
    connection.execute("UPDATE kynangso_schema SET version = ?", (store.SCHEMA_VERSION + 1,))
    connection.close()
    with pytest.raises(store.StoreError, match="newer than this kynangso"):
        store.connect(postgres_url)


def test_openers_at_once_migrate_a_new_database_once(postgres_url: str) -> None:
    """Eight servers starting together on an empty database: each migration runs once (a
    second run of version 2's ALTER TABLE would fail), and every opener ends up current."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def open_it() -> None:
        try:
            start.wait()
            store.connect(postgres_url).close()
        except BaseException as exc:  # reported below, with the others
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    connection = store.connect(postgres_url)
    assert connection.execute("SELECT COUNT(*) FROM kynangso_schema").fetchone()[0] == 1
    assert store.schema_version(connection) == store.SCHEMA_VERSION


def test_postgres_stores_blobs_and_sorts_text_like_sqlite(postgres_url: str) -> None:
    """BLOB is BYTEA, and text sorts byte by byte whatever the database's locale, so lists
    and the CSV come out in SQLite's order."""
    connection = store.connect(postgres_url)
    code = store.create_class(connection, "Lớp A", "2468")
    assert pins.check_pin(connection, code, "2468")
    kinds = dict(
        connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'classes'"
        ).fetchall()
    )
    assert kinds["pin_salt"] == "bytea" and kinds["pin_hash"] == "bytea"
    words = ["b", "B", "a", "_x", "Ă", "à", "Z"]
    rows = connection.execute(
        "SELECT w FROM (VALUES "
        + ", ".join("(CAST(? AS TEXT))" for _ in words)
        + ') v(w) ORDER BY w COLLATE "C"',
        words,
    ).fetchall()
    stored = connection.execute(
        "SELECT collation_name FROM information_schema.columns"
        " WHERE table_name = 'learners' AND column_name = 'name'"
    ).fetchone()[0]
    assert stored == "C"
    assert [row[0] for row in rows] == sorted(words)


def test_question_marks_and_percents_in_literals_are_kept(connection: Connection) -> None:
    """`?` is a placeholder only outside quotes; a literal `%` reaches the database as it is."""
    row = connection.execute("SELECT '100% sure?', ?, 'it''s ?'", ("x",)).fetchone()
    assert tuple(row) == ("100% sure?", "x", "it's ?")
    assert connection.execute("SELECT '5%'").fetchone()[0] == "5%"


def test_integrity_errors_of_both_databases_are_caught_as_one(connection: Connection) -> None:
    code = store.create_class(connection, "Lớp A", "2468")
    with pytest.raises(store.IntegrityError):
        connection.execute(
            "INSERT INTO classes (code, name, pin_salt, pin_hash, created_at)"
            " VALUES (?, 'B', ?, ?, '')",
            (code, b"s", b"h"),
        )
    assert store.class_name(connection, code) == "Lớp A"


def test_a_url_is_shown_without_its_password() -> None:
    url = "postgresql://hub:pa55w0rd@db.example:5432/kynangso?host=/run/postgresql"
    shown = database.shown(url)
    assert "pa55w0rd" not in shown
    assert shown == "postgresql://hub@db.example:5432/kynangso?host=/run/postgresql"
    assert database.shown("postgres://db.example/k") == "postgres://db.example/k"
    assert database.is_url("postgres://x/y") and not database.is_url(Path("postgres.db"))
    assert database.target("class.db") == Path("class.db")


def test_a_wrong_password_is_a_database_error(postgres_url: str) -> None:
    wrong = postgres_url.replace(":s3cret", ":wrong", 1)
    with pytest.raises(psycopg.OperationalError):
        store.connect(wrong)


def test_a_url_with_a_socket_folder_reaches_the_server(
    postgres_cluster: Cluster, postgres_url: str
) -> None:
    """`?host=/socket/dir`: the server on the same machine, by its unix socket."""
    name = postgres_url.rsplit("/", 1)[1]
    url = (
        f"postgresql://kynangso@/{name}?host={postgres_cluster.folder}&port={postgres_cluster.port}"
    )
    assert database.is_url(url) and database.shown(url) == url
    connection = store.connect(url)
    code = store.create_class(connection, "Lớp A", "2468")
    reader = store.reader(url)
    assert store.classes(reader, code)[0]["name"] == "Lớp A"
    reader.close()
    database.close_readers(url)


def test_a_new_completion_is_one_statement(sqlite_connection: sqlite3.Connection) -> None:
    """Each statement is a round trip to a PostgreSQL server: a new completion is stored with
    one, and the check of its learner is part of it (the statements SQLite ran show it)."""
    code = store.create_class(sqlite_connection, "Lớp A", "2468")
    learner = store.add_learner(sqlite_connection, code, "Lò Văn A")
    other = store.add_learner(
        sqlite_connection, store.create_class(sqlite_connection, "B", "2468"), "B"
    )
    statements: list[str] = []
    sqlite_connection.set_trace_callback(statements.append)
    assert store.add_completion(sqlite_connection, _completion(code, learner)) is True
    # The tallies' trigger runs inside that statement: SQLite's trace repeats the statement's
    # own text for each of the trigger's steps, so one statement is one distinct text.
    assert len(set(statements)) == 1
    assert store.add_completion(sqlite_connection, _completion(code, learner)) is False
    with pytest.raises(store.StoreError):
        store.add_completion(sqlite_connection, _completion(code, other, "c2"))
    with pytest.raises(store.StoreError):
        store.add_completion(sqlite_connection, _completion(code, "nobody", "c3"))
    sqlite_connection.set_trace_callback(None)
    assert [row["id"] for row in store.completions(sqlite_connection)] == ["c1"]


def test_many_completions_are_told_apart_like_one_at_a_time(connection: Connection) -> None:
    """`insert_completions` answers per completion as `insert_completion` would: new, kept
    before (also the same id twice in one batch), or a learner not in its class."""
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    other = store.add_learner(connection, store.create_class(connection, "B", "2468"), "B")
    assert store.add_completion(connection, _completion(code, learner, "c1")) is True
    at = "2026-11-25T10:00:05+00:00"
    sent = [
        _completion(code, learner, "c1"),  # kept before
        _completion(code, learner, "c2", answers=[True, False, True, True, True, True]),
        _completion(code, learner, "c2"),  # the same id again in this batch
        _completion(code, other, "c3"),  # a learner of another class
        _completion(code, "nobody", "c4"),
        _completion(code, learner, "c5", score=0, passed=False),
    ]
    assert store.insert_completions(connection, [(c, at) for c in sent]) == [
        False,
        True,
        False,
        None,
        None,
        True,
    ]
    kept = {row["id"]: row for row in store.completions(connection)}
    assert sorted(kept) == ["c1", "c2", "c5"]
    assert kept["c2"]["answers"] == "101111" and kept["c2"]["received_at"] == at
    assert (kept["c5"]["score"], kept["c5"]["passed"]) == (0, 0)
    assert kept["c5"]["day"] == "2026-11-25"


def test_many_completions_are_one_statement_per_500(connection: Connection) -> None:
    """A laptop's batch of completions (or what 60 phones posted in the same moment) is one
    INSERT per 500 rows, not one per completion: one round trip to PostgreSQL, not 1,100."""
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    sent = [(_completion(code, learner, f"c{n}"), store.now()) for n in range(1_100)]
    watched = counted(connection)
    assert store.insert_completions(watched, sent) == [True] * 1_100
    assert len(watched.statements) == 3
    assert len(watched.starting("INSERT")) == 3
    assert len(store.completions(connection)) == 1_100
