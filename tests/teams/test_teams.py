"""Materials for community teams: lesson-plan notebooks, the handbook, slides, handouts, posters,
built offline from the small fixture project (and once from the real curriculum)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest
from payloads import with_texts
from playwright.sync_api import Page, expect
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject
from serving import serving

from kynangso.classroom.static import SiteApp
from kynangso.errors import BuildError
from kynangso.sources.validate import load_project
from kynangso.teams import build_teams, handbook, printing, resolve_site_url
from kynangso.teams.notebooks import lesson_notebook, notebook_text
from kynangso.teams.outputs import printable_plan
from kynangso.teams.plan import LessonPlan, absolute_links, lesson_plan, step_minutes
from kynangso.teams.printing import page_count, stable_pdf
from kynangso.teams.strings import SAFETY_RULES

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SITE_URL = "http://10.0.0.1:8000/"
# A page loading something from another host: a script, style, image, frame or font by URL,
# a CSS url()/@import, or script code fetching/importing a URL. Links (<a href>) are fine.
EXTERNAL = re.compile(
    r"""(?:<(?:script|link|img|iframe|source|audio|video|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?(?:https?:)?//)|(?:@import\s+["']?(?:url\()?["']?(?:https?:)?//)"""
    r"""|(?:\b(?:fetch|import|importScripts)\(\s*["'`](?:https?:)?//)""",
    re.IGNORECASE,
)
# In scripts, an address of a CDN or of Binder/Thebe (code that would load from there later).
CDN_URL = re.compile(
    r"(?:https?:)?//[^\s\"'`]*(?:unpkg|jsdelivr|cdnjs|googleapis|mathjax|thebe|binder|requirejs)",
    re.IGNORECASE,
)
NEEDS_CHROMIUM = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is not installed"
)
NEEDS_PDFTOTEXT = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)


def pdf_text(path: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return unicodedata.normalize("NFC", result.stdout.decode("utf-8"))


def one_line(text: str) -> str:
    return " ".join(text.split())


def offenders(folder: Path) -> list[str]:
    """Every place under `folder` where a page, style or script loads another host."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".html", ".css", ".js") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(folder)}: {m.group(0)}" for m in EXTERNAL.finditer(text)]
        scripts = (
            re.findall(r"<script\b[^>]*>(.*?)</script>", text, re.DOTALL)
            if path.suffix == ".html"
            else [text]
        )
        if path.suffix != ".css":
            found += [
                f"{path.relative_to(folder)}: {m.group(0)}"
                for s in scripts
                for m in CDN_URL.finditer(s)
            ]
    return found


@pytest.fixture(scope="module")
def teams(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, object]]:
    """The fixture project's team materials, built once with no network at all (in a network
    namespace of its own when the machine allows it); returns (teams folder, cache, summary)."""
    base = tmp_path_factory.mktemp("teams")
    root = base / "project"
    shutil.copytree(FIXTURES / "good", root)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    out, cache = base / "site" / "teams", base / "cache"
    out.mkdir(parents=True)
    (out / "index.html").write_text("the team guide page mkdocs made", encoding="utf-8")
    script = (
        "import json, sys; from pathlib import Path; from kynangso.sources.validate import load_project;"
        "from kynangso.teams import build_teams;"
        "print(json.dumps(build_teams(load_project(Path(sys.argv[1])), Path(sys.argv[2]), Path(sys.argv[3]),"
        " site_url=sys.argv[4], show_progress=False)))"
    )
    command = [sys.executable, "-c", script, str(root), str(out), str(cache), SITE_URL]
    offline = (
        shutil.which("unshare")
        and subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode
        == 0
    )
    if offline:
        command = ["unshare", "-n", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, cache, json.loads(result.stdout.strip().splitlines()[-1])


def test_lesson_plan_has_timing_discussion_checklist_and_answers(project: Path) -> None:
    loaded = load_project(project)
    lesson = loaded.lessons["sample-lesson"]
    plan = lesson_plan(lesson, loaded.quizzes["sample-lesson"], loaded.topics[lesson.topic], "vi")
    assert plan.title == "Bài mẫu" and plan.topic_title
    assert [minutes for _, minutes in plan.timing][1:3] == [6, 8]  # the steps' own minutes
    assert plan.session_minutes == sum(minutes for _, minutes in plan.timing)
    assert plan.discussion == ("Ở nhà, ai hay giúp bạn khi điện thoại báo lỗi?",)
    assert plan.checklist[:2] == ("Bước đầu", "Bước hai") and "1/2" in plan.checklist[-1]
    assert (
        plan.questions[0].choices[0].correct and plan.questions[0].choices[0].explanation == "Đúng."
    )
    assert plan.safety[-len(SAFETY_RULES["vi"]) :] == SAFETY_RULES["vi"]
    assert plan.steps[1].notes == ("Phóng to chữ trong phần Cài đặt cho người mắt kém.",)
    assert plan.prepare == ("Thử mở ứng dụng trên máy của mình trước buổi học.",)
    assert plan.bring == ("Điện thoại đã sạc đầy",)
    assert [(p.problem, p.fix) for p in plan.problems] == [
        ("Máy hết pin giữa buổi.", "Cắm sạc ở ổ điện dài đặt trên bàn.")
    ]
    assert step_minutes(3, 5) == [1, 1, 1, 1, 1] and step_minutes(11, 3) == [4, 4, 3]


def test_a_step_without_minutes_shares_the_lesson_time_and_has_no_made_up_notes(
    project: Path,
) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    text = lesson.read_text(encoding="utf-8")
    text = text[: text.index("    note:")] + text[text.index("    minutes: 6\n") + 15 :]
    lesson.write_text(text.replace("    minutes: 8\n", ""), encoding="utf-8")
    loaded = load_project(project)
    plan = lesson_plan(
        loaded.lessons["sample-lesson"],
        loaded.quizzes["sample-lesson"],
        loaded.topics["e-id"],
        "en",
    )
    assert [step.minutes for step in plan.steps] == [5, 5]
    assert plan.steps[0].notes == ()


def plans_of_the_real_curriculum(lang: str) -> list[LessonPlan]:
    project = load_project(REPO)
    return [
        lesson_plan(lesson, project.quizzes[key], project.topics[lesson.topic], lang)
        for key, lesson in project.lessons.items()
    ]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?…])\s+", one_line(text)) if len(s) > 3]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_facilitator_sentence_repeats_across_more_than_three_lessons(lang: str) -> None:
    """Notes written for each lesson, not one filler sentence printed in every plan."""
    seen: dict[str, set[str]] = {}
    for plan in plans_of_the_real_curriculum(lang):
        texts = [
            *(note for step in plan.steps for note in step.notes),
            *plan.prepare,
            *(part for p in plan.problems for part in (p.problem, p.fix)),
            *plan.discussion,
        ]
        assert plan.steps[0].notes and plan.discussion and plan.problems, plan.lesson_id
        for text in texts:
            for sentence in sentences(text):
                seen.setdefault(sentence, set()).add(plan.lesson_id)
    repeated = {s: sorted(ids) for s, ids in seen.items() if len(ids) > 3}
    assert repeated == {}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_slides_say_a_verdict_once_and_the_title_hides_the_answers(lang: str) -> None:
    right, wrong = ("Đúng", "Sai") if lang == "vi" else ("Right", "Wrong")
    for plan in plans_of_the_real_curriculum(lang):
        cells = {cell.id: cell.source for cell in lesson_notebook(plan).cells}
        answers = "\n".join(v for k, v in cells.items() if k.endswith("-answer"))
        for doubled in (f"{right}:** {right}.", f"{wrong}:** {wrong}."):
            assert doubled not in answers, plan.lesson_id
        assert "(có đáp án)" not in cells["title"] and "(with answers)" not in cells["title"]
        assert plan.t["edition"] in cells["timing"]


def test_the_lesson_plan_and_handout_show_the_facilitator_fields(project: Path) -> None:
    loaded = load_project(project)
    lesson = loaded.lessons["sample-lesson"]
    plan = lesson_plan(lesson, loaded.quizzes["sample-lesson"], loaded.topics["e-id"], "en")
    cells = {cell.id: cell for cell in lesson_notebook(plan).cells}
    prepare = cells["prepare"]
    assert prepare.metadata["slideshow"]["slide_type"] == "notes"
    for text in (
        "Before the class",
        "Try opening the app on your own phone before the class.",
        "- ☐ A fully charged phone",
        "**A phone runs out of battery mid-class.** What to do: Plug it into the extension lead",
    ):
        assert text in prepare.source
    assert "Make the text larger in Settings" in cells["step-2-notes"].source
    assert "(8 min)" in cells["step-2-notes"].source
    assert "At home, who helps you" in cells["discussion"].source
    handout = printing.handout_html(plan, SITE_URL)
    assert "Bring with you" in handout and "A fully charged phone" in handout
    assert "Plug it into" not in handout and "Make the text larger" not in handout


def test_links_to_the_site_become_absolute() -> None:
    page = "http://10.0.0.1:8000/en/lessons/vneid-activate/"
    text = "See [the glossary](../../glossary/), [step 2](#step-2), [VNeID](https://vneid.gov.vn) and [mail](mailto:a@b.vn)."
    assert absolute_links(text, page) == (
        "See [the glossary](http://10.0.0.1:8000/en/glossary/), [step 2](http://10.0.0.1:8000/en/lessons/"
        "vneid-activate/#step-2), [VNeID](https://vneid.gov.vn) and [mail](mailto:a@b.vn)."
    )
    # without the site's address a link to one of its pages leads nowhere: its text stays
    assert absolute_links(text, None) == (
        "See the glossary, step 2, [VNeID](https://vneid.gov.vn) and [mail](mailto:a@b.vn)."
    )


@NEEDS_CHROMIUM
@pytest.mark.browser
def test_materials_build_without_a_site_address_when_lessons_link_the_site(
    project: Path, tmp_path: Path
) -> None:
    """`make run` builds with no address: a lesson's link to the glossary must not stop the
    handbook (Sphinx would take `../../glossary/` for a missing cross-reference)."""
    lesson = project / "lessons" / "sample-lesson.yaml"
    text = lesson.read_text(encoding="utf-8")
    marker = 'en: "Open the app."'
    assert marker in text
    lesson.write_text(
        text.replace(marker, 'en: "See [the glossary](../../glossary/). Open the app."', 1),
        encoding="utf-8",
    )
    summary = build_teams(
        load_project(project), tmp_path / "teams", tmp_path / "cache", None, False
    )
    assert summary["site_url"] is None
    page = (tmp_path / "teams" / "handbook" / "sample-lesson.en.html").read_text(encoding="utf-8")
    assert "See the glossary." in page and "../../glossary/" not in page


def test_notebook_is_valid_and_stable(project: Path) -> None:
    loaded = load_project(project)
    lesson = loaded.lessons["sample-lesson"]
    plan = lesson_plan(lesson, loaded.quizzes["sample-lesson"], loaded.topics[lesson.topic], "en")
    text = notebook_text(lesson_notebook(plan))
    assert text == notebook_text(lesson_notebook(plan))  # same input, same bytes
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    kinds = {cell.id: cell.metadata["slideshow"]["slide_type"] for cell in notebook.cells}
    assert (
        kinds["title"] == "slide"
        and kinds["step-1-notes"] == "notes"
        and kinds["question-1-answer"] == "fragment"
    )
    sources = "\n".join(cell.source for cell in notebook.cells)
    assert (
        "**Answer: A**" in sources
        and "Right." in sources
        and "![Diagram of the Continue button](media/sample.svg)" in sources
    )


def test_html_in_a_lesson_stays_text(project: Path) -> None:
    # validate refuses it; put in after validation, the notebook still shows it as text
    loaded = with_texts(load_project(project), title="Sample <script>alert(1)</script>")
    lesson = loaded.lessons["sample-lesson"]
    plan = lesson_plan(lesson, loaded.quizzes["sample-lesson"], loaded.topics[lesson.topic], "en")
    title = lesson_notebook(plan).cells[0].source.splitlines()[0]
    assert title == "# Sample &lt;script&gt;alert(1)&lt;/script&gt;"


def test_every_material_is_made(teams: tuple[Path, Path, dict[str, object]]) -> None:
    out, _, summary = teams
    names = sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and "handbook/" not in p.as_posix()
    )
    assert names == [
        "index.html",  # the team guide page is left alone
        "materials.en.html",
        "materials.vi.html",
        "notebooks/media/sample.svg",
        "notebooks/sample-lesson.en.html",
        "notebooks/sample-lesson.en.ipynb",
        "notebooks/sample-lesson.vi.html",
        "notebooks/sample-lesson.vi.ipynb",
        "print/posters.en.pdf",
        "print/posters.vi.pdf",
        "print/sample-lesson.en.attendance.pdf",
        "print/sample-lesson.en.pdf",
        "print/sample-lesson.en.plan.pdf",
        "print/sample-lesson.en.quiz.pdf",
        "print/sample-lesson.vi.attendance.pdf",
        "print/sample-lesson.vi.pdf",
        "print/sample-lesson.vi.plan.pdf",
        "print/sample-lesson.vi.quiz.pdf",
        "slides/sample-lesson.en.html",
        "slides/sample-lesson.vi.html",
    ]
    assert (out / "index.html").read_text(encoding="utf-8") == "the team guide page mkdocs made"
    assert summary["made"] == {"notebooks": 2, "slides": 2, "pdfs": 10, "handbook": 1}


def test_notebooks_validate(teams: tuple[Path, Path, dict[str, object]]) -> None:
    out, _, _ = teams
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata["kynangso"]["lesson"] == "sample-lesson"
        assert notebook.cells[0].source.startswith("# ")


def test_handbook_builds_offline_in_both_languages(
    teams: tuple[Path, Path, dict[str, object]],
) -> None:
    out, _, _ = teams
    book = out / "handbook"
    home = (book / "index.html").read_text(encoding="utf-8")
    assert "Sổ tay giáo án" in home and "Handbook of lesson plans" in home
    vi = (book / "sample-lesson.vi.html").read_text(encoding="utf-8")
    en = (book / "sample-lesson.en.html").read_text(encoding="utf-8")
    assert "Bài mẫu" in vi and "Ghi chú cho người hướng dẫn" in vi and "Đáp án: A" in vi
    assert "Sample lesson" in en and "Facilitator notes" in en and "Discussion questions" in en
    topic = load_project(FIXTURES / "good").topics["e-id"].title
    assert f"Tiếng Việt · {topic.vi}" in vi and f"English · {topic.en}" in vi  # the navigation
    assert list(book.glob("_images/sample*.svg"))
    assert not list(book.rglob("*.map")) and not list(book.rglob("*.ipynb"))


# Theme and Sphinx words that an English page of the handbook must not show in Vietnamese.
VIETNAMESE_CHROME = ("Tìm Kiếm", "Nội dung", "Chế độ toàn màn hình", "Nhấp để", "xem tiếp", "Bởi ")


def test_english_handbook_pages_have_english_chrome_and_link_the_other_language(
    teams: tuple[Path, Path, dict[str, object]],
) -> None:
    out, _, _ = teams
    book = out / "handbook"
    vi = (book / "sample-lesson.vi.html").read_text(encoding="utf-8")
    en = (book / "sample-lesson.en.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="vi"[ >]', vi) and re.search(r'<html lang="en"[ >]', en)
    assert [word for word in VIETNAMESE_CHROME if word in en] == []
    assert 'title="Search"' in en and "Contents" in en and "Fullscreen mode" in en
    assert "translations.js" not in en and "<title>Sample lesson &#8212; Handbook" in en
    # the Vietnamese pages keep the Vietnamese words
    assert "Tìm Kiếm" in vi and "Nội dung" in vi and "translations.js" in vi
    # outside the lesson itself and the two-language navigation, no Vietnamese letter at all
    chrome = re.sub(r'<article class="bd-article">.*?</article>', "", en, flags=re.DOTALL)
    chrome = re.sub(
        r"<nav class=\"bd-docs-nav.*?</nav>|<nav class=\"bd-links.*?</nav>",
        "",
        chrome,
        flags=re.DOTALL,
    )
    chrome = re.sub(
        r'<(?:link|a)[^>]*href="sample-lesson\.vi\.html"[^>]*>(?:[^<]*<[^a/][^>]*>)*', "", chrome
    )
    chrome = chrome.replace("Kỹ năng số", "").replace("Bài mẫu", "")
    leftovers = [
        line.strip()
        for line in chrome.splitlines()
        if re.search(r"[\u0300-\u036fđĐ]", unicodedata.normalize("NFD", line))
    ]
    assert leftovers == []
    # each lesson page links to the same lesson in the other language
    assert 'href="sample-lesson.en.html" hreflang="en"' in vi
    assert 'href="sample-lesson.vi.html" hreflang="vi"' in en
    # the home page holds both languages and stays Vietnamese
    assert '<html lang="vi"' in (book / "index.html").read_text(encoding="utf-8")


def test_handbook_pages_log_no_console_error_and_load_only_their_own_host(
    teams: tuple[Path, Path, dict[str, object]], page: Page
) -> None:
    """The handbook's home, a Vietnamese and an English lesson page, opened from a local
    server as on a first visit (no stored colour mode): no console error, no script error, no
    request to another host; the language link leads to the other page."""
    out, _, _ = teams
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    with serving(SiteApp(out.parent)) as url:
        elsewhere: list[str] = []
        page.on(
            "request",
            lambda r: None if r.url.startswith((url, "data:")) else elsewhere.append(r.url),
        )
        for name in ("index.html", "sample-lesson.vi.html", "sample-lesson.en.html"):
            page.goto(f"{url}/teams/handbook/{name}", wait_until="load")
            page.wait_for_timeout(500)  # the theme's scripts run after load
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.locator(".kns-other-language a").click()
        expect(page).to_have_url(f"{url}/teams/handbook/sample-lesson.vi.html")
        page.wait_for_timeout(500)
    assert errors == [] and elsewhere == []


def test_handbook_search_folds_accents_in_the_index_and_the_query() -> None:
    from kynangso.teams.booksearch import SearchVietnamese

    language = SearchVietnamese({})
    assert language.stem("Định") == "dinh" and language.stem("số") == "so"
    assert language.word_filter("so")  # not an English stop word here: "số"
    assert 'replace(/đ/g, "d")' in language.js_stemmer_code


# Words typed without accent marks into the handbook's own search page (Sphinx's
# searchtools.js in Chromium), and the page each should find.
HANDBOOK_QUERIES = {
    "bai mau": "sample-lesson.vi.html",
    "BUOC DAU": "sample-lesson.vi.html",
    "ky nang so": "index.html",
    "sample lesson": "sample-lesson.en.html",
}


def test_handbook_search_ignores_accent_marks(
    teams: tuple[Path, Path, dict[str, object]], page: Page
) -> None:
    out, _, _ = teams
    with serving(SiteApp(out.parent)) as url:
        found = {}
        for query, expected in HANDBOOK_QUERIES.items():
            page.goto(f"{url}/teams/handbook/search.html?q={quote(query)}")
            links = page.locator("#search-results ul.search li a")
            expect(page.locator("#search-results")).not_to_contain_text("Searching", timeout=15_000)
            hrefs = links.evaluate_all("a => a.map(x => x.getAttribute('href'))")
            found[query] = any(href.split("?")[0].split("#")[0] == expected for href in hrefs)
        assert all(found.values()), found


def test_no_file_under_teams_loads_another_host(
    teams: tuple[Path, Path, dict[str, object]],
) -> None:
    out, _, _ = teams
    assert offenders(out) == []
    assert "<script" not in (out / "materials.vi.html").read_text(encoding="utf-8")


def test_external_scan_would_catch_a_cdn() -> None:
    assert EXTERNAL.search(
        '<script src="https://unpkg.com/reveal.js@4.0.2/dist/reveal.js"></script>'
    )
    assert EXTERNAL.search('<link rel="stylesheet" href="//cdn.example/x.css">')
    assert EXTERNAL.search('const m = (await import("https://cdnjs.cloudflare.com/mermaid.mjs"))')
    assert not EXTERNAL.search('<a href="https://example.org/source">a source</a>')
    assert CDN_URL.search('loadScript("https://unpkg.com/thebe@0.8/lib/index.js")')
    assert not CDN_URL.search("window.initThebeSBT = () => initThebe()")


def test_slides_are_one_offline_file(teams: tuple[Path, Path, dict[str, object]]) -> None:
    out, _, _ = teams
    deck = (out / "slides" / "sample-lesson.vi.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in deck and "<title>Bài mẫu</title>" in deck
    # title, objectives, 2 steps, checklist, discussion, quiz, 2 questions, safety rules; each
    # slide is a <section> holding one vertical sub-slide <section>, as in reveal.js
    assert deck.count("<section") == deck.count("</section>") == 2 * 10
    assert (
        'src="data:image/svg+xml;base64,' in deck
        and 'class="fragment"' in deck
        and 'class="notes"' in deck
    )
    assert not re.search(r"<script\b[^>]*\bsrc=", deck) and "require(" not in deck


@NEEDS_PDFTOTEXT
def test_handout_has_the_vietnamese_title_with_its_diacritics(
    teams: tuple[Path, Path, dict[str, object]],
) -> None:
    out, _, _ = teams
    for lang, title, safety in (
        ("vi", "Bài mẫu", "Quy tắc an toàn"),
        ("en", "Sample lesson", "Safety rules"),
    ):
        pdf = out / "print" / f"sample-lesson.{lang}.pdf"
        assert 1 <= page_count(pdf.read_bytes()) <= 2
        text = pdf_text(pdf)
        assert title in text and safety in text
        assert one_line(SAFETY_RULES[lang][0]) in one_line(text)
    assert "Mở ứng dụng." in pdf_text(out / "print" / "sample-lesson.vi.pdf")


@NEEDS_PDFTOTEXT
def test_posters_one_page_per_topic_with_addresses(
    teams: tuple[Path, Path, dict[str, object]],
) -> None:
    out, _, _ = teams
    pdf = out / "print" / "posters.vi.pdf"
    assert page_count(pdf.read_bytes()) == 7
    text = one_line(pdf_text(pdf))
    topics = load_project(FIXTURES / "good").topics
    assert topics["e-id"].title.vi in text and topics["safety"].title.vi in text
    assert SITE_URL in text.replace(" ", "") and f"{SITE_URL}tham-gia-lop/" in text.replace(" ", "")
    english = one_line(pdf_text(out / "print" / "posters.en.pdf")).replace(" ", "")
    assert f"{SITE_URL}en/join-class/" in english and f"{SITE_URL}en/topics/e-id/" in english


def test_materials_pages_link_to_files_that_exist(
    teams: tuple[Path, Path, dict[str, object]],
) -> None:
    out, _, _ = teams
    for lang in ("vi", "en"):
        page = (out / f"materials.{lang}.html").read_text(encoding="utf-8")
        links = re.findall(r'href="([^"#]+)"', page)
        assert len(links) == 10
        for link in links:
            assert (out / link).is_file(), link


def test_lesson_plans_are_also_web_pages_without_other_hosts(
    teams: tuple[Path, Path, dict[str, object]],
) -> None:
    """Beside each .ipynb, its plan as HTML (style inlined, no script at all, pictures from the
    media folder beside it), linked from the materials page of its language."""
    out, _, _ = teams
    lesson = load_project(FIXTURES / "good").lessons["sample-lesson"]
    for lang in ("vi", "en"):
        page = out / "notebooks" / f"sample-lesson.{lang}.html"
        assert page.is_file()
        text = page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in text and lesson.title.get(lang) in text
        assert "<script" not in text and "<link" not in text
        # nothing loads from another host (links to the lesson's sources are fine)
        assert not re.search(r"""\bsrc\s*=\s*["']?(?:https?:)?//""", text)
        for picture in re.findall(r'<img[^>]*src="([^"]+)"', text):
            assert (page.parent / picture).is_file(), picture
        materials = (out / f"materials.{lang}.html").read_text(encoding="utf-8")
        assert f'href="notebooks/sample-lesson.{lang}.html"' in materials
    assert offenders(out / "notebooks") == []


# A real lesson plan prints on 7-11 A4 pages (timing to sources, the quiz with every
# explanation); more would mean the print style broke (a picture or table per page).
MAX_PLAN_PAGES = 12


@NEEDS_PDFTOTEXT
def test_lesson_plans_are_also_pdfs_linked_from_the_materials_page(
    teams: tuple[Path, Path, dict[str, object]],
) -> None:
    """`print/<id>.<lang>.plan.pdf`: the plan page printed by the handouts' Chromium, with
    its pictures (inlined: the printer loads nothing) and its words, linked beside the page."""
    out, _, _ = teams
    lesson = load_project(FIXTURES / "good").lessons["sample-lesson"]
    for lang, heading in (("vi", "Câu hỏi thảo luận"), ("en", "Discussion questions")):
        pdf = out / "print" / f"sample-lesson.{lang}.plan.pdf"
        data = pdf.read_bytes()
        assert 1 <= page_count(data) <= 3
        text = one_line(pdf_text(pdf))
        assert one_line(lesson.title.get(lang)) in text and heading in text
        materials = (out / f"materials.{lang}.html").read_text(encoding="utf-8")
        assert f'href="print/sample-lesson.{lang}.plan.pdf"' in materials
        page = (out / "notebooks" / f"sample-lesson.{lang}.html").read_text(encoding="utf-8")
        printed = printable_plan(page, FIXTURES / "good" / "content" / "media")
        assert 'src="media/' in page and 'src="media/' not in printed
        assert 'src="data:image/svg+xml;base64,' in printed


def test_unchanged_lessons_come_from_the_cache(
    teams: tuple[Path, Path, dict[str, object]], project: Path, tmp_path: Path
) -> None:
    out, shared_cache, _ = teams
    cache = tmp_path / "cache"
    shutil.copytree(shared_cache, cache)
    again = tmp_path / "teams"
    summary = build_teams(
        load_project(project), again, cache, site_url=SITE_URL, show_progress=False
    )
    assert summary["made"] == {"notebooks": 2, "slides": 0, "pdfs": 0}
    assert summary["reused"] == {"slides": 2, "pdfs": 10, "handbook": 1}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != "index.html":
            assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path

    # An edit an author may well make: a link to a page of the site, a heading inside the
    # step, dollars and braces. The site takes them; so must the handbook (built with -W).
    lesson_file = project / "lessons" / "sample-lesson.yaml"
    edited = "Tap **Next**. See [the glossary](../../glossary/).\\n\\n#### Detail\\n\\nPay $5 or $10, {{ x }}."
    lesson_file.write_text(
        lesson_file.read_text(encoding="utf-8").replace("Tap **Continue**.", edited),
        encoding="utf-8",
    )
    summary = build_teams(
        load_project(project), again, cache, site_url=SITE_URL, show_progress=False
    )
    # only the English lesson changed: its deck, handout and printed plan are made again,
    # nothing else (its quiz and attendance sheet show no step)
    assert summary["made"] == {"notebooks": 2, "slides": 1, "pdfs": 2, "handbook": 1}
    deck = (again / "slides" / "sample-lesson.en.html").read_text(encoding="utf-8")
    assert "Tap <strong>Next</strong>." in deck and f'href="{SITE_URL}en/glossary/"' in deck
    assert (again / "slides" / "sample-lesson.vi.html").read_bytes() == (
        out / "slides" / "sample-lesson.vi.html"
    ).read_bytes()
    page = (again / "handbook" / "sample-lesson.en.html").read_text(encoding="utf-8")
    assert (
        "Next" in page
        and "Pay $5 or $10, {{ x }}." in page
        and f'href="{SITE_URL}en/glossary/"' in page
    )


def test_progress_bar_only_when_asked(
    teams: tuple[Path, Path, dict[str, object]],
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, cache, _ = teams
    build_teams(
        load_project(project), tmp_path / "quiet", cache, site_url=SITE_URL, show_progress=False
    )
    assert capsys.readouterr().err == ""
    build_teams(
        load_project(project), tmp_path / "loud", cache, site_url=SITE_URL, show_progress=True
    )
    shown = capsys.readouterr().err
    assert "slides" in shown and "handbook" in shown and "2/2" in shown


def test_site_url_from_the_argument_or_mkdocs_yml(project: Path) -> None:
    loaded = load_project(project)
    assert resolve_site_url(loaded, "https://kns.example.vn") == "https://kns.example.vn/"
    assert resolve_site_url(loaded, None) is None  # no guessed name: a box for the address
    config = project / "mkdocs.yml"
    config.write_text(
        "site_url: https://kynangso.muongla.vn/\n" + config.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    assert resolve_site_url(loaded, None) == "https://kynangso.muongla.vn/"


def test_missing_chromium_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing.shutil, "which", lambda name: None)
    monkeypatch.setattr(printing, "CHROMIUM", "/nowhere/chromium")
    with pytest.raises(BuildError, match="install Debian's 'chromium'.*--no-teams"):
        printing.Printer()


def test_a_failed_handbook_is_a_build_error_and_starts_clean_next_time(tmp_path: Path) -> None:
    sources = handbook.BookSources()
    sources.add("_config.yml", json.dumps(handbook._config()))
    sources.add(f"_ext/{handbook.SEARCH_EXTENSION_NAME}.py", handbook.SEARCH_EXTENSION.read_bytes())
    sources.add(
        f"_ext/{handbook.LANGUAGE_EXTENSION_NAME}.py", handbook.LANGUAGE_EXTENSION.read_bytes()
    )
    sources.add(
        "_toc.yml",
        json.dumps(
            {
                "format": "jb-book",
                "root": "index",
                "parts": [{"caption": "x", "chapters": [{"file": "missing-lesson.vi"}]}],
            }
        ),
    )
    sources.add("index.md", "# Sổ tay\n")
    build = handbook.start(sources, tmp_path / "book")
    with pytest.raises(BuildError, match="handbook.*failed"):
        handbook.finish(build, tmp_path / "out")
    assert (
        not (tmp_path / "book" / "src" / "_build").exists()
        and not (tmp_path / "book" / "built.key").exists()
    )
    assert not (tmp_path / "out").exists()


def test_pdf_print_time_is_fixed() -> None:
    pdf = b"<< /CreationDate (D:20261125193000+00'00') /ModDate (D:20261125193001+00'00') >>"
    fixed = stable_pdf(pdf)
    assert (
        len(fixed) == len(pdf)
        and b"20261125" not in fixed
        and fixed.count(b"D:20000101000000") == 2
    )


def test_page_count_reads_the_page_tree() -> None:
    """Text that looks like a page object (here printed on the page itself) is not a page."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    text = DecodedStreamObject()
    text.set_data(b"BT /F1 12 Tf 10 10 Td (a /Type /Page b) Tj ET")
    page.replace_contents(text)
    pdf = io.BytesIO()
    writer.write(pdf)
    assert page_count(pdf.getvalue()) == 1


@NEEDS_CHROMIUM
@pytest.mark.browser
@NEEDS_PDFTOTEXT
def test_real_curriculum_teams_stage(tmp_path: Path) -> None:
    """The whole stage on the 16 real lessons: the handbook builds with warnings as errors,
    every handout fits on two pages and carries its title, nothing loads another host."""
    project = load_project(REPO)
    out = tmp_path / "teams"
    summary = build_teams(project, out, tmp_path / "cache", site_url=SITE_URL, show_progress=False)
    # a handout, a paper quiz, an attendance sheet and the lesson plan per lesson and
    # language; two posters
    assert summary["made"]["pdfs"] == 8 * len(project.lessons) + 2
    for lesson_id, lesson in project.lessons.items():
        for lang in ("vi", "en"):
            pdf = out / "print" / f"{lesson_id}.{lang}.pdf"
            assert 1 <= page_count(pdf.read_bytes()) <= 2, pdf.name
            assert one_line(lesson.title.get(lang)) in one_line(pdf_text(pdf)), pdf.name
            plan = out / "print" / f"{lesson_id}.{lang}.plan.pdf"
            assert 1 <= page_count(plan.read_bytes()) <= MAX_PLAN_PAGES, plan.name
            for kind in ("quiz", "attendance"):
                assert (out / "print" / f"{lesson_id}.{lang}.{kind}.pdf").is_file()
            assert (out / "handbook" / f"{lesson_id}.{lang}.html").is_file()
            nbformat.validate(
                nbformat.read(out / "notebooks" / f"{lesson_id}.{lang}.ipynb", as_version=4)
            )
    assert offenders(out) == []
