"""Search: accent folding, one index per language, and a dozen real queries typed into the
real search box (Material's worker in Chromium, phone viewport) with the lessons they should
bring into the top 3."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, Response, expect

from kynangso.site.post.search import fold, folded_words, split_search_index

# What a resident types, without accent marks, and the lessons any one of which should be
# among the first three results.
QUERIES = {
    "chu ky so": {"digital-signature-personal", "digital-signature-use"},
    "bao hiem y te": {"vssid-health-card"},
    "dinh danh": {"vneid-activate", "vneid-levels", "vneid-register-level2", "vneid-wallet"},
    "thanh toan": {"vietqr-pay", "e-wallets", "cashless-bills"},
    "ma qr": {"vietqr-pay"},
    "lua dao": {"scam-capstone", "scam-recovery"},
    "thue": {"household-tax-2026"},
    "vssid": {"vssid-signin", "vssid-contributions", "vssid-health-card"},
    "zalo": {"zalo-oa-commune", "zalo-oa-shop"},
    "sinh trac hoc": {"biometric-rules"},
    "buu chinh": {"public-services-by-post"},
    "hoa don dien": {"cashless-bills"},
}
LESSON = re.compile(r"/lessons/([^/#]+)/")


def test_fold_removes_vietnamese_marks_and_d_stroke() -> None:
    assert fold("Định danh điện tử") == "Dinh danh dien tu"
    assert fold("thanh toán, mật khẩu, ổ, ồ, Ư") == "thanh toan, mat khau, o, o, U"


def test_folded_words_are_the_words_with_marks_without_tags_or_punctuation() -> None:
    assert folded_words("<p>Chữ ký số (VNeID), thanh toán.</p>") == "Chu ky so toan"
    assert folded_words("Paying with VietQR") == ""


def _site_with_index(tmp_path: Path) -> Path:
    """A built site's one index for both languages, as mkdocs-static-i18n writes it."""
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    fields = {"title": {"boost": 1000.0}, "text": {"boost": 1.0}}
    docs = [
        {"location": "lessons/a/", "title": "Chữ ký số", "text": "<p>Định danh, số.</p>"},
        {"location": "lessons/a/#step-1", "title": "Bước 1. Mở", "text": ""},
        {"location": "en/lessons/a/", "title": "Digital signature", "text": "<p>So on</p>"},
    ]
    index = {"config": {"lang": ["vi", "en"], "fields": fields}, "docs": docs}
    (site / "search" / "search_index.json").write_text(json.dumps(index), encoding="utf-8")
    catalog = {
        "topics": {"sig": {"title": {"vi": "Chữ ký số cá nhân", "en": "Digital signature"}}},
        "lessons": {"a": {"topic": "sig", "title": {"vi": "Chữ ký số", "en": "Signature"}}},
    }
    (site / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    return site


def test_one_index_per_language_with_folded_fields_weighed_like_their_source(
    tmp_path: Path,
) -> None:
    site = _site_with_index(tmp_path)
    assert split_search_index(site) == {"vi": 2, "en": 1}
    vi = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    en = json.loads((site / "en" / "search" / "search_index.json").read_text(encoding="utf-8"))
    # one lunr language each: with "en" beside "vi", English stop words drop "so" (số)
    assert vi["config"]["lang"] == ["vi"] and en["config"]["lang"] == ["en"]
    assert vi["config"]["fields"]["folded_title"] == {"boost": 1000.0}
    assert vi["config"]["fields"]["folded"] == {"boost": 1.0}
    assert vi["config"]["fields"]["topic"] == {"boost": 1000.0}
    assert [doc["location"] for doc in vi["docs"]] == ["lessons/a/", "lessons/a/#step-1"]
    assert [doc["location"] for doc in en["docs"]] == ["en/lessons/a/"]
    lesson, step = vi["docs"]
    assert lesson["title"] == "Chữ ký số" and lesson["folded_title"] == "Chu ky so"
    assert lesson["folded"] == "Dinh so"
    assert lesson["topic"] == "Chữ ký số cá nhân Chu ky so ca nhan"
    assert "topic" not in step and step["folded_title"] == "Buoc Mo"
    assert "folded" not in en["docs"][0] and en["docs"][0]["topic"] == "Digital signature"


def test_residents_search_has_no_page_for_teams_or_editors(real_site: Path) -> None:
    for lang, index_file in (("vi", "search"), ("en", "en/search")):
        index = json.loads((real_site / index_file / "search_index.json").read_text("utf-8"))
        locations = [doc["location"] for doc in index["docs"]]
        assert all(loc.startswith("en/") == (lang == "en") for loc in locations), lang
        assert not [loc for loc in locations if re.match(r"(en/)?(teams|editors)/", loc)]
        assert any(loc.endswith("lessons/vneid-activate/") for loc in locations)
    # their pages are still built at their usual addresses, and the about page links them
    about = (real_site / "about" / "index.html").read_text(encoding="utf-8")
    for name in ("teams", "editors"):
        assert (real_site / name / "index.html").is_file()
        assert (real_site / "en" / name / "index.html").is_file()
        assert f'href="../{name}/"' in about
    home = (real_site / "index.html").read_text(encoding="utf-8")
    assert 'href="teams/"' not in home and 'href="editors/"' not in home


def _top(page: Page, query: str, count: int = 3) -> list[str]:
    """The lessons (or other pages) of the first `count` results for `query`, typed into the
    open search box after clearing it."""
    box = page.locator("input.md-search__input")
    items = page.locator(".md-search-result__item")
    box.fill("")
    box.press("End")  # Material reads the box on key up
    expect(items).to_have_count(0)
    box.fill(query)
    box.press("End")
    expect(items.first).to_be_visible(timeout=15_000)
    hrefs = items.evaluate_all(
        "items => items.map(item => item.querySelector('a').getAttribute('href'))"
    )
    return [(m.group(1) if (m := LESSON.search(h)) else h) for h in hrefs[:count]]


def test_unaccented_queries_put_their_lesson_in_the_top_three(page: Page, site_url: str) -> None:
    """The dozen queries in Material's own search (worker, lunr, grouping), on a phone."""
    page.goto(f"{site_url}/lessons/never-share/")
    page.locator("label.md-header__button[for=__search]").click()
    tops = {query: _top(page, query) for query in QUERIES}
    missed = {query: top for query, top in tops.items() if not QUERIES[query] & set(top)}
    assert not missed, f"{len(QUERIES) - len(missed)}/{len(QUERIES)} in the top 3; {missed}"


def test_a_page_searches_its_own_language_only(page: Page, site_url: str) -> None:
    """The first search of a Vietnamese page fetches the Vietnamese index alone (half of the
    bytes of both), and an English page's results are English pages."""
    fetched: list[Response] = []
    page.on("response", lambda response: fetched.append(response))
    page.goto(f"{site_url}/lessons/never-share/")
    page.locator("label.md-header__button[for=__search]").click()
    _top(page, "vneid")
    paths = {urlparse(r.url).path: r for r in fetched}
    assert "/search/search_index.json" in paths and "/en/search/search_index.json" not in paths
    assert "/assets/javascripts/workers/kns-rank.js" in paths  # with the engine, on the query
    index_gzip = len(gzip.compress(paths["/search/search_index.json"].body(), 6))
    assert index_gzip <= 60_000, index_gzip  # both languages in one index: 94 KB

    page.goto(f"{site_url}/en/lessons/never-share/")
    page.locator("label.md-header__button[for=__search]").click()
    hrefs = page.locator(".md-search-result__item a")
    _top(page, "vneid")
    links = hrefs.evaluate_all("a => a.map(x => x.href)")
    assert all("/en/" in href for href in links), links
