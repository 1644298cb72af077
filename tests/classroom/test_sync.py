"""`kynangso sync` against a real hub process: each completion at the hub once, whatever
happens to the network, the hub or the order of things."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from classmode import Server
from hubkit import catalog_site, exported, laptop, last_json, new_team, sync

from kynangso.classroom import database, store
from kynangso.classroom.sync import learner_changed


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return catalog_site(tmp_path / "site")


@pytest.fixture
def hub(site: Path, db_target: database.Target) -> Iterator[Server]:
    """The hub: `kynangso serve` on its own store, on SQLite and on PostgreSQL."""
    running = Server(site, db_target).start()
    yield running
    running.stop()


def test_sync_sends_everything_once_and_the_export_names_team_and_place(
    hub: Server, site: Path, tmp_path: Path
) -> None:
    team = new_team(hub.db, "Đội Bản Mòng", "Bản Mòng")
    made = laptop(tmp_path / "a.db", 1203)
    first = sync(made.db, hub.url, team["token"])
    assert first.returncode == 0, first.stderr
    assert last_json(first.stdout) == {"sent": 1203, "stored": 1203, "already": 0, "waiting": 0}
    rows = exported(hub.db, site)
    assert sorted(row["id"] for row in rows) == sorted(made.completions)
    assert {(row["team"], row["place"]) for row in rows} == {("Đội Bản Mòng", "Bản Mòng")}
    assert list(rows[0])[-2:] == ["team", "place"]
    assert {row["class_code"] for row in rows} == {f"{team['team']}-{made.codes[0]}"}
    again = sync(made.db, hub.url, team["token"])
    assert again.returncode == 0, again.stderr
    assert last_json(again.stdout) == {"sent": 0, "stored": 0, "already": 0, "waiting": 0}
    assert len(exported(hub.db, site)) == 1203


def test_a_laptops_export_keeps_todays_columns(tmp_path: Path, site: Path) -> None:
    made = laptop(tmp_path / "a.db", 2)
    assert list(exported(made.db, site)[0])[-2:] == ["received_at", "day"]


def test_two_laptops_with_the_same_code_syncing_at_once_stay_two_classes(
    hub: Server, site: Path, tmp_path: Path
) -> None:
    teams = [new_team(hub.db, "Đội A", "Bản A"), new_team(hub.db, "Đội B", "Bản B")]
    laptops = [laptop(tmp_path / f"{n}.db", 700, code="ABC234") for n in range(2)]
    results: list[object] = [None, None]

    def run(number: int) -> None:
        results[number] = sync(laptops[number].db, hub.url, teams[number]["token"])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]
    rows = exported(hub.db, site)
    assert len(rows) == 1400 and len({row["id"] for row in rows}) == 1400
    by_class = {(row["class_code"], row["team"]) for row in rows}
    assert by_class == {(f"{t['team']}-ABC234", t["name"]) for t in teams}


def test_a_wrong_token_exits_non_zero_with_one_line(hub: Server, tmp_path: Path) -> None:
    made = laptop(tmp_path / "a.db", 3)
    result = sync(made.db, hub.url, "not-a-token")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "401" in result.stderr and "3 completions waiting" in result.stderr


def test_hub_down_keeps_everything_and_a_later_sync_sends_it(
    site: Path, tmp_path: Path, db_target: database.Target
) -> None:
    hub = Server(site, db_target)
    team = new_team(hub.db, "Đội Bản Mòng")
    made = laptop(tmp_path / "a.db", 40)
    down = sync(made.db, hub.url, team["token"])
    assert down.returncode != 0
    assert down.stderr.strip().count("\n") == 0, down.stderr
    assert "cannot reach the hub" in down.stderr and "40 completions waiting" in down.stderr
    hub.start()
    try:
        up = sync(made.db, hub.url, team["token"])
        assert up.returncode == 0, up.stderr
        assert last_json(up.stdout)["stored"] == 40
        assert len(exported(hub.db, site)) == 40
    finally:
        hub.stop()


def _acknowledged(db: Path) -> int:
    connection = sqlite3.connect(db, timeout=10)
    try:
        return int(
            connection.execute(
                "SELECT COUNT(*) FROM sync_acks WHERE kind = 'completion'"
            ).fetchone()[0]
        )
    finally:
        connection.close()


def test_kill_9_the_hub_in_the_middle_of_a_sync(
    site: Path, tmp_path: Path, db_target: database.Target
) -> None:
    hub = Server(site, db_target).start()
    team = new_team(hub.db, "Đội Bản Mòng")
    made = laptop(tmp_path / "a.db", 6000)
    # started by hand: the hub is killed while it runs
    running = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kynangso.cli",
            "sync",
            "--db",
            str(made.db),
            "--to",
            hub.url,
            "--token",
            str(team["token"]),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while _acknowledged(made.db) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    hub.kill()
    _, stderr = running.communicate(timeout=60)
    assert running.returncode != 0
    assert 0 < _acknowledged(made.db) < 6000, stderr
    hub.start()
    try:
        again = sync(made.db, hub.url, team["token"])
        assert again.returncode == 0, again.stderr
        rows = exported(hub.db, site)
        assert sorted(row["id"] for row in rows) == sorted(made.completions)
    finally:
        hub.stop()


def _hub_names(hub_db: Path) -> dict[str, str]:
    connection = store.reader(hub_db)
    try:
        return {
            row["id"]: row["name"] for row in connection.execute("SELECT id, name FROM learners")
        }
    finally:
        connection.close()


def test_names_go_only_with_names_and_a_forgotten_name_is_dropped_at_the_hub(
    hub: Server, tmp_path: Path
) -> None:
    team = new_team(hub.db, "Đội Bản Mòng")
    made = laptop(tmp_path / "a.db", 4)
    assert sync(made.db, hub.url, team["token"]).returncode == 0
    assert set(_hub_names(hub.db).values()) == {""}
    named = sync(made.db, hub.url, team["token"], "--with-names")
    assert named.returncode == 0, named.stderr
    assert sorted(_hub_names(hub.db).values()) == ["Lò Văn 0", "Lò Văn 1"]
    connection = store.connect(made.db)
    connection.execute("UPDATE learners SET name = '' WHERE id = ?", (made.learners[0],))
    learner_changed(connection, made.learners[0])
    connection.execute("UPDATE learners SET name = 'Cầm Thị B' WHERE id = ?", (made.learners[1],))
    learner_changed(connection, made.learners[1])
    connection.close()
    again = sync(made.db, hub.url, team["token"], "--with-names")
    assert again.returncode == 0, again.stderr
    assert _hub_names(hub.db) == {made.learners[0]: "", made.learners[1]: "Cầm Thị B"}


def test_forget_and_merge_on_the_laptop_reach_the_hub_and_the_hub_counts_per_team_and_village(
    hub: Server, tmp_path: Path
) -> None:
    from hubkit import kynangso

    from kynangso.classroom import commune

    mong = new_team(hub.db, "Đội Bản Mòng", "Bản Mòng")
    lai = new_team(hub.db, "Đội Bản Lái", "Bản Lái")
    a = laptop(tmp_path / "a.db", 6, learners=3)
    b = laptop(tmp_path / "b.db", 2, learners=1)
    assert sync(a.db, hub.url, mong["token"], "--with-names").returncode == 0
    assert sync(b.db, hub.url, lai["token"], "--with-names").returncode == 0
    # On laptop a: learners 0 and 1 are one resident (two browsers); learner 2 asks to be forgotten.
    merged = kynangso("learner", "merge", "--db", a.db, a.learners[0], a.learners[1], "--json")
    assert merged.returncode == 0, merged.stderr
    forgot = kynangso("learner", "forget", "--db", a.db, a.learners[2])
    assert forgot.returncode == 0, forgot.stderr
    again = sync(a.db, hub.url, mong["token"], "--with-names")
    assert again.returncode == 0, again.stderr
    assert _hub_names(hub.db)[a.learners[2]] == ""
    connection = store.connect(hub.db)
    try:
        same = connection.execute(
            "SELECT same_as FROM learners WHERE id = ?", (a.learners[1],)
        ).fetchone()
        assert same["same_as"] == a.learners[0]
        figures = commune.commune(connection, None)
    finally:
        connection.close()
    assert figures.totals.residents == 3  # 2 persons at Bản Mòng (the merged pair counts once) + 1
    tables = {grouping.name: rows for grouping, rows in figures.tables}
    assert list(tables)[:3] == ["team", "village", "class"]
    per_team = {row.label: (row.joined, row.residents, row.attempts) for row in tables["team"]}
    assert per_team == {"Đội Bản Mòng": (2, 2, 6), "Đội Bản Lái": (1, 1, 2)}
    per_village = {row.label: row.residents for row in tables["village"]}
    assert per_village == {"Bản Mòng": 2, "Bản Lái": 1}
