"""Residents' names kept no longer than needed: `kynangso learner forget` removes one name on
request, `kynangso prune` the names of a past season; results and counts stay."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from click.testing import CliRunner

from kynangso.classroom import database, store
from kynangso.classroom.export import write_completions
from kynangso.cli import main

NAME = "Lò Thị Quên"


def _completion(code: str, learner: str, number: int) -> store.Completion:
    return store.Completion(
        id=f"{learner}-{number}",
        class_code=code,
        learner_id=learner,
        lesson="sample-lesson",
        lang="vi",
        score=2,
        total=2,
        passed=True,
        answered_at="2026-11-20T03:00:00+00:00",
    )


def _class_of_two(db: database.Target) -> tuple[str, str, str]:
    """A class with a learner to forget (three results) and one to keep (one result)."""
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp Bản Hua", "2468")
    gone = store.add_learner(connection, code, NAME)
    kept = store.add_learner(connection, code, "Cầm Văn Ở")
    for number in range(3):
        store.add_completion(connection, _completion(code, gone, number))
    store.add_completion(connection, _completion(code, kept, 0))
    connection.close()
    return code, gone, kept


def test_forget_removes_the_name_everywhere_and_keeps_the_results(
    tmp_path: Path, db_target: database.Target
) -> None:
    """On a laptop's SQLite and on the hub's PostgreSQL."""
    db = db_target
    code, gone, kept = _class_of_two(db)
    result = CliRunner().invoke(main, ["learner", "forget", "--db", str(db), gone, "--json"])
    assert result.exit_code == 0, result.output
    assert f"{gone} of class 'Lớp Bản Hua' ({code}); 3 results kept" in result.output
    assert NAME not in result.output  # what is forgotten is not printed either
    assert json.loads(result.output.splitlines()[-1]) == {
        "learner_id": gone,
        "class_code": code,
        "class_name": "Lớp Bản Hua",
        "name_removed": True,
        "results_kept": 3,
    }
    connection = store.connect(db)
    names = {row["id"]: row["name"] for row in store.learners(connection, code)}
    assert names == {gone: "", kept: "Cầm Văn Ở"}
    assert store.counts(connection) == {"classes": 1, "learners": 2, "completions": 4}
    rows = store.completions(connection, code)
    assert sorted(row["learner_name"] for row in rows) == ["", "", "", "Cầm Văn Ở"]
    out = io.StringIO()
    write_completions(connection, code, None, out)
    assert NAME not in out.getvalue() and out.getvalue().count(f",{gone},,") == 3
    connection.close()
    # nothing of the name is left in the store's files, the free space of a page included
    for path in tmp_path.glob("class.db*") if isinstance(db, Path) else ():
        assert NAME.encode() not in path.read_bytes(), path.name
    again = CliRunner().invoke(main, ["learner", "forget", "--db", str(db), gone])
    assert again.exit_code == 0 and "no name was left for" in again.output


def test_forget_an_unknown_learner_fails_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "class.db"
    _class_of_two(db)
    result = CliRunner().invoke(main, ["learner", "forget", "--db", str(db), "nobody"])
    assert result.exit_code == 1
    assert result.output == "cannot forget: no learner with id 'nobody' in this store\n"
    missing = CliRunner().invoke(main, ["learner", "forget", "--db", str(tmp_path / "x.db"), "a"])
    assert missing.exit_code == 1 and not (tmp_path / "x.db").exists()


def _ago(days: int) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="seconds")


def test_prune_drops_the_names_of_a_past_season(db_target: database.Target) -> None:
    """Rows dated by hand: the last result the laptop received decides, or the join time for
    a learner without results; the phone's clock never does. On SQLite and PostgreSQL."""
    db = db_target
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp Nà Sành", "2468")
    people = {
        "old result": (730, [400]),
        "recent result": (730, [400, 10]),
        "joined long ago, no result": (400, []),
        "joined lately, no result": (10, []),
        "old result, clock in 2099": (730, [380]),
    }
    ids = {}
    for name, (joined, results) in people.items():
        learner = ids[name] = store.add_learner(connection, code, name)
        connection.execute(
            "UPDATE learners SET joined_at = ? WHERE id = ?", (_ago(joined), learner)
        )
        for number, days in enumerate(results):
            store.add_completion(connection, _completion(code, learner, number))
            connection.execute(
                "UPDATE completions SET received_at = ? WHERE id = ?",
                (_ago(days), f"{learner}-{number}"),
            )
    connection.execute(
        "UPDATE completions SET answered_at = '2099-01-01T00:00:00+00:00' WHERE learner_id = ?",
        (ids["old result, clock in 2099"],),
    )
    connection.close()
    result = CliRunner().invoke(main, ["prune", "--db", str(db), "--older-than", "365d", "--json"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("dropped 3 names of learners with no result since")
    assert json.loads(result.output.splitlines()[-1])["names_dropped"] == 3
    connection = store.connect(db)
    left = {row["id"]: row["name"] for row in store.learners(connection, code)}
    assert sorted(name for name in left.values() if name) == [
        "joined lately, no result",
        "recent result",
    ]
    assert store.counts(connection)["completions"] == 4 and len(left) == 5
    connection.close()
    weeks = CliRunner().invoke(main, ["prune", "--db", str(db), "--older-than", "1w"])
    assert weeks.exit_code == 0 and weeks.output.startswith("dropped 2 names"), weeks.output


def test_prune_refuses_an_age_it_cannot_read(tmp_path: Path) -> None:
    db = tmp_path / "class.db"
    _class_of_two(db)
    for age in ("365", "12 months", "0d", "-5d"):
        result = CliRunner().invoke(main, ["prune", "--db", str(db), "--older-than", age])
        assert result.exit_code == 2, (age, result.output)
        assert "such as 365d or 52w" in result.output
    assert all(row["name"] for row in store.learners(store.connect(db), None))
