"""Purging theme CSS and shrinking our assets: the rules, and a real browser that sees the same
styles on every element with the purged CSS as with Material's whole stylesheet."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import material
import pytest
from playwright.sync_api import Browser, Page

from kynangso.site.post.slim import Used, could_match, purge_css, used_in_pages, used_words

REPO = Path(__file__).resolve().parents[2]
MATERIAL_CSS = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"


def used(names: str = "", words: str = "html body div p a", page_words: str = "") -> Used:
    return Used(frozenset(names.split()), frozenset(words.split()), frozenset(page_words.split()))


def purge(css: str, u: Used, own: str = "") -> str:
    return purge_css({"x": css}, u, own)["x"]


# ------------------------------------------------------------------ the rules
def test_rules_whose_classes_never_occur_are_dropped() -> None:
    css = ".md-a{color:red}.md-b{color:blue}.md-a .md-b{margin:0}p{margin:1px}"
    assert purge(css, used("md-a")) == ".md-a{color:red}p{margin:1px}"


def test_a_selector_list_keeps_the_selectors_that_could_match() -> None:
    assert purge(".a,.b,.c>.a{top:0}", used("a")) == ".a{top:0}"


def test_a_list_with_a_vendor_pseudo_is_kept_whole() -> None:
    css = ".a::-moz-selection,.b::selection{color:red}"
    assert purge(css, used("b")) == css


def test_not_never_requires_and_is_needs_one_alternative() -> None:
    u = used("a")
    assert could_match(".a:not(.nowhere)", u)
    assert could_match(":is(.nowhere,.a) p", u)
    assert not could_match(":is(.nowhere,.neither) p", u)
    assert not could_match("div:has(> .nowhere)", u)


def test_elements_ids_and_attributes_must_occur() -> None:
    u = used("a menu", "div a href type checkbox", page_words="ltr")
    assert could_match("#menu .a", u) and not could_match("#drawer .a", u)
    assert not could_match(".a kbd", u)
    assert could_match("a[href]", u) and not could_match("a[download]", u)
    assert could_match("[type=checkbox]", u) and not could_match("[type=radio]", u)
    assert could_match('[href^="http"]', u)  # only whole values are checked


def test_direction_and_palette_values_come_from_pages_only() -> None:
    u = used("a", "div dir rtl data-md-color-primary white custom", page_words="ltr custom")
    assert not could_match("[dir=rtl] .a", u)
    assert not could_match("[data-md-color-primary=white]", u)
    assert could_match("[data-md-color-primary=custom]", u)


def test_empty_media_blocks_go_and_kept_rules_stay_in_theirs() -> None:
    css = '@media screen{.gone{top:0}}@media print{.a{top:0}}@charset "UTF-8";'
    assert purge(css, used("a")) == '@media print{.a{top:0}}@charset "UTF-8";'


def test_custom_properties_nobody_reads_are_dropped() -> None:
    css = ":root{--kept:1px;--chain:var(--kept);--gone:2px;--ours:3px}.a{margin:var(--chain)}"
    out = purge(css, used("a"), own=".x{padding:var(--ours)}")
    assert out == ":root{--kept:1px;--chain:var(--kept);--ours:3px}.a{margin:var(--chain)}"


def test_nested_rules_are_purged_inside_their_parent() -> None:
    css = ".a{--unused:1;color:red;.b{color:blue;--gone:2}} .b{color:green}"
    assert purge(css, used("a b")) == ".a{color:red;.b{color:blue}}.b{color:green}"
    assert purge(css, used("a")) == ".a{color:red}"
    assert purge(".c{top:0;.a{left:0}}.a{right:0}", used("a")) == ".a{right:0}"


def test_a_quoted_greater_than_sign_does_not_end_the_tag() -> None:
    page = '<a title="1 > 0" class="md-button" href=#x>ok</a>'
    found = used_in_pages([page])
    assert "md-button" in found.names and {"a", "title", "href"} <= found.words
    assert purge(".md-button{color:red}", found) == ".md-button{color:red}"


def test_keyframes_stay_only_when_named() -> None:
    css = "@keyframes spin{to{rotate:1turn}}@keyframes gone{to{top:0}}.a{animation:spin 1s}"
    assert purge(css, used("a")) == "@keyframes spin{to{rotate:1turn}}.a{animation:spin 1s}"


def test_bundle_words_of_components_we_do_not_have_do_not_count(real_site: Path) -> None:
    u = used_words(real_site)
    assert "js" in u.names  # the bundle swaps no-js for js on <html>
    assert "md-search-result__item" in u.names  # made by the bundle in a block pages have
    assert "md-tooltip2" in u.names  # content.tooltips
    assert "md-annotation__index" not in u.names and "tabbed-labels" not in u.names
    assert "note" not in u.names  # a word of the bundle, not a class it sets


def test_purged_site_css(real_site: Path) -> None:
    sheets = list((real_site / "assets" / "stylesheets").glob("*.css"))
    assert len(sheets) == 1  # the palette folded in
    css = sheets[0].read_text(encoding="utf-8")
    assert re.fullmatch(r"main\.[0-9a-f]{8}\.min\.css", sheets[0].name)
    assert sheets[0].name != next(MATERIAL_CSS.glob("main.*.min.css")).name  # new content, new name
    assert f"stylesheets/{sheets[0].name}" in (real_site / "index.html").read_text(encoding="utf-8")
    assert "[dir=rtl]" not in css and ".md-annotation" not in css and ".tabbed-" not in css
    assert "[data-md-color-primary=custom]" in css or "--md-hue" in css
    assert len(gzip.compress(css.encode(), 6)) < 12_000


# ------------------------------------------------------------------ the same look
STYLES = """(detail) => {
  const out = [];
  let index = 0;
  for (const el of document.querySelectorAll("body *")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const cs = getComputedStyle(el, pseudo);
      const content = cs.getPropertyValue("content");
      const values = detail.includes(index) ? [] : null;
      let hash = 0;
      if (pseudo && (content === "none" || content === "normal")) {  // no box to style
        hash = content.length;
      } else {
        for (let i = 0; i < cs.length; i++) {
          const property = cs[i];
          if (property.charCodeAt(0) === 45 && property.charCodeAt(1) === 45) continue;  // --custom
          const value = cs.getPropertyValue(property);
          for (let k = 0; k < value.length; k++) hash = (hash * 31 + value.charCodeAt(k)) | 0;
          hash = (hash * 31 + i) | 0;
          if (values) values.push(property + ": " + value);
        }
      }
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (pseudo || "");
      out.push(values ? [name, values] : [name, hash]);
      index += 1;
    }
  }
  return out;
}"""
SWAP = """async (href) => {
  const link = document.querySelector("link[data-swapped]") || document.querySelector('link[rel=stylesheet][href*="stylesheets/main."]');
  link.dataset.swapped = "";
  const loaded = new Promise(resolve => { link.onload = resolve; });
  link.href = href;
  await loaded;
  return new URL(href, location.href).href;
}"""
WHOLE = "/__whole-material-theme.css"


def _steps(page: Page, url: str, header: bool) -> list[tuple[str, Callable[[], object]]]:
    """Ways the resident sees the page, one after the other; with `header`, also the header's
    language menu and search results (the same on every page)."""

    def search() -> None:
        page.locator("label.md-header__button[for=__search]").click()
        page.locator("input.md-search__input").press_sequentially("dinh danh", delay=20)
        page.locator(".md-search-result__item").first.wait_for()

    steps: list[tuple[str, Callable[[], object]]] = [
        ("loaded", lambda: page.goto(url, wait_until="networkidle")),
        ("drawer open", lambda: page.locator("label.md-header__button[for=__drawer]").click()),
    ]
    if header:
        steps += [
            (
                "language menu open",
                lambda: (page.goto(url), page.locator(".md-select").first.hover()),
            ),
            ("search results", lambda: (page.goto(url, wait_until="networkidle"), search())),
        ]
    return steps


def _settled(page: Page) -> list[list[object]]:
    """The styles once two readings in a row agree (a click may still be moving things)."""
    last = page.evaluate(STYLES, [])
    for _ in range(10):
        page.wait_for_timeout(150)
        now = page.evaluate(STYLES, [])
        if now == last:
            return now
        last = now
    return last


@pytest.mark.parametrize(
    "path", ["/", "/lessons/vneid-activate/", "/tien-do/", "/en/lessons/household-tax-2026/"]
)
def test_purged_css_styles_every_element_as_the_whole_theme_does(
    browser: Browser, site_url: str, path: str
) -> None:
    """Computed styles of every element and its ::before/::after (custom properties aside) are
    the same with the purged CSS as with Material's whole main and palette stylesheets, in
    each state of the page: the stylesheet is swapped in place, so the page is the very same."""
    whole = "".join(
        re.sub(r"/\*# sourceMappingURL=.*?\*/", "", p.read_text(encoding="utf-8"))
        for p in (*MATERIAL_CSS.glob("main.*.min.css"), *MATERIAL_CSS.glob("palette.*.min.css"))
    )
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, service_workers="block", reduced_motion="reduce"
    )
    page = context.new_page()
    page.route(
        re.compile(re.escape(WHOLE) + "$"),
        lambda route: route.fulfill(body=whole, content_type="text/css"),
    )
    try:
        for state, step in _steps(page, site_url + path, header=path == "/"):
            step()
            purged_href = page.evaluate(
                "document.querySelector('link[rel=stylesheet][href*=\"stylesheets/main.\"]').href"
            )
            purged = _settled(page)
            page.evaluate(SWAP, WHOLE)
            whole_styles = _settled(page)
            different = [i for i, (a, b) in enumerate(zip(purged, whole_styles)) if a != b][:5]
            report = []
            if different:
                theirs = page.evaluate(STYLES, different)
                page.evaluate(SWAP, purged_href)
                ours = page.evaluate(STYLES, different)
                report = [
                    (ours[i][0], sorted(set(ours[i][1]) ^ set(theirs[i][1]))) for i in different
                ]
            assert [n for n, _ in purged] == [n for n, _ in whole_styles], state
            assert report == [], f"{path} ({state}): purged vs whole theme: {report}"
            page.evaluate(SWAP, purged_href)
    finally:
        context.close()
