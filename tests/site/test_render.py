"""Rendering Markdown pages from the validated project."""

from __future__ import annotations

import json
from pathlib import Path

from payloads import with_texts

from kynangso.site.render import markdown_text, media_prefix, navigation, site_pages
from kynangso.sources.validate import load_project


def test_every_page_exists_in_both_languages(project: Path) -> None:
    pages = site_pages(load_project(project))
    vi = {p.removeprefix("vi/") for p in pages if p.startswith("vi/")}
    en = {p.removeprefix("en/") for p in pages if p.startswith("en/")}
    assert vi == en
    assert {
        "index.md",
        "glossary.md",
        "about.md",
        "teams.md",
        "lessons/sample-lesson.md",
        "topics/e-id.md",
    } <= vi
    # home, 7 topics, 1 lesson, glossary/about/teams/editors, progress, passport, join + redirects
    assert len(vi) == 1 + 7 + 1 + 4 + 6
    assert {
        "tien-do.md",
        "progress.md",
        "ho-chieu.md",
        "passport.md",
        "tham-gia-lop.md",
        "join-class.md",
    } <= vi


def test_lesson_page_has_steps_tips_quiz_and_sources(project: Path) -> None:
    page = site_pages(load_project(project))["en/lessons/sample-lesson.md"]
    assert "# Sample lesson" in page
    assert "### Step 1. First step { #step-1 .kns-step }" in page
    assert '!!! tip "Tip"\n\n    Take your time.' in page
    assert 'alt="Diagram of the Continue button"' in page
    assert 'src="../../../media/sample.svg"' in page
    assert (
        '<legend><span class="kns-qnum">Question 1/2.</span> What is the first step?</legend>'
        in page
    )
    assert 'type="radio" name="q2" value="1"' in page
    assert "[Nguồn mẫu](https://example.org/source)" in page
    assert "Content last checked on 25 November 2026." in page


def test_vietnamese_page_uses_vietnamese_words(project: Path) -> None:
    page = site_pages(load_project(project))["vi/lessons/sample-lesson.md"]
    assert "### Bước 2. Bước hai" in page
    assert "Nội dung được kiểm tra lần cuối ngày 25/11/2026." in page
    assert "Câu 1/2." in page


def test_html_in_yaml_is_escaped_everywhere(project: Path) -> None:
    # validate refuses these texts; the renderer must make them harmless on its own as well
    loaded = with_texts(
        load_project(project),
        body="<script>alert(1)</script> & <b>bold</b>",
        choice="<img src=x onerror=alert(1)>",
    )
    page = site_pages(loaded)["en/lessons/sample-lesson.md"]
    assert "<script>" not in page and "<img src=x" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_markdown_text_keeps_markdown() -> None:
    assert markdown_text("**bold** <i>") == "**bold** &lt;i&gt;"


def test_navigation_lists_topics_not_lessons(project: Path) -> None:
    nav = navigation(load_project(project))
    assert nav[:2] == ["index.md", "tien-do.md"]
    assert not any(item.startswith("lessons/") for item in nav)
    assert len(nav) == 2 + 7 + 2
    # the pages for teams and editors are not in the residents' menu: the about page links them
    assert "teams.md" not in nav and "editors.md" not in nav
    about = site_pages(load_project(project))["vi/about.md"]
    assert '<a href="../teams/">' in about and '<a href="../editors/">' in about


def test_media_prefix_points_at_the_shared_folder() -> None:
    assert media_prefix("vi", 0) == "media/"
    assert media_prefix("en", 0) == "../media/"
    assert media_prefix("en", 2) == "../../../media/"


def test_redirect_pages_point_to_each_language_slug(project: Path) -> None:
    pages = site_pages(load_project(project))
    assert 'content="0; url=../progress/"' in pages["en/tien-do.md"]
    assert 'content="0; url=../tien-do/"' in pages["vi/progress.md"]
    assert 'id="kns-progress"' in pages["en/progress.md"]


def test_quiz_data_and_catalog_are_embedded(project: Path) -> None:
    pages = site_pages(load_project(project))
    lesson = pages["en/lessons/sample-lesson.md"]
    assert (
        '"correct":[0]' in lesson
        and '"pass_mark":1' in lesson
        and '"explanations":["Right.","Wrong."]' in lesson
    )
    progress = pages["vi/tien-do.md"]
    assert '"title":"Bài mẫu"' in progress and '"url":"../lessons/sample-lesson/"' in progress


def test_json_in_pages_cannot_close_its_script(project: Path) -> None:
    loaded = with_texts(load_project(project), explanation="</script><b>x</b>")
    lesson = site_pages(loaded)["en/lessons/sample-lesson.md"]
    data = lesson.split('<script type="application/json" class="kns-quiz-data">')[1].split(
        "</script>"
    )[0]
    assert "\\u003c/script\\u003e\\u003cb\\u003ex" in data
    assert json.loads(data)["questions"][0]["explanations"][0] == "</script><b>x</b>"
