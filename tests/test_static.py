"""Serving the built site from memory: folders, redirects, 404, ETags, gzip, no escaping the folder."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kynangso.static import SiteApp, cache_control


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """A tiny site folder behind SiteApp."""
    site = tmp_path / "site"
    (site / "lessons" / "a").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>" + "x" * 2000)
    (site / "lessons" / "a" / "index.html").write_text("<h1>lesson a</h1>")
    (site / "404.html").write_text("<h1>not here</h1>")
    (tmp_path / "secret.txt").write_text("secret")
    return TestClient(SiteApp(site))


def test_folder_index_and_gzip(client: TestClient) -> None:
    response = client.get("/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
    assert response.text.startswith("<h1>home</h1>")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    raw = client.get("/", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers and len(raw.content) > 2000
    assert len(gzip.compress(raw.content)) < 200


def test_folder_without_slash_redirects(client: TestClient) -> None:
    response = client.get("/lessons/a", follow_redirects=False)
    assert response.status_code == 308 and response.headers["location"] == "/lessons/a/"


def test_missing_page_gets_the_404_page(client: TestClient) -> None:
    response = client.get("/nope/")
    assert response.status_code == 404 and "not here" in response.text


def test_etag_gives_304(client: TestClient) -> None:
    first = client.get("/lessons/a/")
    again = client.get("/lessons/a/", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_changed_file_is_served_fresh(client: TestClient, tmp_path: Path) -> None:
    assert "lesson a" in client.get("/lessons/a/").text
    page = tmp_path / "site" / "lessons" / "a" / "index.html"
    page.write_text("<h1>lesson a, rebuilt</h1>")
    assert "rebuilt" in client.get("/lessons/a/").text


def test_no_path_outside_the_site(client: TestClient) -> None:
    assert client.get("/../secret.txt").status_code == 404
    assert client.get("/%2e%2e/secret.txt").status_code == 404
    assert client.post("/").status_code == 405


def test_cache_rules() -> None:
    assert "immutable" in cache_control("assets/javascripts/bundle.a5f9d56c.min.js")
    assert cache_control("assets/kns.js") == "no-cache"
    assert cache_control("lessons/a/") == "no-cache"
    assert "max-age=86400" in cache_control("media/x.svg")
