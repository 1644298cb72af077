"""The whole build: real sources, the staging swap, and a site that loads nothing from elsewhere."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt
from payloads import SCRIPT_TITLE, STEP_BODY, with_texts
from playwright.sync_api import Browser

from kynangso.build import build, postprocess, render_docs, run_mkdocs, write_config
from kynangso.errors import BuildError, SourceError
from kynangso.sources.validate import load_project
from kynangso.teams.notebooks import lesson_notebook, notebook_text
from kynangso.teams.plan import lesson_plan
from kynangso.teams.printing import handout_html
from kynangso.teams.slides import SlideMaker

REPO = Path(__file__).resolve().parents[2]
PHONE = {"width": 360, "height": 740}
EXTERNAL = re.compile(
    r"""(?:<(?:script|link|img|iframe|source|audio|video)\b[^>]*?\b(?:src|href)\s*=\s*["']?(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?(?:https?:)?//)|(?:@import\s+["']?(?:url\()?["']?(?:https?:)?//)""",
    re.IGNORECASE,
)


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_real_sources_build_in_both_languages(real_site: Path) -> None:
    project = load_project(REPO)
    for lesson_id in project.lessons:
        vi = (real_site / "lessons" / lesson_id / "index.html").read_text(encoding="utf-8")
        en = (real_site / "en" / "lessons" / lesson_id / "index.html").read_text(encoding="utf-8")
        assert '<html lang="vi"' in vi and '<html lang="en"' in en
        assert project.lessons[lesson_id].title.vi in vi.replace("&#34;", '"').replace(
            "&quot;", '"'
        )
        assert 'class="kns-quiz"' in vi and 'class="kns-quiz"' in en
    for topic in project.topics:
        assert (real_site / "topics" / topic / "index.html").is_file()
        assert (real_site / "en" / "topics" / topic / "index.html").is_file()
    assert (real_site / "glossary" / "index.html").is_file()
    assert (real_site / "en" / "glossary" / "index.html").is_file()


def test_vietnamese_interface_strings(real_site: Path) -> None:
    home = (real_site / "index.html").read_text(encoding="utf-8")
    assert 'placeholder="Tìm kiếm"' in home
    assert 'hreflang="en"' in home


def test_built_site_loads_nothing_from_another_host(real_site: Path) -> None:
    offenders = []
    for path in real_site.rglob("*"):
        if path.suffix in (".html", ".css") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [
                f"{path.relative_to(real_site)}: {m.group(0)}" for m in EXTERNAL.finditer(text)
            ]
    assert offenders == []
    home = (real_site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home and "unpkg.com" not in home


def test_external_scan_would_catch_a_font_or_script() -> None:
    assert EXTERNAL.search('<link rel="stylesheet" href="https://fonts.googleapis.com/css">')
    assert EXTERNAL.search("<script src='//unpkg.com/x.js'></script>")
    assert EXTERNAL.search("body { background: url(https://cdn.example/x.png) }")
    assert not EXTERNAL.search('<a href="https://example.org/source">a source</a>')


def test_search_index_has_folded_text(real_site: Path) -> None:
    index = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "folded" in index["config"]["fields"]
    # "Định danh điện tử": the words with marks, folded ("danh" is matched as it stands)
    assert any("dinh dien tu" in doc.get("folded", "").lower() for doc in index["docs"])


def test_build_replaces_site_only_after_success(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    report = build(project, site)
    assert report.lessons == 1 and report.pages > 20
    before = _tree_digest(site)

    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace("minutes: 10", "minutes: many"))
    with pytest.raises(SourceError):
        build(project, site)
    assert _tree_digest(site) == before

    lesson.write_text(lesson.read_text().replace("minutes: many", "minutes: 10"))
    (project / "mkdocs.yml").write_text(
        (project / "mkdocs.yml").read_text().replace("name: material", "name: no-such-theme")
    )
    with pytest.raises(BuildError):
        build(project, site)
    assert _tree_digest(site) == before
    assert not list(tmp_path.glob("site.staging-*")), "staging folders are cleaned up"


def test_rebuild_picks_up_changes(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(project, site)
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace('"Sample lesson"', '"Renamed lesson"'))
    build(project, site)
    page = (site / "en" / "lessons" / "sample-lesson" / "index.html").read_text(encoding="utf-8")
    assert "Renamed lesson" in page
    assert not list(tmp_path.glob("site.old-*"))


def test_concurrent_builds_do_not_corrupt_the_site(project: Path, tmp_path: Path) -> None:
    import threading

    site = tmp_path / "site"
    errors: list[BaseException] = []

    def run() -> None:
        try:
            build(project, site)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (site / "index.html").is_file() and (
        site / "en" / "lessons" / "sample-lesson" / "index.html"
    ).is_file()
    assert json.loads((site / "offline" / "vi.json").read_text())["files"]
    assert not list(tmp_path.glob("site.staging-*")) and not list(tmp_path.glob("site.old-*"))


def test_build_with_team_materials(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    report = build(project, site, teams=True, site_url="http://192.0.2.10:8000/")
    assert report.teams["made"] and report.teams["site_url"] == "http://192.0.2.10:8000/"
    for lang in ("vi", "en"):
        assert (site / "teams" / "notebooks" / f"sample-lesson.{lang}.ipynb").is_file()
        assert (site / "teams" / "slides" / f"sample-lesson.{lang}.html").is_file()
        assert (site / "teams" / "print" / f"sample-lesson.{lang}.pdf").is_file()
        assert (site / "teams" / f"materials.{lang}.html").is_file()
    assert (site / "teams" / "handbook" / "index.html").is_file()
    guide = (site / "teams" / "index.html").read_text(encoding="utf-8")
    assert 'href="materials.vi.html"' in guide and 'href="print/posters.vi.pdf"' in guide
    assert 'href="../../teams/materials.en.html"' in (
        site / "en" / "teams" / "index.html"
    ).read_text(encoding="utf-8")
    pack = json.loads((site / "offline" / "vi.json").read_text())["files"]
    assert "teams/" in pack and not any(
        url.startswith("teams/notebooks") or url.endswith(".pdf") for url in pack
    )


def test_a_renamed_lesson_keeps_its_old_address(project: Path, tmp_path: Path) -> None:
    """`formerly: [old-id]` makes a redirect page at /lessons/old-id/ in both languages that
    search and the offline pack leave out."""
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "formerly: [old-sample]\n", "utf-8")
    site = tmp_path / "site"
    build(project, site)
    for prefix in ("", "en/"):
        page = (site / f"{prefix}lessons/old-sample/index.html").read_text(encoding="utf-8")
        assert 'http-equiv="refresh" content="0; url=../sample-lesson/"' in page
        assert 'href="../sample-lesson/"' in page
    locations = [
        doc["location"]
        for index_file in ("search", "en/search")
        for doc in json.loads((site / index_file / "search_index.json").read_text())["docs"]
    ]
    assert "en/lessons/sample-lesson/" in locations
    assert not any("old-sample" in location for location in locations)
    for lang in ("vi", "en"):
        pack = json.loads((site / "offline" / f"{lang}.json").read_text())["files"]
        assert not any("old-sample" in url for url in pack)
        assert any("lessons/sample-lesson/" in url for url in pack)


def test_an_old_id_that_is_a_lesson_is_refused(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "formerly: [sample-lesson]\n", "utf-8")
    with pytest.raises(SourceError) as caught:
        load_project(project)
    assert [str(p.field) + ": " + p.message for p in caught.value.problems] == [
        "formerly[1]: 'sample-lesson' is the id of a lesson: an old id must be free"
    ]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_old_tax_lesson_address_opens_the_new_lesson(
    browser: Browser, site_url: str, prefix: str
) -> None:
    """Bookmarks and printed links to /lessons/platform-tax-2025/ land on the renamed lesson."""
    context = browser.new_context(viewport=PHONE, service_workers="block")
    page = context.new_page()
    try:
        page.goto(f"{site_url}{prefix}/lessons/platform-tax-2025/")
        page.wait_for_url(f"{site_url}{prefix}/lessons/household-tax-2026/")
        assert page.locator(".kns-quiz").count() == 1
    finally:
        context.close()


class _Executable(HTMLParser):
    """Collects what in an HTML text could run: handler attributes, script addresses, and
    script elements holding author text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # a JSON data block is not run; text breaking out of it would start a script of its own
        self.script = tag == "script" and ("type", "application/json") not in attrs
        for name, value in attrs:
            address = "".join((value or "").split()).lower()
            if (
                name.startswith("on")
                or name in ("href", "src", "action", "formaction")
                and (
                    address.startswith(("javascript:", "vbscript:"))
                    or (address.startswith("data:") and not address.startswith("data:image/"))
                )
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if self.script and "alert(" in data:
            self.found.append(f"<script>{data[:60]}")

    def handle_endtag(self, tag: str) -> None:
        self.script = False


def executable(html: str) -> list[str]:
    parser = _Executable()
    parser.feed(html)
    return parser.found


def test_author_text_never_becomes_code(project: Path, tmp_path: Path) -> None:
    # validate refuses these texts; here they are put in after it, so every renderer alone
    # must keep them text: site pages, search index, notebook, slide deck, handout
    loaded = with_texts(
        load_project(project),
        title=SCRIPT_TITLE,
        body=STEP_BODY,
        tip=STEP_BODY,
        choice="<img src=x onerror=alert(7)>",
        explanation="</script><script>alert(8)</script>",
    )
    work, site = project / "build", tmp_path / "site"
    run_mkdocs(write_config(loaded, work, render_docs(loaded, work)), site)
    postprocess(site)
    found = []
    for page in sorted(site.rglob("*.html")):
        found += [f"{page.relative_to(site)}: {bad}" for bad in executable(page.read_text())]
    for index_file in ("search", "en/search"):
        for entry in json.loads((site / index_file / "search_index.json").read_text())["docs"]:
            fields = " ".join(str(value) for value in entry.values())
            found += [f"{index_file}: {bad}" for bad in executable(fields)]

    plan = lesson_plan(
        loaded.lessons["sample-lesson"],
        loaded.quizzes["sample-lesson"],
        loaded.topics["e-id"],
        "en",
        site_url="http://10.0.0.1:8000/",
    )
    notebook = lesson_notebook(plan)
    markdown = MarkdownIt("commonmark", {"html": True})  # as permissive as a notebook viewer
    for cell in nbformat.reads(notebook_text(notebook), as_version=4).cells:
        found += [f"notebook {cell.id}: {bad}" for bad in executable(markdown.render(cell.source))]
    deck = SlideMaker().deck(notebook, "sample-lesson.en", project / "content")
    found += [f"slides: {bad}" for bad in executable(deck)]
    found += [f"handout: {bad}" for bad in executable(handout_html(plan, "http://10.0.0.1:8000/"))]
    assert found == []
    lesson = (site / "en" / "lessons" / "sample-lesson" / "index.html").read_text()
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in lesson
    assert 'class="md-ellipsis">\n&lt;script&gt;alert(1)&lt;/script&gt;' in lesson
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in deck


def test_build_refuses_a_mkdocs_yml_without_the_cleaner(project: Path, tmp_path: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - kynangso.site.clean\n", ""))
    with pytest.raises(BuildError, match="markdown_extensions must list kynangso.site.clean"):
        build(project, tmp_path / "site")
    assert not (tmp_path / "site").exists()
