"""The hub's side of sync on a real server process: tokens, caps, re-checks, teams kept apart."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from classmode import Server, request
from hubkit import catalog_site, new_team

from kynangso.classroom import database, sessions, store


@pytest.fixture
def hub(tmp_path: Path, db_target: database.Target) -> Iterator[Server]:
    """The hub on SQLite and on PostgreSQL."""
    running = Server(catalog_site(tmp_path / "site"), db_target).start()
    yield running
    running.stop()


def post(hub: Server, token: object, body: object, *, packed: bool = True) -> tuple[int, object]:
    raw = json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}"}
    if packed:
        raw, headers["Content-Encoding"] = gzip.compress(raw), "gzip"
    return request(hub.url + "/api/v1/sync", raw=raw, headers=headers)


def completion(learner: str, code: str = "ABC234", **changes: object) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "class_code": code,
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


def a_class(code: str = "ABC234") -> dict[str, object]:
    return {"code": code, "name": "Lớp Bản Mòng", "created_at": "2026-03-01T00:00:00+00:00"}


def a_learner(learner: str, name: str = "", code: str = "ABC234") -> dict[str, object]:
    return {
        "id": learner,
        "class_code": code,
        "name": name,
        "joined_at": "2026-03-01T00:00:00+00:00",
    }


def test_team_create_prints_the_token_once_and_keeps_its_hash(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    team = new_team(db, "Đội Bản Mòng", "Bản Mòng")
    assert set(team) == {"team", "name", "token"} and team["name"] == "Đội Bản Mòng"
    token = str(team["token"])
    assert len(token) >= 43  # 256 bits, URL-safe base64
    connection = store.reader(db)
    row = connection.execute("SELECT * FROM teams").fetchone()
    assert row["id"] == team["team"] and row["place"] == "Bản Mòng"
    assert row["token_hash"] == sessions.token_hash(token)
    assert token not in {str(value) for value in dict(row).values()}


def test_a_token_is_needed_and_checked_before_the_body(hub: Server) -> None:
    status, body = request(hub.url + "/api/v1/sync")
    assert status == 401 and "no team token" in body["detail"]  # type: ignore[index]
    status, body = post(hub, "wrong", {"classes": []})
    assert status == 401 and body == {"detail": "unknown team token for this hub"}
    big = {"completions": [completion("L" * 16)] * 900}
    assert post(hub, "wrong", big, packed=False)[0] == 401  # 200 KB: over the phones' cap


def _refused(hub: Server, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST `body` on a socket of its own and read the answer, even one the server sends (and
    closes on) before the body is all sent: urllib then reports only the broken pipe."""
    host, port = hub.url.removeprefix("http://").split(":")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    for _ in range(5):  # a reset may also drop the answer: ask again
        with socket.create_connection((host, int(port)), timeout=30) as conn:
            conn.sendall(
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
                f"{head}Connection: close\r\n\r\n".encode()
            )
            with contextlib.suppress(OSError):
                conn.sendall(body)
            answer = b""
            with contextlib.suppress(OSError):
                while chunk := conn.recv(65536):
                    answer += chunk
        if answer:
            status = int(answer.split(b" ", 2)[1])
            return status, answer.split(b"\r\n\r\n", 1)[-1]
    raise AssertionError(f"no answer from {path}")


def test_the_sync_cap_holds_only_there_and_a_gzip_bomb_is_refused(hub: Server) -> None:
    token = new_team(hub.db, "Đội A")["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"}
    bomb = gzip.compress(b'{"completions": [' + b" " * (20 * 1024 * 1024) + b"]}")
    assert len(bomb) < 1024 * 1024
    status, body = _refused(hub, "/api/v1/sync", bomb, headers)
    assert status == 413 and b"unpacks to more than" in body, body
    status, _ = _refused(hub, "/api/v1/sync", b"x" * (1024 * 1024 + 1), headers)
    assert status == 413
    status, _ = _refused(hub, "/api/v1/completions", b" " * (17 * 1024), {})
    assert status == 413  # the phones' endpoint keeps its 16 KB


def test_a_bad_completion_is_refused_by_id_and_the_rest_stored(hub: Server) -> None:
    token = new_team(hub.db, "Đội A")["token"]
    good = [completion("learner-1") for _ in range(3)]
    bad = [
        completion("learner-1", total=4),
        completion("learner-1", passed=False),
        completion("learner-1", lesson="no-such-lesson"),
        completion("learner-1", answers=[True]),
        completion("learner-1", score="2"),
    ]
    body = {"classes": [a_class()], "learners": [a_learner("learner-1")], "completions": good + bad}
    status, answer = post(hub, token, body)
    assert status == 200, answer
    assert answer["completions"] == {"stored": 3, "already": 0}  # type: ignore[index]
    refused = {r["id"]: r["detail"] for r in answer["rejected"]}  # type: ignore[index]
    assert set(refused) == {str(c["id"]) for c in bad}
    assert "total must be 3" in refused[str(bad[0]["id"])]
    assert "passed must be true" in refused[str(bad[1]["id"])]
    status, again = post(hub, token, {"completions": good})
    assert again["completions"] == {"stored": 0, "already": 3}  # type: ignore[index]


def test_a_team_cannot_write_into_another_teams_classes(hub: Server) -> None:
    a, b = new_team(hub.db, "Đội A"), new_team(hub.db, "Đội B")
    mine = completion("learner-a")
    body = {
        "classes": [a_class()],
        "learners": [a_learner("learner-a", "Lò A")],
        "completions": [mine],
    }
    assert post(hub, a["token"], body)[0] == 200
    # team B names the same code, A's learner and a completion of A's learner
    forged = completion("learner-a")
    status, answer = post(
        hub,
        b["token"],
        {"classes": [a_class()], "learners": [a_learner("learner-a", "")], "completions": [forged]},
    )
    assert status == 200
    refused = {(r["kind"], r["id"]) for r in answer["rejected"]}  # type: ignore[index]
    assert refused == {("learners", "learner-a"), ("completions", str(forged["id"]))}
    connection = store.reader(hub.db)
    learner = connection.execute("SELECT name, class_code FROM learners").fetchall()
    assert [tuple(row) for row in learner] == [("Lò A", f"{a['team']}-ABC234")]
    codes = {row[0] for row in connection.execute("SELECT class_code FROM completions")}
    assert codes == {f"{a['team']}-ABC234"}
    classes = {row[0] for row in connection.execute("SELECT team FROM classes")}
    assert classes == {a["team"], b["team"]}  # B's ABC234 is B's own class
