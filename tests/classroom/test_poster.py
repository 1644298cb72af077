"""The class poster printed from the coach dashboard: behind the coach login, with a QR code per
address the running server can be reached at (decoded from the page Chromium shows), never one
no phone can open, on one A4 page."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import zxingcpp
from classmode import Server, free_port, request
from PIL import Image
from playwright.sync_api import Page

from kynangso.catalog import write_catalog
from kynangso.classroom import store
from kynangso.classroom.network import lan_addresses
from kynangso.classroom.poster import join_addresses
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project

PIN = "2468"


def _site_and_class(project: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """A built site's catalog and a class store with one class: (site, store, class code)."""
    site = tmp_path / "site"
    site.mkdir()
    write_catalog(site_catalog(load_project(project)), site)
    db = tmp_path / "class.db"
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp Bản Hua", PIN)
    connection.close()
    return site, db, code


@pytest.fixture
def class_server(project: Path, tmp_path: Path) -> Iterator[tuple[Server, str]]:
    """`kynangso serve --host 0.0.0.0` (as for a class) with one class; yields it and the code."""
    site, db, code = _site_and_class(project, tmp_path)
    server = Server(site, db, host="0.0.0.0").start()
    try:
        yield server, code
    finally:
        server.stop()


def joins(port: int) -> list[str]:
    return [f"http://{address}:{port}/tham-gia-lop/" for address in lan_addresses()]


def test_the_poster_is_behind_the_coach_login(class_server: tuple[Server, str]) -> None:
    server, code = class_server
    with httpx.Client(base_url=server.url, timeout=30) as client:
        refused = client.get("/coach/poster")
        assert refused.status_code == 303 and refused.headers["location"] == "/coach/"
        client.cookies.set("kns_coach", "not-a-session")
        assert client.get("/coach/poster").status_code == 303
        client.cookies.clear()
        assert client.post("/coach/login", data={"code": code, "pin": PIN}).status_code == 303
        page = client.get("/coach/poster", params={"wifi": "<b>Nhà văn hoá</b>"})
        assert page.status_code == 200
        assert code in page.text and "Lớp Bản Hua" in page.text
        assert "&lt;b&gt;Nhà văn hoá&lt;/b&gt;" in page.text and "<b>Nhà" not in page.text
        assert "@page { size: A4" in page.text
        too_long = client.get("/coach/poster", params={"wifi": "x" * 65})
        assert too_long.status_code == 422 and "wifi" in too_long.json()["detail"]
        # the coach's browser came by 127.0.0.1: only the network addresses, never loopback
        assert "127.0.0.1" not in page.text.split("</form>", 1)[1]
        for url in joins(server.port):
            assert url.split("//")[1].split(":")[0] in page.text


def test_join_addresses_from_the_host_header_and_the_interfaces() -> None:
    lan = [f"http://{a}:8000/tham-gia-lop/" for a in lan_addresses()]
    assert join_addresses("127.0.0.1:8000", "http", 8000, "0.0.0.0") == lan
    for host in ("localhost:8000", "kynangso.local:8000", "[::1]:8000", "127.0.1.1:8000"):
        assert join_addresses(host, "http", 8000, "0.0.0.0") == lan, host
    assert join_addresses("192.168.5.5:8000", "http", 8000, "0.0.0.0") == [
        "http://192.168.5.5:8000/tham-gia-lop/",
        *lan,
    ]
    assert join_addresses("lop.example.vn", "https", 443, None)[0] == (
        "https://lop.example.vn/tham-gia-lop/"
    )
    assert join_addresses("bad host<>", "http", 8000, "0.0.0.0") == lan
    # listening on this laptop only: no phone reaches it, whatever its interfaces
    assert join_addresses("127.0.0.1:8000", "http", 8000, "127.0.0.1") == []


def test_without_a_network_address_the_poster_says_what_to_do(
    project: Path, tmp_path: Path
) -> None:
    site, db, code = _site_and_class(project, tmp_path)
    server = Server(site, db).start()  # the default --host 127.0.0.1
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            client.post("/coach/login", data={"code": code, "pin": PIN})
            page = client.get("/coach/poster").text
        assert "<svg" not in page and "--host 0.0.0.0" in page
    finally:
        server.stop()


def _decoded(png: bytes) -> list[str]:
    return sorted(code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))


def test_the_poster_qr_codes_lead_to_the_join_page(
    page: Page, class_server: tuple[Server, str], tmp_path: Path
) -> None:
    server, code = class_server
    page.set_viewport_size({"width": 900, "height": 1400})
    page.goto(server.url + "/coach/")
    page.fill("input[name=code]", code)
    page.fill("input[name=pin]", PIN)
    page.click("button[type=submit]")
    page.goto(server.url + "/coach/poster")
    page.fill("#wifi", "Nha van hoa Ban Hua")
    page.click("text=Cập nhật áp phích")
    page.wait_for_url("**/coach/poster?wifi=*")
    assert "Nha van hoa Ban Hua" in page.inner_text(".facts")
    expected = sorted(joins(server.port))
    assert expected, "this machine has no network address to test with"
    assert _decoded(page.screenshot(full_page=True)) == expected
    # printed: one A4 page, the first address's code over 10 cm wide
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(page.pdf(format="A4", prefer_css_page_size=True, print_background=True))
    subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 1
    found = zxingcpp.read_barcodes(Image.open(pages[0]))
    assert sorted(c.text for c in found) == expected
    first = next(c for c in found if c.text == joins(server.port)[0])
    width_mm = abs(first.position.top_right.x - first.position.top_left.x) / 100 * 25.4
    assert width_mm >= 100


def test_serve_prints_each_network_address_never_loopback(
    class_server: tuple[Server, str], tmp_path: Path
) -> None:
    """`kynangso serve --host 0.0.0.0` names the addresses phones open, the default route's
    first; on a Debian laptop the machine's own name gave 127.0.1.1 here."""
    server, _ = class_server
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kynangso.cli", "serve", "--host", "0.0.0.0", "--port", str(port)]
        + ["--db", str(server.db), "--site", str(server.site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                if request(f"http://127.0.0.1:{port}/api/v1/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=20)
    printed = [line.split(": ", 1)[1] for line in out.splitlines() if "phones open:" in line]
    assert printed == joins(port)
    assert "/coach/poster" in out
