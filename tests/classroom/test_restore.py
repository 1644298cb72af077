"""`kynangso restore`: a backup put back in the store's place, never under a running server and
never mixed with the old store's WAL."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from classmode import Server
from click.testing import CliRunner

from kynangso.catalog import write_catalog
from kynangso.classroom import pins, store, storefile
from kynangso.cli import main
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project


def _fill(connection: sqlite3.Connection, code: str, first: int, count: int) -> None:
    learner = store.learners(connection, code)[0]["id"]
    connection.execute("BEGIN")
    for i in range(first, first + count):
        store.add_completion(
            connection,
            store.Completion(
                id=f"c{i}",
                class_code=code,
                learner_id=learner,
                lesson="sample-lesson",
                lang="vi",
                score=1,
                total=2,
                passed=True,
                answered_at="2026-11-25T10:00:00+00:00",
                answers=[True, False],
            ),
        )
    connection.execute("COMMIT")


@pytest.fixture
def backed_up(tmp_path: Path) -> tuple[Path, Path, str]:
    """A store with 300 completions backed up, then 500 more that sit in its WAL only.
    Returns (store, backup, class code)."""
    db = tmp_path / "class.db"
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp Bản Hua", "2468")
    store.add_learner(connection, code, "Lò Văn A")
    _fill(connection, code, 0, 300)
    backup = tmp_path / "backup.db"
    storefile.backup(connection, backup)
    _fill(connection, code, 300, 500)
    connection.close()
    return db, backup, code


def test_restore_over_a_crashed_store_ignores_its_old_wal(
    backed_up: tuple[Path, Path, str], tmp_path: Path
) -> None:
    db, backup, _ = backed_up
    # What a power cut leaves: the store and its WAL, full of frames the backup never saw.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    connection = store.connect(db)
    code = connection.execute("SELECT code FROM classes").fetchone()[0]
    _fill(connection, code, 800, 400)
    shutil.copy(db, crashed / "class.db")
    shutil.copy(db.with_name("class.db-wal"), crashed / "class.db-wal")
    connection.close()
    assert (crashed / "class.db-wal").stat().st_size > 100_000

    target = crashed / "class.db"
    result = CliRunner().invoke(main, ["restore", "--from", str(backup), "--db", str(target)])
    assert result.exit_code == 0, result.output
    assert "1 classes, 1 learners, 300 completions" in result.output
    assert "integrity check ok" in result.output
    restored = store.connect(target)
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.counts(restored)["completions"] == 300
    assert store.schema_version(restored) == store.SCHEMA_VERSION
    restored.close()
    wal = crashed / "class.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_restore_refuses_while_a_server_uses_the_store(
    backed_up: tuple[Path, Path, str], project: Path, tmp_path: Path
) -> None:
    db, backup, _ = backed_up
    site = tmp_path / "site"
    site.mkdir()
    write_catalog(site_catalog(load_project(project)), site)
    runner = CliRunner()
    server = Server(site, db).start()
    try:
        result = runner.invoke(main, ["restore", "--from", str(backup), "--db", str(db)])
        assert result.exit_code == 1
        assert "in use by a running 'kynangso serve'" in result.output
        assert "stop it" in result.output
        assert store.counts(store.connect(db))["completions"] == 800  # left alone
    finally:
        server.kill()  # kill -9: the operating system drops the lock with the process
    result = runner.invoke(main, ["restore", "--from", str(backup), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert store.counts(store.connect(db))["completions"] == 300


def test_restore_refuses_what_is_not_a_class_store(
    backed_up: tuple[Path, Path, str], tmp_path: Path
) -> None:
    db, _, _ = backed_up
    runner = CliRunner()
    notes = tmp_path / "notes.db"
    notes.write_text("not a database at all " * 200)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE things (x)")
    for bad, reason in (
        (notes, "is not a class store"),
        (other, "no table classes, completions, learners"),
        (tmp_path / "missing.db", "no backup at"),
    ):
        result = runner.invoke(main, ["restore", "--from", str(bad), "--db", str(db)])
        assert result.exit_code == 1, result.output
        assert reason in result.output and "was left as it was" in result.output
    assert store.counts(store.connect(db))["completions"] == 800


def test_backup_prints_what_it_copied(backed_up: tuple[Path, Path, str], tmp_path: Path) -> None:
    db, _, _ = backed_up
    out = tmp_path / "again.db"
    result = CliRunner().invoke(main, ["backup", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 classes, 1 learners, 800 completions" in result.output


def test_backup_and_restore_of_a_postgres_url_point_to_pg_dump(postgres_url: str) -> None:
    """Both are SQLite's: given a URL they exit non-zero with one line naming pg_dump, and
    never print the URL's password."""
    for args in (["backup", "--out", "copy.db"], ["restore", "--from", "copy.db"]):
        result = CliRunner().invoke(main, [*args, "--db", postgres_url])
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "SQLite class store only" in lines[0], lines
        assert "pg_dump" in lines[0] and "s3cret" not in result.output


def test_class_create_on_a_postgres_url(postgres_url: str) -> None:
    result = CliRunner().invoke(
        main, ["class", "create", "Lớp Nà Tăm", "--pin", "2468", "--db", postgres_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    code = json.loads(result.output.strip().splitlines()[-1])["code"]
    connection = store.connect(postgres_url)
    assert store.class_name(connection, code) == "Lớp Nà Tăm"
    assert pins.check_pin(connection, code, "2468")


def test_an_unreachable_postgres_is_one_line(postgres_url: str) -> None:
    """A wrong password (or a server that is down) is a message, not a traceback."""
    wrong = postgres_url.replace(":s3cret", ":wrong", 1)
    result = CliRunner().invoke(main, ["class", "create", "Lớp A", "--pin", "2468", "--db", wrong])
    assert result.exit_code == 1
    assert result.output.startswith("cannot create the class: postgresql://kynangso@127.0.0.1:")
    assert "password" in result.output and "wrong" not in result.output.split("@")[0]
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
