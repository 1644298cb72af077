"""Serving the built site: folders, redirects, 404, ETags, the build's .gz files, no escaping the folder."""

from __future__ import annotations

import gzip
import http.client
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from serving import serving
from starlette.testclient import TestClient

from kynangso.classroom.static import SiteApp, cache_control
from kynangso.site.post.precompress import precompress_site


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    """A tiny site folder behind SiteApp, with the .gz files the build writes."""
    site = tmp_path / "site"
    (site / "lessons" / "a").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>" + "x" * 2000)
    (site / "lessons" / "a" / "index.html").write_text("<h1>lesson a</h1>")
    (site / "404.html").write_text("<h1>not here</h1>")
    (tmp_path / "secret.txt").write_text("secret")
    precompress_site(site)
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


# ------------------------------------------------------------------ the build's .gz files
PAGE = "<h1>lesson b</h1>" + "<p>học kỹ năng số</p>" * 200


@pytest.fixture
def packed(tmp_path: Path) -> TestClient:
    """A site as the build leaves it: a page with its .gz, a small script without one."""
    site = tmp_path / "site"
    (site / "lessons" / "b").mkdir(parents=True)
    (site / "lessons" / "b" / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "lessons" / "b" / "index.html.gz").write_bytes(gzip.compress(PAGE.encode(), 9, mtime=0))
    (site / "tiny.js").write_text("self.x = 1;")
    (site / "404.html").write_text("<h1>not here</h1>")
    return TestClient(SiteApp(site))


def test_if_none_match_with_a_list_and_a_weak_tag_gives_304(packed: TestClient) -> None:
    tag = packed.get("/lessons/b/", headers={"accept-encoding": "identity"}).headers["etag"]
    for header in (f'"other", {tag}', f"W/{tag}", f'W/"other", W/{tag}'):
        again = packed.get(
            "/lessons/b/", headers={"accept-encoding": "identity", "if-none-match": header}
        )
        assert again.status_code == 304, header
    assert packed.get("/lessons/b/", headers={"if-none-match": '"other"'}).status_code == 200


def test_gzip_and_plain_have_their_own_etags(packed: TestClient) -> None:
    plain = packed.get("/lessons/b/", headers={"accept-encoding": "identity"})
    zipped = packed.get("/lessons/b/", headers={"accept-encoding": "gzip, deflate"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert plain.headers["etag"] != zipped.headers["etag"]
    assert plain.headers["vary"] == zipped.headers["vary"] == "Accept-Encoding"
    # a cached plain copy is not the gzip one: asking with its tag gets the gzip bytes
    cross = packed.get(
        "/lessons/b/",
        headers={"accept-encoding": "gzip", "if-none-match": plain.headers["etag"]},
    )
    assert cross.status_code == 200 and cross.headers["content-encoding"] == "gzip"


def test_the_build_gz_is_sent_as_it_is(packed: TestClient, tmp_path: Path) -> None:
    response = packed.get("/lessons/b/", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == PAGE  # the client undid the gzip
    on_disk = (tmp_path / "site" / "lessons" / "b" / "index.html.gz").read_bytes()
    assert response.headers["content-length"] == str(len(on_disk))
    refused = packed.get("/lessons/b/", headers={"accept-encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers and refused.text == PAGE


def test_a_file_without_gz_is_sent_plain(packed: TestClient) -> None:
    response = packed.get("/tiny.js", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert response.content == b"self.x = 1;"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"


def test_a_gz_older_than_its_file_is_not_sent(packed: TestClient, tmp_path: Path) -> None:
    page = tmp_path / "site" / "lessons" / "b" / "index.html"
    page.write_text("<h1>lesson b, edited by hand</h1>", encoding="utf-8")
    os.utime(page.with_name("index.html.gz"), ns=(0, 0))
    response = packed.get("/lessons/b/", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers and "edited by hand" in response.text


def test_a_hidden_file_stays_hidden_in_its_gz(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sw.js").write_text("self.addEventListener('fetch', () => {});" * 40)
    precompress_site(site)
    assert (site / "sw.js.gz").is_file()
    client = TestClient(SiteApp(site, hidden=("sw.js",)))
    for path in ("/sw.js", "/sw.js.gz"):
        assert client.get(path, headers={"accept-encoding": "gzip"}).status_code == 404, path


def test_head_and_404_of_the_gz(packed: TestClient, tmp_path: Path) -> None:
    head = packed.head("/lessons/b/", headers={"accept-encoding": "gzip"})
    on_disk = (tmp_path / "site" / "lessons" / "b" / "index.html.gz").stat().st_size
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(on_disk)
    missing = packed.get("/assets/javascripts/bundle.a5f9d56c.min.js")
    assert missing.status_code == 404 and "not here" in missing.text
    assert missing.headers["cache-control"] == "no-cache"  # a 404 is never kept for a year


def test_a_small_page_is_sent_whole_with_the_same_headers(
    client: TestClient, tmp_path: Path
) -> None:
    """A GET of a small file is answered from one read, with the headers FileResponse gave
    (less the two it dropped); a range still gets FileResponse's partial answer."""
    page = tmp_path / "site" / "lessons" / "a" / "index.html"
    whole = client.get("/lessons/a/", headers={"accept-encoding": "identity"})
    assert whole.status_code == 200 and whole.content == page.read_bytes()
    assert sorted(k for k in whole.headers if k not in ("date", "server")) == [
        "cache-control",
        "content-length",
        "content-type",
        "etag",
        "vary",
    ]
    assert whole.headers["content-length"] == str(page.stat().st_size)
    part = client.get("/lessons/a/", headers={"accept-encoding": "identity", "range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == page.read_bytes()[:4]


def test_a_remembered_file_removed_or_swapped_for_a_link_is_looked_up_again(
    client: TestClient, tmp_path: Path
) -> None:
    """Found paths are remembered (the real-path check reads every folder of the path), but a
    file removed since is a 404, and one replaced by a symbolic link out of the site is checked
    again and refused, never followed."""
    page = tmp_path / "site" / "lessons" / "a" / "index.html"
    assert client.get("/lessons/a/", headers={"accept-encoding": "identity"}).status_code == 200
    page.unlink()
    page.symlink_to(tmp_path / "secret.txt")
    swapped = client.get("/lessons/a/", headers={"accept-encoding": "identity"})
    assert swapped.status_code == 404 and b"secret" not in swapped.content
    page.unlink()
    assert client.get("/lessons/a/", headers={"accept-encoding": "identity"}).status_code == 404
