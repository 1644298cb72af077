"""What a phone downloads: no search before a search, search on the first query (also offline),
and a lesson page that stays small. benchmarks/page_weight.py prints the full numbers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import BrowserContext, Page, Response, expect

LESSON = "vneid-activate"
SEARCH_FILES = (
    "/search/search_index.json",
    "/assets/javascripts/workers/search.",
    "/assets/javascripts/lunr/",
)


def _search(page: Page, query: str) -> list[str]:
    page.locator("label.md-header__button[for=__search]").click()
    page.locator("input.md-search__input").press_sequentially(query, delay=20)
    results = page.locator(".md-search-result__item")
    expect(results.first).to_be_visible(timeout=10_000)
    return results.all_inner_texts()


def _fetched(page: Page) -> list[Response]:
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    return responses


def test_no_search_index_or_engine_before_the_first_query(page: Page, site_url: str) -> None:
    responses = _fetched(page)
    page.goto(f"{site_url}/lessons/{LESSON}/", wait_until="networkidle")
    paths = [urlparse(r.url).path for r in responses]
    assert "/assets/javascripts/workers/kns-search.js" in paths
    assert [p for p in paths if p.startswith(SEARCH_FILES)] == []

    texts = _search(page, "dinh danh")
    assert any("định danh" in text.lower() for text in texts), texts
    paths = [urlparse(r.url).path for r in responses]
    assert "/search/search_index.json" in paths
    assert any(p.startswith("/assets/javascripts/workers/search.") for p in paths)


def test_search_keeps_working_as_the_query_changes(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/en/")
    _search(page, "vneid")
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially("password", delay=20)
    expect(page.locator(".md-search-result__item").first).to_contain_text(
        "assword", ignore_case=True
    )


def test_first_visit_of_a_lesson_is_small(page: Page, site_url: str) -> None:
    """The gzip -6 size of every body the page fetched (the service worker's pack excluded:
    service-worker requests are not the page's)."""
    responses = _fetched(page)
    page.goto(f"{site_url}/lessons/{LESSON}/", wait_until="networkidle")
    sizes = {
        urlparse(r.url).path: len(gzip.compress(r.body(), 6)) for r in responses if r.status == 200
    }
    theme_css = sum(size for path, size in sizes.items() if "/assets/stylesheets/" in path)
    assert theme_css <= 12_000, sizes  # stock: 23 KB + 2 KB palette
    assert not any("palette." in path or path.endswith("sitemap.xml") for path in sizes), sizes
    assert sum(sizes.values()) <= 66_000, sizes  # this lesson has an image and a long quiz


def test_the_offline_pack_holds_what_search_needs(real_site: Path) -> None:
    files = json.loads((real_site / "offline" / "vi.json").read_text(encoding="utf-8"))["files"]
    assert "search/search_index.json" in files
    assert "assets/javascripts/workers/kns-search.js" in files
    assert any(
        f.startswith("assets/javascripts/workers/search.") and f.endswith(".min.js") for f in files
    )
    for lunr in ("lunr.stemmer.support", "lunr.vi"):
        assert f"assets/javascripts/lunr/min/{lunr}.min.js" in files
    assert "en/search/search_index.json" not in files  # one language's index per pack
    english = json.loads((real_site / "offline" / "en.json").read_text(encoding="utf-8"))["files"]
    assert "en/search/search_index.json" in english and "search/search_index.json" not in english
    assert "assets/javascripts/workers/kns-search.en.js" in english


def test_search_works_offline_once_the_pack_is_saved(
    context: BrowserContext, site_url: str
) -> None:
    page = context.new_page()
    page.goto(f"{site_url}/")
    expect(page.locator(".kns-offline")).to_contain_text("Đã lưu", timeout=30_000)
    context.set_offline(True)
    try:
        page.goto(f"{site_url}/lessons/{LESSON}/")
        texts = _search(page, "mat khau")
        assert any("mật khẩu" in text.lower() for text in texts), texts
    finally:
        context.set_offline(False)
