"""The store's tallies (`tally_lesson`, `tally_month`, schema version 6): kept by triggers with
every completion, whichever path stores it, so they always equal a GROUP BY over the
completions; and the commune view reads them, not the completions. On SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path
from typing import Any

from classmode import Server, request
from hubkit import catalog_site, kynangso, laptop, last_json, new_team

from kynangso.catalog import load_catalog
from kynangso.classroom import commune, database, store, tallies

# The tallies as they must be: counted again from the completions.
COUNTED = {
    "tally_lesson": "lesson",
    "tally_month": "substr(day, 1, 7)",
}


def _rows(connection: database.Connection, sql: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in connection.execute(sql).fetchall())


def kept(connection: database.Connection, table: str) -> list[tuple[Any, ...]]:
    return _rows(
        connection,
        f"SELECT class_code, learner_id, {table[6:]}, attempts, passes FROM {table}",
    )


def counted(connection: database.Connection, table: str) -> list[tuple[Any, ...]]:
    return _rows(
        connection,
        f"SELECT class_code, learner_id, {COUNTED[table]}, COUNT(*), SUM(passed)"
        " FROM completions GROUP BY 1, 2, 3",
    )


def assert_tallies_right(target: database.Target, attempts: int) -> None:
    """Both tallies equal the completions counted again, and hold `attempts` in all."""
    connection = store.reader(target)
    try:
        for table in COUNTED:
            rows = kept(connection, table)
            assert rows == counted(connection, table), table
            assert sum(row[3] for row in rows) == attempts, table
    finally:
        connection.close()


def completion(code: str, learner: str, number: int, **changes: Any) -> store.Completion:
    """Completion `number`: lessons and months in turn, every third one failed."""
    fields: dict[str, Any] = {
        "id": f"done-{number}",
        "class_code": code,
        "learner_id": learner,
        "lesson": ("lesson-a", "lesson-b")[number % 2],
        "lang": "vi",
        "score": 0 if number % 3 == 0 else 3,
        "total": 3,
        "passed": number % 3 != 0,
        "answered_at": f"2026-0{1 + number % 3}-15T03:00:00+00:00",
    }
    return store.Completion(**{**fields, **changes})


RAW_INSERT = (
    "INSERT INTO completions (id, class_code, learner_id, lesson, lang, score, total, passed,"
    " answered_at, received_at, answers, day)"
    " SELECT id || '-copy', class_code, learner_id, lesson, lang, score, total, 1 - passed,"
    " answered_at, received_at, answers, '2026-05-01' FROM completions WHERE id LIKE 'done-%'"
)


def test_tallies_follow_inserts_duplicates_raw_statements_deletes_and_updates(
    db_target: database.Target,
) -> None:
    connection = store.connect(db_target)
    codes = [store.create_class(connection, f"Lớp {n}", "2468") for n in range(2)]
    learners = [store.add_learner(connection, codes[n % 2], f"Người {n}") for n in range(4)]
    for number in range(12):
        assert store.add_completion(
            connection, completion(codes[number % 2], learners[number % 4], number)
        )
    # The same id again (a phone's retry) is stored and counted once.
    assert not store.add_completion(connection, completion(codes[0], learners[0], 0))
    assert store.insert_completion(connection, completion(codes[0], learners[0], 4), "x") is False
    assert_tallies_right(db_target, 12)

    # A raw INSERT ... SELECT of many rows (as the benchmark seeds), then the same with
    # ON CONFLICT DO NOTHING: only the rows it inserted are counted.
    connection.execute(RAW_INSERT)
    assert_tallies_right(db_target, 24)
    connection.execute(
        "INSERT INTO completions (id, class_code, learner_id, lesson, lang, score, total, passed,"
        " answered_at, received_at, answers, day)"
        " SELECT id || '-again', class_code, learner_id, lesson, lang, score, total, passed,"
        " answered_at, received_at, answers, day FROM completions"
        " WHERE id IN ('done-1', 'done-2', 'done-4')"
        " UNION ALL SELECT 'done-3', class_code, learner_id, lesson, lang, score, total, passed,"
        " answered_at, received_at, answers, day FROM completions WHERE id = 'done-5'"
        " ON CONFLICT DO NOTHING"
    )
    assert_tallies_right(db_target, 27)

    # Deleting rows takes them out; a tally row left with no attempt goes.
    connection.execute("DELETE FROM completions WHERE id LIKE '%-copy'")
    assert_tallies_right(db_target, 15)
    for table in COUNTED:
        empty = connection.execute(f"SELECT COUNT(*) FROM {table} WHERE attempts <= 0")
        assert empty.fetchone()[0] == 0
    found = connection.execute("SELECT COUNT(*) FROM tally_month WHERE month = '2026-05'")
    assert found.fetchone()[0] == 0

    # Changing what a completion counts for moves it from one tally row to another.
    connection.execute(
        "UPDATE completions SET passed = 1 - passed, lesson = 'lesson-c', day = '2026-06-01'"
        " WHERE id IN ('done-0', 'done-1', 'done-3')"
    )
    assert_tallies_right(db_target, 15)
    connection.execute("UPDATE completions SET learner_id = ? WHERE id = 'done-4'", (learners[2],))
    assert_tallies_right(db_target, 15)
    connection.close()


def sent(learner: str, **changes: object) -> dict[str, object]:
    """A completion as a laptop syncs it to the hub."""
    return {
        "id": str(uuid.uuid4()),
        "class_code": "ABC234",
        "learner_id": learner,
        "lesson": "lesson-a",
        "lang": "vi",
        "score": 2,
        "total": 3,
        "passed": True,
        "answered_at": "2026-03-02T03:04:05+00:00",
        "received_at": "2026-03-02T03:04:06+00:00",
        **changes,
    }


def posted(hub: Server, token: object, body: object) -> tuple[int, Any]:
    raw = gzip.compress(json.dumps(body).encode())
    headers = {"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"}
    return request(hub.url + "/api/v1/sync", raw=raw, headers=headers)


def test_a_hub_sync_batch_sent_twice_is_counted_once(
    tmp_path: Path, db_target: database.Target
) -> None:
    hub = Server(catalog_site(tmp_path / "site"), db_target).start()
    try:
        token = new_team(hub.db, "Đội A")["token"]  # type: ignore[arg-type]
        done = [sent("learner-1") for _ in range(3)] + [
            sent("learner-2", passed=False, score=1, answered_at="2026-04-02T03:04:05+00:00")
        ]
        done.append(dict(done[0]))  # the same id twice in one batch
        body = {
            "classes": [
                {"code": "ABC234", "name": "Lớp", "created_at": "2026-03-01T00:00:00+00:00"}
            ],
            "learners": [
                {
                    "id": f"learner-{n}",
                    "class_code": "ABC234",
                    "name": "",
                    "joined_at": "2026-03-01T00:00:00+00:00",
                }
                for n in (1, 2)
            ],
            "completions": done,
        }
        status, answer = posted(hub, token, body)
        assert status == 200, answer
        assert_tallies_right(db_target, 4)
        status, again = posted(hub, token, body)
        assert answer["completions"] == {"stored": 4, "already": 1}
        assert again["completions"] == {"stored": 0, "already": 5}
        assert_tallies_right(db_target, 4)
    finally:
        hub.stop()


def test_merge_and_prune_keep_the_tallies_right(tmp_path: Path, db_target: database.Target) -> None:
    site = catalog_site(tmp_path / "site")
    a = laptop(tmp_path / "a.db", 7, learners=3, code="ABC234")
    b = laptop(tmp_path / "b.db", 5, code="ABC234")
    for source, team in ((a, "Đội A"), (b, "Đội B"), (a, "Đội A")):
        merged = kynangso(
            "merge", "--into", db_target, source.db, "--team", team, "--site", site, "--json"
        )
        assert merged.returncode == 0, merged.stderr
    assert last_json(merged.stdout)["already"] == 7
    assert_tallies_right(db_target, 12)
    # Pruning drops names only: every result, and so every tally, stays.
    pruned = kynangso("prune", "--db", db_target, "--older-than", "1d", "--json")
    assert pruned.returncode == 0, pruned.stderr
    assert_tallies_right(db_target, 12)
    connection = store.reader(db_target)
    try:
        assert commune.commune(connection, load_catalog(site)).totals.attempts == 12
    finally:
        connection.close()


def test_a_store_of_the_previous_version_is_counted_when_it_opens(
    db_target: database.Target,
) -> None:
    """A hub or laptop store made before the tallies opens with its completions counted."""
    previous = store.MIGRATIONS.index(store._add_tallies)
    old = database.connect(db_target, store.MIGRATIONS[:previous])
    code = store.create_class(old, "Lớp cũ", "2468")
    learners = [store.add_learner(old, code, f"Người {n}") for n in range(3)]
    for number in range(10):
        store.add_completion(old, completion(code, learners[number % 3], number))
    assert store.schema_version(old) == previous
    old.close()

    connection = store.connect(db_target)
    assert store.schema_version(connection) == store.SCHEMA_VERSION
    connection.close()
    assert_tallies_right(db_target, 10)


def test_the_commune_view_reads_the_tallies_not_the_completions(
    tmp_path: Path, db_target: database.Target
) -> None:
    """What the view shows comes from the tallies: a tally changed by hand shows at once, and
    the same numbers come from the completions of an older store read as it is."""
    connection = store.connect(db_target)
    code = store.create_class(connection, "Lớp", "2468")
    learner = store.add_learner(connection, code, "Người")
    for number in range(4):
        store.add_completion(connection, completion(code, learner, number))
    connection.execute(
        "UPDATE tally_lesson SET attempts = attempts + 100 WHERE lesson = 'lesson-a'"
    )
    connection.close()
    reader = store.reader(db_target)
    try:
        figures = commune.commune(reader, None)
    finally:
        reader.close()
    assert figures.totals.attempts == 104
    lessons = dict(figures.tables)[commune.GROUPINGS[1]]
    assert sum(row.attempts for row in lessons) == 104
    months = dict(figures.tables)[commune.GROUPINGS[2]]
    assert sum(row.attempts for row in months) == 4  # the month tally was left alone


def test_an_older_store_read_as_it_is_counts_its_completions(tmp_path: Path) -> None:
    """`kynangso report` opens a store read-only and never migrates it: without tallies the
    commune counts the completions themselves."""
    db = tmp_path / "old.db"
    previous = store.MIGRATIONS.index(store._add_tallies)
    old = database.connect(db, store.MIGRATIONS[:previous])
    code = store.create_class(old, "Lớp cũ", "2468")
    learner = store.add_learner(old, code, "Người")
    for number in range(5):
        store.add_completion(old, completion(code, learner, number, id=str(uuid.uuid4())))
    old.close()
    reader = store.reader(db)
    try:
        figures = commune.commune(reader, None)
        assert store.schema_version(reader) == previous
    finally:
        reader.close()
    assert (figures.totals.attempts, figures.totals.passes, figures.totals.residents) == (5, 3, 1)


def test_the_postgresql_trigger_body_passes_the_connection_unchanged() -> None:
    """`PgConnection` turns `?` into `%s` and doubles `%` when a statement has parameters; the
    trigger function is run without any, and holds neither, so it reaches PostgreSQL as
    written whichever way it is run."""
    body = tallies._pg_tally_function()
    assert "?" not in body and "%" not in body
    assert database.translate(body, False) == body == database.translate(body, True)
