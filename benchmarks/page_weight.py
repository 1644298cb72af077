"""What a lesson page costs a phone over the wire: ours beside a stock mkdocs-material build.

For N synthetic lessons (default 10 and 200) this builds our site and a stock mkdocs-material
build of the very same Markdown (our mkdocs.yml without our theme overrides, CSS and JS, and
with mkdocs' automatic nav, which lists every page). Each is served by the project's own static
server, the one class mode serves phones with (kynangso.classroom.static.SiteApp under uvicorn: the
`.gz` files gzip -9 the build writes beside every text file it pays for (the stock build gets
the same step), ETag, a year of caching for hashed theme files, a day for media, revalidation
for everything else), and Debian's Chromium (headless, 360×740) goes through:

  first visit    a fresh browser opens a lesson and scrolls to its end;
  repeat visit   the same lesson again with the HTTP cache warm (service workers blocked: a phone
                 that has not saved the offline pack, e.g. on a metered connection);
  next lesson    another lesson with the cache warm (for information);
  first search   opening search and typing "dinh danh" (for information: ours loads search here);
  with pack      (ours) the same lesson again once the service worker has saved the offline pack.

Bytes are counted as the server hands them to the socket: status line, headers (with the Date
and Server lines uvicorn adds) and body; and the gzip bodies alone, which is how the stock anchor
in DESIGN.md was counted. They are put in categories by URL. Requests our service worker makes
to save the offline pack (their Referer is sw.js) are reported as the pack, never as page
weight. The offline pack is also computed per language from site/offline/<lang>.json (bodies).

Budgets: first visit <= 60 KB, repeat visit <= 8 KB, no growth with the number of lessons.
KB = 1000 bytes. Numbers only; nothing here asserts.

    python benchmarks/page_weight.py [--lessons 10 200]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_scale import make_project

from kynangso.build import build
from kynangso.site.post.precompress import precompress_site

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from serving import serving  # noqa: E402

from kynangso.classroom.static import SiteApp

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
BUDGET_FIRST = 60_000
BUDGET_REPEAT = 8_000
CATEGORIES = [
    ("sitemap.xml 404s", re.compile(r"/sitemap\.xml$")),
    ("HTML", re.compile(r"(/|\.html)$")),
    ("theme CSS", re.compile(r"/assets/stylesheets/")),
    ("JS bundle", re.compile(r"/assets/javascripts/bundle\.")),
    ("search worker", re.compile(r"/assets/javascripts/(workers|lunr)/")),
    ("search index", re.compile(r"/search/")),
    ("our CSS", re.compile(r"/assets/.*\.css$")),
    ("our JS", re.compile(r"/assets/.*\.js$")),
    ("service worker", re.compile(r"/sw\.js$")),
    ("images", re.compile(r"\.(svg|png|jpe?g|webp|gif|ico)$")),
    ("other", re.compile(r"")),
]


def category(path: str) -> str:
    return next(name for name, pattern in CATEGORIES if pattern.search(path))


def encoded(path: Path) -> bytes:
    """The body the server sends for `path` to a phone that accepts gzip: the build's .gz when
    there is one, else the file as it is."""
    packed = path.with_name(path.name + ".gz")
    return packed.read_bytes() if packed.is_file() else path.read_bytes()


# ------------------------------------------------------------------ the server
@dataclass
class Hit:
    """One response the server wrote."""

    path: str
    status: int
    wire: int  # status line + headers + body
    body: int  # the (gzip) body alone
    by_pack: bool  # asked for by our service worker while saving the offline pack
    at: float


@dataclass
class Ledger:
    """Every response, in order; thread-safe."""

    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, hit: Hit) -> None:
        with self.lock:
            self.hits.append(hit)

    def take(self) -> list[Hit]:
        with self.lock:
            hits, self.hits = self.hits, []
        return hits

    def last_page_hit(self) -> float:
        with self.lock:
            return max((h.at for h in self.hits if not h.by_pack), default=0.0)


class _Counting:
    """ASGI middleware: what each response puts on the wire, as the app hands it to uvicorn."""

    # uvicorn adds these two lines to every response
    SERVER_LINES = len(b"date: Wed, 25 Nov 2026 10:00:00 GMT\r\nserver: uvicorn\r\n")

    def __init__(self, app: Any, ledger: Ledger) -> None:
        self.app = app
        self.ledger = ledger

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = {"status": 0, "head": 0, "body": 0}

        async def counting(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                head = sum(len(k) + len(v) + 4 for k, v in message.get("headers", []))
                seen["head"] = (
                    len(f"HTTP/1.1 {message['status']} OK\r\n") + head + self.SERVER_LINES + 2
                )
            elif message["type"] == "http.response.body":
                seen["body"] += len(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, counting)
        headers = dict(scope.get("headers", []))
        referer = urlparse(headers.get(b"referer", b"").decode("latin-1")).path
        self.ledger.add(
            Hit(
                path=unquote(scope["path"]),
                status=seen["status"],
                wire=seen["head"] + seen["body"],
                body=seen["body"],
                by_pack=referer.endswith("/sw.js"),
                at=time.monotonic(),
            )
        )


@contextmanager
def serve(site: Path) -> Iterator[tuple[str, Ledger]]:
    """`site` served by the project's own static server (class mode's), counting bytes."""
    ledger = Ledger()
    with serving(_Counting(SiteApp(site), ledger)) as url:
        yield url, ledger


# ------------------------------------------------------------------ building the two sites
def build_both(root: Path, count: int) -> tuple[Path, Path]:
    """Our site and a stock mkdocs-material site of the same Markdown, under `root`."""
    make_project(root, count)
    ours = root / "site"
    build(root, ours)
    stock_config = root / "build" / "stock-mkdocs.yml"
    stock_config.write_text(
        json.dumps(
            {
                "INHERIT": "../mkdocs.yml",
                "docs_dir": "docs",
                "extra_css": [],
                "extra_javascript": [],
            }
        ),
        encoding="utf-8",
    )
    stock = root / "stock"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(stock_config), "-d", str(stock)],
        check=True,
        env=env,
        cwd=stock_config.parent,
    )
    precompress_site(stock)  # served as ours is: the same .gz step
    return ours, stock


# ------------------------------------------------------------------ the visits
@dataclass
class Visit:
    """Page-attributed responses of one visit."""

    hits: list[Hit]

    @property
    def total(self) -> int:
        return sum(h.wire for h in self.hits)

    @property
    def bodies(self) -> int:
        return sum(h.body for h in self.hits)

    def by_category(self) -> dict[str, int]:
        sums: dict[str, int] = {}
        for hit in self.hits:
            name = category(hit.path)
            sums[name] = sums.get(name, 0) + hit.wire
        return sums


def settle(page: Page, ledger: Ledger, quiet: float = 1.0, limit: float = 20.0) -> None:
    """Wait until the page has asked for nothing for `quiet` seconds."""
    page.wait_for_load_state("load")
    start = time.monotonic()
    while time.monotonic() - start < limit:
        last = ledger.last_page_hit()
        if time.monotonic() - max(last, start) >= quiet:
            return
        time.sleep(0.1)


def visit(page: Page, ledger: Ledger, url: str, pack: list[Hit] | None = None) -> Visit:
    """Open `url`, scroll to its end, wait for quiet; requests for the offline pack go to `pack`."""
    ledger.take()
    page.goto(url, wait_until="load")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    settle(page, ledger)
    hits = ledger.take()
    if pack is not None:
        pack.extend(h for h in hits if h.by_pack)
    return Visit([h for h in hits if not h.by_pack])


def first_search(page: Page, ledger: Ledger) -> Visit:
    ledger.take()
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("label.md-header__button[for=__search]").click()
    page.locator("input.md-search__input").press_sequentially("dinh danh", delay=30)
    with contextlib.suppress(PlaywrightTimeout):  # stock finds nothing for unaccented words
        page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    settle(page, ledger)
    return Visit(ledger.take())


def new_context(browser: Browser, service_workers: str) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, locale="vi-VN", service_workers=service_workers)  # type: ignore[arg-type]
    return context


@dataclass
class Result:
    name: str
    pages: int
    first: Visit
    repeat: Visit
    next_lesson: Visit
    search: Visit
    with_pack: Visit | None = None
    pack_wire: int | None = None
    pack_seconds: float | None = None


def measure(
    browser: Browser, name: str, site: Path, lessons: tuple[str, str], has_pack: bool
) -> Result:
    pages = sum(1 for _ in site.rglob("*.html"))
    with serve(site) as (base, ledger):
        lesson, other = (f"{base}/lessons/{slug}/" for slug in lessons)

        context = new_context(browser, "allow")
        page = context.new_page()
        pack: list[Hit] = []
        start = time.monotonic()
        first = visit(page, ledger, lesson, pack)
        with_pack = pack_wire = pack_seconds = None
        if has_pack:
            page.locator(".kns-offline--saved").wait_for(timeout=300_000)
            pack_seconds = time.monotonic() - start
            pack_wire = sum(h.wire for h in pack + ledger.take() if h.by_pack)
            page.goto("about:blank")
            ledger.take()
            page.goto(lesson, wait_until="load")
            settle(page, ledger)
            with_pack = Visit(ledger.take())  # everything, pack requests included
        context.close()

        context = new_context(browser, "block")
        page = context.new_page()
        visit(page, ledger, lesson)
        page.goto("about:blank")
        repeat = visit(page, ledger, lesson)
        next_lesson = visit(page, ledger, other)
        search = first_search(page, ledger)
        context.close()
    return Result(
        name, pages, first, repeat, next_lesson, search, with_pack, pack_wire, pack_seconds
    )


# ------------------------------------------------------------------ the offline pack, computed
def pack_sizes(site: Path, lang: str) -> tuple[int, int, int]:
    """(files, raw bytes, bytes sent with gzip) of the files offline/<lang>.json lists."""
    manifest = json.loads((site / "offline" / f"{lang}.json").read_text(encoding="utf-8"))
    raw = wire = 0
    for url in manifest["files"]:
        path = site / (
            "index.html" if url == "./" else url + "index.html" if url.endswith("/") else url
        )
        raw += path.stat().st_size
        wire += len(encoded(path))
    return len(manifest["files"]), raw, wire


# ------------------------------------------------------------------ printing
def kb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1000:.1f}"


def breakdown(v: Visit) -> str:
    parts = v.by_category()
    return ", ".join(f"{name} {kb(parts[name])}" for name, _ in CATEGORIES if parts.get(name))


def kb2(v: Visit | None) -> str:
    return f"{'n/a':>7}{'':>8}" if v is None else f"{kb(v.total):>7}{kb(v.bodies):>8}"


def report(count: int, ours: Result, stock: Result, ours_site: Path) -> None:
    ours_page, ours_sw = split_service_worker(ours.first)
    stock_page, stock_sw = split_service_worker(stock.first)
    print(
        f"\n=== {count} synthetic lessons (x2 languages): ours {ours.pages} HTML pages, stock {stock.pages} ==="
    )
    print(f"{'KB':34}{'ours wire':>9}{'bodies':>8}{'stock wire':>12}{'bodies':>8}")
    rows = [
        ("first visit of a lesson (page)", ours_page, stock_page),
        ("  + service worker script", ours_sw, stock_sw),
        ("repeat visit, same lesson", ours.repeat, stock.repeat),
        ("next lesson", ours.next_lesson, stock.next_lesson),
        ("first search 'dinh danh'", ours.search, stock.search),
        ("repeat, offline pack saved", ours.with_pack, stock.with_pack),
    ]
    for label, mine, theirs in rows:
        print(f"{label:34}{kb2(mine)}  {kb2(theirs)}")
    print("where the first visit's bytes go (on the wire; requests):")
    print(f"  ours : {breakdown(ours.first)}; {len(ours.first.hits)} requests")
    print(f"  stock: {breakdown(stock.first)}; {len(stock.first.hits)} requests")
    print(
        f"repeat visit: ours {breakdown(ours.repeat) or 'nothing'} | stock {breakdown(stock.repeat) or 'nothing'}"
    )
    print(
        f"first search: ours {breakdown(ours.search) or 'nothing'} | stock {breakdown(stock.search) or 'nothing'}"
    )
    for lang in ("vi", "en"):
        files, raw, wire = pack_sizes(ours_site, lang)
        print(
            f"offline pack {lang}: {files} files, {raw / 1e6:.2f} MB raw, {wire / 1e6:.2f} MB gzip (bodies, computed from offline/{lang}.json)"
        )
    if ours.pack_wire is not None:
        print(
            f"offline pack vi as the service worker fetched it after the first visit: {ours.pack_wire / 1e6:.2f} MB"
            f" on the wire, saved {ours.pack_seconds:.1f} s after the visit began"
        )
    print(
        f"budget first visit <= {kb(BUDGET_FIRST)} KB: page bodies {verdict(ours_page.bodies <= BUDGET_FIRST)}, "
        f"page on the wire {verdict(ours_page.total <= BUDGET_FIRST)}, "
        f"with the service worker script: bodies {verdict(ours.first.bodies <= BUDGET_FIRST)}, "
        f"wire {verdict(ours.first.total <= BUDGET_FIRST)}"
    )
    print(
        f"budget repeat visit <= {kb(BUDGET_REPEAT)} KB: {verdict(ours.repeat.total <= BUDGET_REPEAT)}"
    )


def verdict(ok: bool) -> str:
    return "OK" if ok else "OVER"


def split_service_worker(first: Visit) -> tuple[Visit, Visit | None]:
    """(the page, the service worker script the page registers), when it registers one."""
    script = [h for h in first.hits if h.path.endswith("/sw.js")]
    return Visit([h for h in first.hits if h not in script]), Visit(script) if script else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--lessons", type=int, nargs="+", default=[10, 200], help="synthetic lesson counts"
    )
    args = parser.parse_args()
    print(
        "server: the project's own static server (kynangso.classroom.static.SiteApp under uvicorn, as class mode serves phones):"
    )
    print(
        "  the build's gzip -9 .gz files, ETag; a year for hashed theme files, a day for media, no-cache otherwise"
    )
    print(
        "bytes: as handed to the socket (status line + headers + body), and the gzip bodies alone"
    )
    print("  (the stock anchor in DESIGN.md counts bodies); KB = 1000 bytes")
    print(
        "browser: Debian Chromium headless, 360x740, --no-sandbox --disable-background-networking"
    )
    print(
        "stock: the same Markdown built by mkdocs-material with our mkdocs.yml, minus our overrides, CSS and JS; automatic nav"
    )
    totals: dict[int, tuple[int, int]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        for count in args.lessons:
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp) / "project"
                root.mkdir()
                ours_site, stock_site = build_both(root, count)
                lessons = ("synthetic-0001", "synthetic-0002")
                ours = measure(browser, "ours", ours_site, lessons, has_pack=True)
                stock = measure(browser, "stock", stock_site, lessons, has_pack=False)
                report(count, ours, stock, ours_site)
                totals[count] = (ours.first.total, stock.first.total)
        browser.close()
    if len(totals) > 1:
        low, high = min(totals), max(totals)
        print(
            f"\ngrowth of the first visit (on the wire, service worker script included) from {low} to {high} lessons: "
            f"ours {(totals[high][0] - totals[low][0]) / 1000:+.1f} KB, stock {(totals[high][1] - totals[low][1]) / 1000:+.1f} KB"
        )


if __name__ == "__main__":
    main()
