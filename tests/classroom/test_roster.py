"""Two learner entries that are one person, and classes listed, renamed and closed: in the store,
through `kynangso class …` and `kynangso learner merge`, and on a real server process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from classmode import Server, request
from click.testing import CliRunner

from kynangso.catalog import write_catalog
from kynangso.classroom import database, roster, store
from kynangso.cli import main
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project

LESSON = "sample-lesson"  # two questions, pass mark 1


@pytest.fixture
def site(project: Path, tmp_path: Path) -> Path:
    """A site folder with just the catalog of the small sample project."""
    folder = tmp_path / "site"
    folder.mkdir()
    write_catalog(site_catalog(load_project(project)), folder)
    return folder


def _done(
    connection: database.Connection, code: str, learner: str, number: int, passed: bool
) -> None:
    store.add_completion(
        connection,
        store.Completion(
            id=f"{learner}-{number}",
            class_code=code,
            learner_id=learner,
            lesson=LESSON,
            lang="vi",
            score=int(passed),
            total=2,
            passed=passed,
            answered_at="2026-11-20T03:00:00+00:00",
        ),
    )


@pytest.fixture
def two_classes(db_target: database.Target) -> tuple[database.Target, str, str, list[str]]:
    """Class A with An (from Zalo), An again (from Chrome) and Bình, who send 4 completions;
    class B with one learner, on SQLite and on PostgreSQL. Returns (store, code A, code B,
    [an, an2, binh, other])."""
    db = db_target
    connection = store.connect(db)
    a = store.create_class(connection, "Lớp Bản Hua", "2468")
    b = store.create_class(connection, "Lớp Nà Tăm", "1357")
    ids = [store.add_learner(connection, a, name) for name in ("An", "An", "Bình")]
    ids.append(store.add_learner(connection, b, "Cường"))
    _done(connection, a, ids[0], 1, False)
    _done(connection, a, ids[1], 1, True)
    _done(connection, a, ids[1], 2, True)
    _done(connection, a, ids[2], 1, False)
    connection.close()
    return db, a, b, ids


def test_merge_counts_one_person_and_keeps_every_completion(
    two_classes: tuple[database.Target, str, str, list[str]],
) -> None:
    db, a, b, (an, an2, binh, other) = two_classes
    connection = store.connect(db)
    assert {row["code"]: row["learners"] for row in roster.class_rows(connection)} == {a: 3, b: 1}
    assert roster.merge_learners(connection, an, an2) == an
    assert {row["code"]: row["learners"] for row in roster.class_rows(connection)} == {a: 2, b: 1}
    assert [(p["id"], p["entries"]) for p in roster.people(connection, a)] == [(an, 2), (binh, 1)]
    assert store.counts(connection)["completions"] == 4  # nothing moved, nothing lost
    # Merging into an entry that is itself merged follows it to the person.
    assert roster.merge_learners(connection, an2, binh) == an
    same = connection.execute("SELECT id, same_as FROM learners WHERE class_code = ?", (a,))
    assert {row["id"]: row["same_as"] for row in same} == {an: None, an2: an, binh: an}
    with pytest.raises(store.StoreError, match="merged with itself"):
        roster.merge_learners(connection, an, an)
    with pytest.raises(store.StoreError, match="different classes"):
        roster.merge_learners(connection, an, other)
    with pytest.raises(store.StoreError, match="no learner with the id 'nobody'"):
        roster.merge_learners(connection, an, "nobody")


def test_people_completions_put_every_result_under_its_person(
    two_classes: tuple[database.Target, str, str, list[str]],
) -> None:
    """What the certificates and the attendance sheet read: the results of a merged entry count
    for the kept entry, under its name; nothing is dropped or doubled."""
    db, a, _, (an, an2, binh, _) = two_classes
    connection = store.connect(db)
    roster.merge_learners(connection, an, an2)
    connection.execute("UPDATE learners SET name = ? WHERE id = ?", ("An Lò", an2))
    rows = roster.people_completions(connection, a)
    assert sorted((row["id"], row["learner_id"], row["learner_name"]) for row in rows) == sorted(
        [
            (f"{an}-1", an, "An"),
            (f"{an2}-1", an, "An"),
            (f"{an2}-2", an, "An"),
            (f"{binh}-1", binh, "Bình"),
        ]
    )
    assert roster.entries_of_people(connection, a) == {an: an, an2: an, binh: binh}
    connection.close()


def test_people_completions_of_a_store_older_than_merges(db_target: database.Target) -> None:
    """A store made before entries could be merged is read with one person per entry."""
    previous = store.MIGRATIONS.index(store._add_people_and_commune)
    old = database.connect(db_target, store.MIGRATIONS[:previous])
    code = store.create_class(old, "Lớp cũ", "2468")
    an, binh = (store.add_learner(old, code, name) for name in ("An", "Bình"))
    _done(old, code, an, 1, True)
    _done(old, code, binh, 1, False)
    assert [row["id"] for row in roster.people(old, code)] == [an, binh]
    rows = roster.people_completions(old, code)
    assert sorted((row["learner_id"], row["learner_name"]) for row in rows) == sorted(
        [(an, "An"), (binh, "Bình")]
    )
    old.close()


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_class_list_rename_close_and_learner_merge_commands(
    two_classes: tuple[database.Target, str, str, list[str]],
) -> None:
    db, a, b, (an, an2, _binh, other) = two_classes
    status, output = _cli("class", "list", "--db", str(db), "--json")
    assert status == 0, output
    rows = json.loads(output.splitlines()[-1])
    assert sorted(
        (r["code"], r["name"], r["learners"], r["completions"], r["closed"]) for r in rows
    ) == sorted([(a, "Lớp Bản Hua", 3, 4, None), (b, "Lớp Nà Tăm", 1, 0, None)])
    assert all(r["created"] for r in rows)

    status, output = _cli("class", "rename", "--db", str(db), a.lower(), "Lớp Bản Hua 2")
    assert status == 0, output
    status, output = _cli("class", "close", "--db", str(db), b)
    assert status == 0, output
    status, output = _cli("learner", "merge", "--db", str(db), an, an2, "--json")
    assert status == 0, output
    assert json.loads(output.splitlines()[-1]) == {"person": an, "merged": an2}

    rows = json.loads(_cli("class", "list", "--db", str(db), "--json")[1].splitlines()[-1])
    assert {r["code"]: (r["name"], r["learners"], r["closed"] is not None) for r in rows} == {
        a: ("Lớp Bản Hua 2", 2, False),
        b: ("Lớp Nà Tăm", 1, True),
    }
    status, output = _cli("learner", "merge", "--db", str(db), an, other)
    assert status == 1 and "different classes" in output
    status, output = _cli("learner", "merge", "--db", str(db), an, an)
    assert status == 1 and "merged with itself" in output
    status, output = _cli("class", "rename", "--db", str(db), "NOPE99", "x")
    assert status == 1 and "no class with the code 'NOPE99'" in output
    status, output = _cli("class", "rename", "--db", str(db), a, " ")
    assert status == 1 and "1 to 80 characters" in output


def _completion(code: str, learner: str, number: int) -> dict[str, object]:
    return {
        "id": f"late-{learner}-{number}",
        "class_code": code,
        "learner_id": learner,
        "lesson": LESSON,
        "lang": "vi",
        "score": 2,
        "total": 2,
        "passed": True,
        "answered_at": "2026-11-21T03:00:00+00:00",
    }


def _login(client: httpx.Client, code: str, pin: str) -> None:
    response = client.post("/coach/login", data={"code": code, "pin": pin})
    assert response.status_code == 303, response.text
    client.cookies.set("kns_coach", response.cookies["kns_coach"])


def _numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<div><strong>(\d+)</strong>", page)]


def _roster(page: str) -> list[str]:
    grid = page.split('id="grid"', 1)[1]
    return re.findall(r'<tr><th scope="row">([^<\n]*)', grid)


def test_a_closed_class_refuses_a_join_and_still_takes_a_completion(
    site: Path, two_classes: tuple[database.Target, str, str, list[str]]
) -> None:
    db, a, _b, (an, *_rest) = two_classes
    server = Server(site, db).start()
    try:
        with httpx.Client(base_url=server.url, follow_redirects=False) as client:
            _login(client, a, "2468")
            asked = client.post("/coach/close", data={})
            assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text
            assert request(f"{server.url}/api/v1/classes/{a}/learners", {"name": "Dung"})[0] == 201
            assert client.post("/coach/close", data={"confirm": "yes"}).status_code == 303
            assert 'id="closed"' in client.get("/coach/").text
        status, body = request(f"{server.url}/api/v1/classes/{a}/learners", {"name": "Em"})
        assert status == 410 and body["detail"] == "this class is closed: it takes no new learners"
        status, body = request(f"{server.url}/api/v1/completions", _completion(a, an, 1))
        assert status == 201, body
    finally:
        server.stop()
    connection = store.connect(db)
    assert [p["name"] for p in store.learners(connection, a)] == ["An", "An", "Bình", "Dung"]
    assert store.counts(connection)["completions"] == 5


def test_the_coach_merges_two_rows_renames_the_class_and_needs_the_session(
    site: Path, two_classes: tuple[database.Target, str, str, list[str]]
) -> None:
    db, a, _b, (an, an2, _binh, other) = two_classes
    server = Server(site, db).start()
    try:
        with httpx.Client(base_url=server.url, follow_redirects=False) as stranger:
            # No session: nothing changes, the POST leads to the login page.
            refused = stranger.post(
                "/coach/merge", data={"keep": an, "other": an2, "confirm": "yes"}
            )
            assert refused.status_code == 303 and refused.headers["location"] == "/coach/"
            assert stranger.post("/coach/rename", data={"name": "x"}).status_code == 303
        with httpx.Client(base_url=server.url, follow_redirects=False) as client:
            _login(client, a, "2468")
            before = client.get("/coach/").text
            assert _numbers(before) == [3, 4, 2] and _roster(before) == ["An", "An", "Bình"]
            asked = client.post("/coach/merge", data={"keep": an, "other": an2})
            assert asked.status_code == 200 and "“An” vào “An”" in asked.text
            assert _numbers(client.get("/coach/").text) == [3, 4, 2]  # asking changed nothing
            done = client.post("/coach/merge", data={"keep": an, "other": an2, "confirm": "yes"})
            assert done.status_code == 303
            after = client.get("/coach/").text
            assert _numbers(after) == [2, 4, 2] and _roster(after) == ["An", "Bình"]
            # The merged person passed: one row, ✓ (from the Chrome entry's completions).
            assert "✓" in after.split('id="grid"', 1)[1].split("Bình")[0]
            other_class = client.post(
                "/coach/merge", data={"keep": an, "other": other, "confirm": "yes"}
            )
            assert other_class.status_code == 400
            assert client.post("/coach/rename", data={"name": ""}).status_code == 422
            assert client.post("/coach/rename", data={"name": "Lớp mới"}).status_code == 303
            assert "<h1>Lớp mới" in client.get("/coach/").text
    finally:
        server.stop()
    connection = store.connect(db)
    assert store.counts(connection)["completions"] == 4
