"""CSV export: opens in a spreadsheet with the right columns and no formula cells."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kynangso.catalog import Catalog, LessonEntry, Words
from kynangso.classroom import database, store
from kynangso.classroom.export import (
    CHUNK_ROWS as EXPORT_CHUNK_ROWS,
)
from kynangso.classroom.export import COLUMNS, completions_csv, safe_cell, write_completions
from kynangso.cli import main

ROW = {
    "id": "c1",
    "class_code": "ABC234",
    "class_name": '=HYPERLINK("http://x")',
    "learner_id": "L1",
    "learner_name": "+84 912",
    "lesson": "vneid-activate",
    "lang": "vi",
    "score": 5,
    "total": 6,
    "passed": 1,
    "answered_at": "2026-11-25T10:00:00+00:00",
    "received_at": "2026-11-25T10:00:01+00:00",
}


def test_formula_cells_are_neutralised() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert safe_cell("Lò Văn A") == "Lò Văn A"
    assert safe_cell(5) == 5 and safe_cell(True) == 1 and safe_cell(None) == ""


def _catalog(lessons: dict[str, tuple[str, str]]) -> Catalog:
    """A catalog of lessons given as {id: (topic, Vietnamese title)}, each with one question."""
    return Catalog(
        topics={},
        lessons={
            lesson_id: LessonEntry(
                topic=topic,
                title=Words(vi=title, en=title),
                questions=[Words(vi="?", en="?")],
                pass_mark=1,
            )
            for lesson_id, (topic, title) in lessons.items()
        },
    )


def test_csv_has_bom_columns_and_numbers() -> None:
    catalog = _catalog({"vneid-activate": ("e-id", "Kích hoạt VNeID")})
    text = completions_csv([ROW], catalog)
    assert text.startswith("\ufeffid,class_code,")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == COLUMNS
    record = dict(zip(rows[0], rows[1]))
    assert record["class_name"].startswith("'=") and record["learner_name"] == "'+84 912"
    assert record["lesson_title"] == "Kích hoạt VNeID" and record["topic"] == "e-id"
    assert (record["score"], record["total"], record["percent"], record["passed"]) == (
        "5",
        "6",
        "83",
        "1",
    )
    assert '"5"' not in text  # numbers are not quoted as text


def test_only_human_written_text_is_neutralised() -> None:
    row = {**ROW, "learner_id": "-Fq3x9", "id": "-a1", "learner_name": "-Lò", "day": "2026-11-25"}
    text = completions_csv([row], _catalog({}))
    record = dict(zip(COLUMNS, list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]))
    assert record["learner_id"] == "-Fq3x9" and record["id"] == "-a1"  # keys stay keys
    assert record["learner_name"] == "'-Lò" and record["class_name"].startswith("'=")
    assert record["day"] == "2026-11-25"


def test_export_without_a_catalog_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "class.db"
    store.create_class(store.connect(db), "Lớp A", "2468")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # outside the project folder: no site/ here
    result = CliRunner().invoke(main, ["export", "--db", str(db)])
    assert result.exit_code == 1
    assert "no lesson catalog at" in result.output and "catalog.json" in result.output
    assert "--site PATH" in result.output and "kynangso build" in result.output


def test_the_csv_written_by_sqlite_equals_the_csv_module(db_target: database.Target) -> None:
    """The server's CSV is built line by line in SQL (SQLite's or PostgreSQL's); it must match
    Python's csv module for names with commas, quotes, line breaks and formula starts, and
    lessons off the catalog."""
    connection = store.connect(db_target)
    code = store.create_class(connection, 'Lớp "Bản Hua", xã Ít Ong', "2468")
    names = ["Lò Văn A", "=1+2", '"Quàng", Thị\nB', "-", "@x", "\tTab", "\rCR", "Cà, Thị D", ""]
    for i, name in enumerate(names):
        learner = store.add_learner(connection, code, name)
        for lesson in ("vneid-activate", "not-in-the-catalog"):
            store.add_completion(
                connection,
                store.Completion(
                    id=f"c{i}-{lesson}",
                    class_code=code,
                    learner_id=learner,
                    lesson=lesson,
                    lang="vi",
                    score=i % 9,
                    total=8,
                    passed=i % 2 == 0,
                    answered_at=f"2026-11-2{i}T10:00:00+00:00",
                ),
            )
    catalog = _catalog(
        {
            "vneid-activate": ("e-id", '=Kích hoạt "VNeID", nhanh'),
            "unused": ("safety", "Khác"),
        }
    )
    out = io.StringIO()
    write_completions(connection, code, catalog, out)
    expected = completions_csv(store.completions(connection, code), catalog)
    assert out.getvalue() == expected
    assert "'=Kích hoạt" in expected and ",1,8,13," in expected  # 1 of 8 is 13 %: halves round up
    empty = io.StringIO()
    write_completions(connection, code, None, empty)
    assert empty.getvalue() == completions_csv(store.completions(connection, code), None)


def test_csv_of_an_old_store_read_only(tmp_path: Path) -> None:
    old = Path(__file__).resolve().parents[1] / "fixtures" / "stores" / "v0.db"
    connection = sqlite3.connect(f"{old.as_uri()}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    out = io.StringIO()
    write_completions(connection, None, None, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert [(row["id"], row["day"]) for row in rows] == [
        ("c3", "2026-11-20"),
        ("c1", "2026-11-10"),
        ("c2", "2026-11-13"),
    ]


def test_export_of_a_postgres_store_equals_the_same_sqlite_store(
    tmp_path: Path, postgres_url: str, real_site: Path
) -> None:
    """`kynangso export --db URL` writes the very bytes the same rows give on SQLite, in the
    same order (ids a locale's collation would sort differently included)."""
    names = ["Lò Văn A", "=x", "b", "B", "_c", "Ă"]
    outputs = []
    for where in (tmp_path / "class.db", postgres_url):
        connection = store.connect(where)
        connection.execute(
            "INSERT INTO classes (code, name, pin_salt, pin_hash, created_at)"
            " VALUES ('ABCDEF', 'Lớp, \"A\"', ?, ?, '')",
            (b"salt", b"hash"),
        )
        for i, name in enumerate(names):
            connection.execute(
                "INSERT INTO learners (id, class_code, name, joined_at) VALUES (?, 'ABCDEF', ?, '')",
                (f"L{i}", name),
            )
            connection.execute(
                "INSERT INTO completions (id, class_code, learner_id, lesson, lang, score, total,"
                " passed, answered_at, received_at, answers, day)"
                " VALUES (?, 'ABCDEF', ?, 'vneid-activate', 'vi', ?, 6, ?, '2026-11-25T10:00:00Z',"
                " '2026-11-25T10:00:01Z', NULL, '2026-11-25')",
                (name + str(i), f"L{i}", i, int(i > 3)),
            )
        connection.close()
        result = CliRunner().invoke(
            main, ["export", "--db", str(where), "--site", str(real_site)], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout_bytes)
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\r\n") == 1 + len(names)


class _CursorsSeen(io.StringIO):
    """A CSV destination that asks PostgreSQL, now and then while lines come, which cursors
    the export's connection holds open: a server-side cursor shows in `pg_cursors` while rows
    stream."""

    def __init__(self, connection: database.Connection) -> None:
        super().__init__()
        self.connection = connection
        self.lines = 0
        self.cursors: set[str] = set()

    def write(self, text: str) -> int:
        self.lines += 1
        # The header goes out before any row is read.
        if database.is_postgres(self.connection) and self.lines % 1000 == 2:
            found = self.connection.execute("SELECT name FROM pg_cursors").fetchall()
            self.cursors |= {str(row["name"]) for row in found}
        return super().write(text)


def test_a_postgres_export_streams_its_rows(postgres_url: str, tmp_path: Path) -> None:
    """On PostgreSQL the CSV's rows come through a server-side cursor, a chunk at a time (a
    hub's million completions never sit whole in memory), and the bytes are those of the
    same store on SQLite, over more rows than one chunk."""
    outputs = []
    for where in (tmp_path / "class.db", postgres_url):
        connection = store.connect(where)
        connection.execute(
            "INSERT INTO classes (code, name, pin_salt, pin_hash, created_at)"
            " VALUES ('ABCDEF', 'Lớp A', ?, ?, '')",
            (b"salt", b"hash"),
        )
        connection.execute(
            "INSERT INTO learners (id, class_code, name, joined_at) VALUES ('L1', 'ABCDEF', 'A', '')"
        )
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO completions (id, class_code, learner_id, lesson, lang, score, total,"
            " passed, answered_at, received_at, answers, day)"
            " VALUES (?, 'ABCDEF', 'L1', 'vneid-activate', 'vi', ?, 6, 1, ?, ?, '101', ?)",
            [
                (f"c{i:05d}", i % 7, f"2026-11-25T10:{i % 60:02d}:00Z", "2026-11-26T00:00:00Z", "")
                for i in range(EXPORT_CHUNK_ROWS + 10)
            ],
        )
        connection.execute("COMMIT")
        out = _CursorsSeen(connection)
        write_completions(connection, None, None, out)
        outputs.append((out.getvalue(), out.cursors))
        connection.close()
    (on_sqlite, _), (on_postgres, cursors) = outputs
    assert on_postgres == on_sqlite
    assert on_postgres.count("\r\n") == 1 + EXPORT_CHUNK_ROWS + 10
    assert cursors and all(name.startswith("kynangso_stream_") for name in cursors)
