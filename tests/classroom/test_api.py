"""The API's typed bodies on a real server: what FastAPI's own validation answers, through the
one handler for refused bodies, keeps the shapes the phones and the README know."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from classmode import Server, request

from kynangso.catalog import write_catalog
from kynangso.classroom import database, store
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project


@pytest.fixture
def running(
    project: Path, tmp_path: Path, db_target: database.Target
) -> Iterator[tuple[Server, str]]:
    """A server for the sample project's catalog and a store with one class, on SQLite and
    on PostgreSQL."""
    site = tmp_path / "site"
    site.mkdir()
    write_catalog(site_catalog(load_project(project)), site)
    connection = store.connect(db_target)
    code = store.create_class(connection, "Lớp A", "2468")
    connection.close()
    server = Server(site, db_target).start()
    yield server, code
    server.stop()


def test_refused_bodies_keep_their_shapes(running: tuple[Server, str]) -> None:
    server, code = running
    url = f"{server.url}/api/v1/classes/{code}/learners"
    status, reply = request(url, {"name": 5, "extra": 1})
    assert status == 422
    assert sorted((tuple(p["loc"]), p["type"]) for p in reply["detail"]) == [
        (("extra",), "extra_forbidden"),
        (("name",), "string_type"),
    ]
    assert request(url, raw=b"") == (400, {"detail": "body is not valid JSON"})
    assert request(url, raw=b"{oops") == (400, {"detail": "body is not valid JSON"})
    status, reply = request(f"{server.url}/api/v1/completions", {"id": "x"})
    assert status == 422 and ["class_code"] in [p["loc"] for p in reply["detail"]]
    status, reply = request(f"{server.url}/api/v1/classes/ZZZZZZ/learners", {"name": "A"})
    assert (status, reply) == (404, {"detail": "unknown class code"})


def test_a_json_body_without_a_content_type_is_read(running: tuple[Server, str]) -> None:
    server, code = running
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    body = json.dumps({"name": "Lò Văn A"}).encode()
    connection.request("POST", f"/api/v1/classes/{code}/learners", body)  # no Content-Type
    response = connection.getresponse()
    assert response.status == 201, response.read()
    connection.close()


@pytest.mark.parametrize(
    "name", ["0912 345 678", "001.234.567.890", "+84 912345678", "Lan 0912-345-678"]
)
def test_a_name_that_looks_like_an_id_or_phone_number_is_refused(
    running: tuple[Server, str], name: str
) -> None:
    server, code = running
    url = f"{server.url}/api/v1/classes/{code}/learners"
    status, reply = request(url, {"name": name})
    assert status == 422, reply
    [problem] = reply["detail"]
    assert (problem["loc"], problem["type"]) == (["name"], "name_like_number")
    assert "ID or phone number" in problem["msg"]
    reader = store.reader(server.db)
    try:
        assert store.counts(reader)["learners"] == 0
    finally:
        reader.close()


def test_an_ordinary_name_with_a_few_digits_is_still_taken(running: tuple[Server, str]) -> None:
    server, code = running
    status, reply = request(f"{server.url}/api/v1/classes/{code}/learners", {"name": "Lò Văn A 2"})
    assert status == 201, reply


def test_a_name_with_a_nul_character_is_refused_on_both(running: tuple[Server, str]) -> None:
    """PostgreSQL cannot keep U+0000 in text: the API refuses it on both databases alike,
    with a 422, never a 500."""
    server, code = running
    url = f"{server.url}/api/v1/classes/{code}/learners"
    status, reply = request(url, {"name": "Lò\u0000Văn A"})
    assert status == 422, reply
    assert reply["detail"][0]["loc"] == ["name"]
    assert "control character" in reply["detail"][0]["msg"]
    assert request(url, {"name": "Lò Văn A"})[0] == 201
