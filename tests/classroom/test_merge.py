"""`kynangso merge`: stores from USB sticks added once, checked, their teams kept apart."""

from __future__ import annotations

from pathlib import Path

from classmode import Server
from hubkit import (
    add_completion,
    catalog_site,
    exported,
    kynangso,
    laptop,
    last_json,
    new_team,
    sync,
)

from kynangso.classroom import database, store


def test_merging_twice_adds_nothing_and_teams_stay_apart(
    tmp_path: Path, db_target: database.Target
) -> None:
    """Into a SQLite file, and into the hub's PostgreSQL."""
    site = catalog_site(tmp_path / "site")
    a = laptop(tmp_path / "a.db", 30, code="ABC234")
    b = laptop(tmp_path / "b.db", 20, code="ABC234")
    target = db_target
    first = kynangso(
        "merge",
        "--into",
        target,
        a.db,
        "--team",
        "Đội A",
        "--place",
        "Bản A",
        "--site",
        site,
        "--json",
    )
    assert first.returncode == 0, first.stderr
    assert last_json(first.stdout) == {
        "classes": 1,
        "learners": 2,
        "stored": 30,
        "already": 0,
        "rejected": 0,
    }
    second = kynangso("merge", "--into", target, b.db, "--team", "Đội B", "--site", site, "--json")
    assert last_json(second.stdout)["stored"] == 20
    again = kynangso("merge", "--into", target, a.db, "--team", "Đội A", "--site", site, "--json")
    assert last_json(again.stdout) == {
        "classes": 0,
        "learners": 0,
        "stored": 0,
        "already": 30,
        "rejected": 0,
    }
    rows = exported(target, site)
    assert len(rows) == 50 and len({row["class_code"] for row in rows}) == 2
    assert {(row["team"], row["place"]) for row in rows} == {("Đội A", "Bản A"), ("Đội B", "")}


def test_a_source_that_never_synced_needs_a_team(tmp_path: Path) -> None:
    site = catalog_site(tmp_path / "site")
    a = laptop(tmp_path / "a.db", 3)
    result = kynangso("merge", "--into", tmp_path / "commune.db", a.db, "--site", site)
    assert result.returncode != 0
    assert "never synced to a hub" in result.stderr and "--team" in result.stderr


def test_a_source_that_synced_keeps_its_team_and_bad_results_are_refused(tmp_path: Path) -> None:
    site = catalog_site(tmp_path / "site")
    hub = Server(site, tmp_path / "hub.db").start()
    try:
        team = new_team(hub.db, "Đội Bản Mòng", "Bản Mòng")
        made = laptop(tmp_path / "a.db", 5)
        assert sync(made.db, hub.url, team["token"]).returncode == 0
    finally:
        hub.stop()
    connection = store.connect(made.db)
    forged = add_completion(connection, made.codes[0], made.learners[0], score=3)
    connection.execute("UPDATE completions SET passed = 0 WHERE id = ?", (forged,))
    connection.close()
    result = kynangso("merge", "--into", tmp_path / "usb.db", made.db, "--site", site, "--json")
    assert result.returncode == 0, result.stderr
    assert last_json(result.stdout)["rejected"] == 1 and forged in result.stderr
    rows = exported(tmp_path / "usb.db", site)
    assert len(rows) == 5
    assert {row["class_code"] for row in rows} == {f"{team['team']}-{made.codes[0]}"}
    assert {row["team"] for row in rows} == {"Đội Bản Mòng"}
