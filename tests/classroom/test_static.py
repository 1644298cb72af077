"""Serving the built site from memory: folders, redirects, 404, ETags, gzip, no escaping the folder."""

from __future__ import annotations

import gzip
import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from serving import serving
from starlette.testclient import TestClient

from kynangso.classroom.static import SiteApp, cache_control


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


def _raw_get(url: str, target: str) -> tuple[int, dict[str, str]]:
    """GET with `target` as the exact request line: no client-side clean-up of `..` or `//`."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", parts.netloc)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


@pytest.fixture
def raw_url(tmp_path: Path) -> Iterator[str]:
    """A tiny site behind SiteApp (with sw.js hidden, as the preview does) on a real server."""
    site = tmp_path / "site"
    (site / "lessons" / "a").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>")
    (site / "lessons" / "a" / "index.html").write_text("<h1>lesson a</h1>")
    (site / "sw.js").write_text("self.x = 1;")
    (site / "404.html").write_text("<h1>not here</h1>")
    (tmp_path / "secret.txt").write_text("secret")
    with serving(SiteApp(site, hidden=("sw.js",))) as url:
        yield url


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example%2F..",
        "//evil.example/..",
        "/%2Fevil.example/..",
        "/\\evil.example/..",
        "/lessons//a",
        "/lessons/./a",
        "/lessons/a/..",
        "/./lessons/a",
        "/../secret.txt",
        "/lessons/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/lessons/%2e%2e/%2e%2e/secret.txt",
    ],
)
def test_dot_and_empty_segments_are_404_never_a_redirect(raw_url: str, target: str) -> None:
    status, headers = _raw_get(raw_url, target)
    assert status == 404, (target, status, headers.get("location"))
    assert "location" not in headers


def test_redirect_location_is_the_checked_path(raw_url: str) -> None:
    status, headers = _raw_get(raw_url, "/lessons/a")
    assert status == 308 and headers["location"] == "/lessons/a/"
    assert _raw_get(raw_url, "/lessons/a/")[0] == 200


@pytest.mark.parametrize(
    "target", ["/sw.js", "/./sw.js", "/sw.js/", "//sw.js", "/lessons/../sw.js"]
)
def test_hidden_files_stay_hidden(raw_url: str, target: str) -> None:
    assert _raw_get(raw_url, target)[0] == 404


def test_file_with_a_trailing_slash_is_404(raw_url: str) -> None:
    assert _raw_get(raw_url, "/index.html")[0] == 200
    assert _raw_get(raw_url, "/index.html/")[0] == 404
