"""The completions fast lane answers exactly as the FastAPI route it stands in front of: every
request is sent to a server with the lane and to one without it, from two copies of one
store, and the answers must be the same bytes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from kynangso.catalog import write_catalog
from kynangso.classroom import store
from kynangso.classroom.lane import CompletionsLane
from kynangso.classroom.server import create_app
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project


def _completion(code: str, learner: str, **changes: Any) -> dict[str, Any]:
    sent = {
        "id": "c-1",
        "class_code": code,
        "learner_id": learner,
        "lesson": "sample-lesson",
        "lang": "vi",
        "score": 2,
        "total": 2,
        "passed": True,
        "answered_at": "2026-11-25T10:00:00+07:00",
        "answers": [True, True],
    }
    sent.update(changes)
    return sent


def _requests(code: str, learner: str) -> list[tuple[bytes, dict[str, str]]]:
    """(body, headers) of each request, in order: ordinary ones, and every way to be refused."""
    json_type = {"content-type": "application/json"}

    def body(**changes: Any) -> bytes:
        return json.dumps(_completion(code, learner, **changes)).encode()

    return [
        (body(), json_type),  # new
        (body(), json_type),  # the same again: already stored
        (body(id="c-2", answers=None), {}),  # no Content-Type: read as JSON
        (body(id="c-3"), {"content-type": "application/json; charset=utf-8"}),
        (body(id="c-4"), {"content-type": "text/plain"}),
        (body(id="c-5", learner_id="nobody"), json_type),
        (body(id="c-6", lesson="no-such-lesson"), json_type),
        (body(id="c-7", total=3, answers=None), json_type),
        (body(id="c-8", score=0), json_type),  # passed does not follow the pass mark
        (body(id="c-9", score="2"), json_type),
        (body(id="c-10", extra=1), json_type),
        (b'{"id": "c-11"}', json_type),
        (b"{oops", json_type),
        (b"", json_type),
        (b"[]", json_type),
        (b"\xff\xfe", json_type),
        (body(id="c-12", answered_at="9999-12-31T23:59:59-05:00"), json_type),
        (body(id="c-13", learner_id="x" * 20_000), json_type),  # over the 16 KB cap
        ("\ufeff".encode() + body(id="c-14"), json_type),  # a byte order mark
    ]


@pytest.fixture
def stores(project: Path, tmp_path: Path) -> tuple[Path, Path, Path, str, str]:
    """A built catalog and two copies of one store with a class and a learner."""
    site = tmp_path / "site"
    site.mkdir()
    write_catalog(site_catalog(load_project(project)), site)
    first = tmp_path / "lane.db"
    connection = store.connect(first)
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    connection.close()
    second = tmp_path / "route.db"
    shutil.copy(first, second)
    return site, first, second, code, learner


def _answers(app: Any, requests: list[tuple[bytes, dict[str, str]]]) -> list[Any]:
    with TestClient(app) as client:
        found = []
        for body, headers in requests:
            reply = client.post("/api/v1/completions", content=body, headers=headers)
            kept = {k: v for k, v in reply.headers.items() if k not in ("date", "server")}
            found.append((reply.status_code, reply.content, kept))
        return found


def test_the_lane_answers_every_request_as_the_route_does(
    stores: tuple[Path, Path, Path, str, str],
) -> None:
    site, with_lane, without_lane, code, learner = stores
    requests = _requests(code, learner)
    lane_app = create_app(site, with_lane)
    route_app = create_app(site, without_lane)
    # The same app with its middleware stack as FastAPI builds it: no lane in front.
    route_app.middleware_stack = FastAPI.build_middleware_stack(route_app)
    assert not isinstance(route_app.middleware_stack, CompletionsLane)
    by_lane, by_route = _answers(lane_app, requests), _answers(route_app, requests)
    for sent, lane, route in zip(requests, by_lane, by_route, strict=True):
        assert lane == route, sent
    statuses = [status for status, _, _ in by_lane]
    assert statuses[:4] == [201, 200, 201, 201] and 413 in statuses and 404 in statuses
    kept = [sorted(row["id"] for row in store.completions(store.connect(db))) for db in stores[1:3]]
    assert kept[0] == kept[1] and "c-1" in kept[0]
