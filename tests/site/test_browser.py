"""The site in a real browser on a 360×740 phone screen: search, language switch, accessibility."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
LESSON = "vneid-activate"


def _search(page: Page, query: str) -> list[str]:
    """Type a query the way a person does; retype if the index was still loading."""
    page.locator("label.md-header__button[for=__search]").click()
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item")
    for _ in range(10):
        box.fill("")
        box.press_sequentially(query, delay=20)
        try:
            expect(results.first).to_be_visible(timeout=2_000)
            break
        except AssertionError:
            continue
    return results.all_inner_texts()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("dinh danh", "định danh"), ("kich hoat", "kích hoạt"), ("mat khau", "mật khẩu")],
)
def test_search_ignores_accent_marks(page: Page, site_url: str, query: str, expected: str) -> None:
    page.goto(site_url + "/")
    texts = _search(page, query)
    assert any(expected in text.lower() for text in texts), texts


def test_search_with_accents_still_works(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    texts = _search(page, "định danh")
    assert any("định danh" in text.lower() for text in texts), texts


def test_language_switch_lands_on_the_same_page(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.locator(".md-select").first.hover()
    page.locator("a.md-select__link[hreflang=en]").click()
    page.wait_for_url(f"{site_url}/en/lessons/{LESSON}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".md-select").first.hover()
    page.locator("a.md-select__link[hreflang=vi]").click()
    page.wait_for_url(f"{site_url}/lessons/{LESSON}/")


def test_pages_request_only_their_own_host(page: Page, site_url: str) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    for path in ("/", f"/lessons/{LESSON}/", "/en/", f"/en/lessons/{LESSON}/"):
        page.goto(site_url + path, wait_until="networkidle")
    assert hosts == {urlparse(site_url).netloc}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/lessons/{LESSON}/",
        "/topics/e-id/",
        "/glossary/",
        "/en/",
        f"/en/lessons/{LESSON}/",
        "/en/topics/e-id/",
        "/en/glossary/",
    ],
)
def test_no_axe_violations(page: Page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run()).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(', '))"
    )
    assert violations == []


def test_quiz_choices_are_big_tap_targets(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    heights = page.evaluate(
        "[...document.querySelectorAll('label.kns-choice')].map(l => getComputedStyle(l).minHeight)"
    )
    assert len(heights) >= 12 and set(heights) == {"48px"}
    choices = page.locator("fieldset.kns-question:visible label.kns-choice")
    assert choices.count() >= 2
    for i in range(choices.count()):
        box = choices.nth(i).bounding_box()
        assert box is not None and box["height"] >= 48, i
    for button in ("button.kns-check", "button.kns-listen"):
        box = page.locator(button).first.bounding_box()
        assert box is not None and box["height"] >= 48, button
