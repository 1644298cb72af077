"""The build's `.gz` files: beside every text file gzip pays for, the same bytes every build,
and never in the offline pack."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from kynangso.site.post.offline import pack_files
from kynangso.site.post.precompress import HEADER_COST, precompress_site

TEXT = "Kích hoạt định danh điện tử mức 2 trên điện thoại. " * 40


def _site(tmp_path: Path) -> Path:
    """A small built site: pages, a stylesheet, a script, search, an image, a tiny file."""
    site = tmp_path / "site"
    for folder in ("lessons/a", "en/lessons/a", "assets", "search", "media"):
        (site / folder).mkdir(parents=True)
    for name in ("index.html", "lessons/a/index.html", "en/lessons/a/index.html"):
        (site / name).write_text(f"<main>{TEXT}</main>", encoding="utf-8")
    (site / "assets" / "kns.css").write_text(".kns{color:red}\n" * 100)
    (site / "assets" / "kns.js").write_text("var kns = 1;\n" * 100)
    (site / "search" / "search_index.json").write_text(json.dumps({"docs": [TEXT] * 5}))
    (site / "media" / "icon.svg").write_text("<svg>" + "<path d='M0 0'/>" * 50 + "</svg>")
    (site / "media" / "photo.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 8)
    (site / "tiny.txt").write_text("ok")
    return site


def test_every_text_file_gets_its_gz(tmp_path: Path) -> None:
    site = _site(tmp_path)
    written = precompress_site(site)
    packed = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.gz"))
    assert packed == [
        "assets/kns.css.gz",
        "assets/kns.js.gz",
        "en/lessons/a/index.html.gz",
        "index.html.gz",
        "lessons/a/index.html.gz",
        "media/icon.svg.gz",
        "search/search_index.json.gz",
    ]
    assert written == len(packed)
    for path in site.rglob("*.gz"):
        plain = path.with_name(path.name.removesuffix(".gz")).read_bytes()
        assert gzip.decompress(path.read_bytes()) == plain
        assert path.stat().st_size + HEADER_COST < len(plain)


def test_the_same_site_gives_the_same_bytes(tmp_path: Path) -> None:
    site = _site(tmp_path)
    precompress_site(site)
    first = {p: p.read_bytes() for p in site.rglob("*.gz")}
    precompress_site(site)
    assert {p: p.read_bytes() for p in site.rglob("*.gz")} == first
    assert all(body[4:8] == b"\0\0\0\0" for body in first.values())  # no time in the header


def test_the_offline_pack_leaves_the_gz_out(tmp_path: Path) -> None:
    site = _site(tmp_path)
    before = {lang: pack_files(site, lang) for lang in ("vi", "en")}
    precompress_site(site)
    for lang, files in before.items():
        assert pack_files(site, lang) == files
        assert not any(url.endswith(".gz") for url in files)


def test_the_build_writes_them(real_site: Path) -> None:
    assert (real_site / "index.html.gz").is_file()
    assert (real_site / "search" / "search_index.json.gz").is_file()
    for lang in ("vi", "en"):
        manifest = json.loads((real_site / "offline" / f"{lang}.json").read_text("utf-8"))
        assert not any(url.endswith(".gz") for url in manifest["files"])
