"""The QR codes of the printed materials, decoded from the printed PDFs: they lead exactly to
the address given with --site-url (or mkdocs.yml's site_url), never to one no phone can open,
and without an address there are none at all, only a box for the class's address."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kynangso.build import BuildReport
from kynangso.errors import BuildError
from kynangso.sources.validate import Project, load_project
from kynangso.teams import resolve_site_url
from kynangso.teams.plan import lesson_plan
from kynangso.teams.posters import posters_html
from kynangso.teams.printing import PrintJob, address_text, handout_html, print_all
from kynangso.teams.strings import TEAMS_UI

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("pdftoppm") is None,
    reason="Debian's chromium and poppler-utils are needed to print and read the PDFs",
)
SITE_URL = "http://192.168.100.200:8000/"
DPI = 100


def decoded(pdf: bytes, folder: Path) -> list[list[tuple[str, float]]]:
    """Per page of `pdf`: every QR code found, as (text, width of the symbol in mm)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "in.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(folder / "in.pdf"), str(folder / "page")],
        check=True,
    )
    pages = []
    for png in sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        found = []
        for code in zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode):
            position = code.position
            width_px = abs(position.top_right.x - position.top_left.x)
            found.append((code.text, width_px / DPI * 25.4))
        pages.append(found)
    return pages


def pdf_text(pdf: bytes, folder: Path) -> str:
    (folder / "text.pdf").write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(folder / "text.pdf"), "-"],
        capture_output=True,
        check=True,
    )
    return unicodedata.normalize("NFC", result.stdout.decode("utf-8"))


def printed(project: Project, site_url: str | None) -> tuple[bytes, bytes, bytes]:
    """The Vietnamese and English posters and the English handout of the sample lesson."""
    lesson = project.lessons["sample-lesson"]
    plan = lesson_plan(
        lesson, project.quizzes[lesson.id], project.topics[lesson.topic], "en", site_url
    )
    vi, en, handout = print_all(
        [
            PrintJob(posters_html(project, "vi", site_url)),
            PrintJob(posters_html(project, "en", site_url)),
            PrintJob(handout_html(plan, site_url), 2),
        ]
    )
    return vi, en, handout


def test_every_qr_code_leads_to_the_given_address(project: Path, tmp_path: Path) -> None:
    loaded = load_project(project)
    site = resolve_site_url(loaded, SITE_URL.rstrip("/"))
    assert site == SITE_URL
    vi, en, handout = printed(loaded, site)
    topics = list(loaded.topics)
    for pdf, prefix, join in ((vi, "", "tham-gia-lop/"), (en, "en/", "en/join-class/")):
        pages = decoded(pdf, tmp_path / (prefix.strip("/") or "vi"))
        assert len(pages) == len(topics)
        for topic, codes in zip(topics, pages, strict=True):
            assert sorted(text for text, _ in codes) == sorted(
                [f"{SITE_URL}{prefix}topics/{topic}/", f"{SITE_URL}{join}"]
            )
            # the topic's code is read from 2 m: over 10 cm wide, quiet zone left out
            main = next(w for text, w in codes if "/topics/" in text)
            assert main >= 100, f"{topic}: {main:.1f} mm"
    pages = decoded(handout, tmp_path / "handout")
    assert [text for page in pages for text, _ in page] == [f"{SITE_URL}en/lessons/sample-lesson/"]


def test_without_an_address_no_qr_code_but_a_box(project: Path, tmp_path: Path) -> None:
    loaded = load_project(project)
    assert resolve_site_url(loaded, None) is None  # mkdocs.yml names none: no kynangso.local
    vi, en, handout = printed(loaded, None)
    for name, pdf, lang in (("vi", vi, "vi"), ("en", en, "en"), ("handout", handout, "en")):
        assert all(page == [] for page in decoded(pdf, tmp_path / name)), name
        text = " ".join(pdf_text(pdf, tmp_path / name).split())
        assert TEAMS_UI[lang]["qr.box"] in text, name
        assert "http" not in text, name
    summary = BuildReport(Path("site"), teams={"made": {}, "site_url": None}).summary()
    [line] = [line for line in summary.splitlines() if "QR" in line]
    assert "--site-url" in line and "site_url" in line and "box" in line


@pytest.mark.parametrize(
    "url",
    [
        "http://kynangso.local:8000/",
        "http://localhost:8000/",
        "http://127.0.0.1:8000/",
        "http://127.0.1.1:8000/",
        "http://[::1]:8000/",
        "http://0.0.0.0:8000/",
        "ftp://192.168.1.10/",
        "192.168.1.10:8000",
    ],
)
def test_addresses_no_phone_can_open_are_refused(project: Path, url: str) -> None:
    loaded = load_project(project)
    with pytest.raises(BuildError, match=r"^--site-url: .* give the address phones open"):
        resolve_site_url(loaded, url)
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "strict: true", f"site_url: {url}\nstrict: true"
        ),
        encoding="utf-8",
    )
    line = config.read_text(encoding="utf-8").splitlines().index(f"site_url: {url}") + 1
    with pytest.raises(BuildError, match=rf"^mkdocs\.yml:{line}: site_url: "):
        resolve_site_url(loaded, None)


def test_addresses_wrap_only_after_a_slash_or_a_dot(project: Path, tmp_path: Path) -> None:
    html = str(address_text("http://192.168.100.200:8000/en/join-class/"))
    pieces = [re.sub(r"<[^>]+>", "", piece) for piece in html.split("<wbr>")]
    assert pieces == ["http://", "192.", "168.", "100.", "200:8000/", "en/", "join-class/"]
    assert html.count('<span class="nobr">') == len(pieces)
    # printed in the narrow column beside the topic's code, the join address has to wrap
    long_url = "http://kynangso-xa-it-ong.muongla.sonla.example.vn/"
    _, en, _ = printed(load_project(project), long_url)
    text = pdf_text(en, tmp_path)
    join = f"{long_url}en/join-class/"
    pattern = r"\s*".join(re.escape(char) for char in join)
    matches = list(re.finditer(pattern, text))
    assert matches
    for match in matches:
        broken = [m.start() for m in re.finditer(r"\s", match.group(0))]
        assert broken, "the long address was expected to wrap"
        assert all(match.group(0)[at - 1] in "/." for at in broken), match.group(0)
