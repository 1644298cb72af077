"""A third text language added as data: a line in mkdocs.yml, a partial words catalogue and
texts beside vi and en where they are translated; everything else falls back to Vietnamese,
marked as such."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kynangso.build import build
from kynangso.errors import BuildError, SourceError
from kynangso.sources.validate import load_project

CODE = "zz"  # a made-up language: nothing of it may come from the generator itself
LANGUAGE = f"""        - locale: {CODE}
          name: Tiếng Thử
          build: true
"""


def add_language(root: Path) -> None:
    """Declare the third language in mkdocs.yml, with a catalogue translating two words."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    anchor = "\nmarkdown_extensions:"
    config.write_text(text.replace(anchor, "\n" + LANGUAGE.rstrip("\n") + "\n" + anchor, 1))
    words = root / "content" / "words"
    words.mkdir(parents=True)
    (words / f"{CODE}.yaml").write_text(
        f"language: Tiếng Thử\nsite:\n  steps: Các bước ({CODE})\n  fallback: '[vi]'\n",
        encoding="utf-8",
    )
    lesson = root / "lessons" / "sample-lesson.yaml"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace(
        '  en: "Sample lesson"\n', f'  en: "Sample lesson"\n  {CODE}: "Bài thử"\n', 1
    )
    lesson.write_text(text, encoding="utf-8")


@pytest.fixture
def third(project: Path, tmp_path: Path) -> Path:
    add_language(project)
    site = tmp_path / "site"
    build(project, site)
    return site


def test_third_language_pages_fall_back_to_vietnamese_marked(third: Path) -> None:
    page = (third / CODE / "lessons" / "sample-lesson" / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{CODE}"' in page
    # the translated title is shown as it is, without a mark
    assert re.search(r"<h1[^>]*>Bài thử</h1>", page)
    # an untranslated step body is Vietnamese, in a lang="vi" element, with the catalogue's mark
    assert re.search(r'<p><small>\[vi\]</small></p>\s*<div lang="vi">\s*<p>Mở ứng dụng.</p>', page)
    # an untranslated step title is marked inline
    assert '<span lang="vi">Bước đầu</span> <small>[vi]</small>' in page
    # interface words: the catalogue's where it has them, Vietnamese where it has not
    assert f"Các bước ({CODE})" in page
    assert "Mẹo" in page or "Câu đố" in page
    assert f'hreflang="{CODE}"' in page  # in the language switch


def test_third_language_has_its_search_index_and_offline_pack(third: Path) -> None:
    index = json.loads((third / CODE / "search" / "search_index.json").read_text("utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert locations and all(location.startswith(f"{CODE}/") for location in locations)
    assert index["config"]["lang"] == ["vi"]  # no search engine of its own: the Vietnamese one
    assert (third / "assets/javascripts/workers" / f"kns-search.{CODE}.js").is_file()
    pack = json.loads((third / "offline" / f"{CODE}.json").read_text("utf-8"))
    assert f"{CODE}/lessons/sample-lesson/" in pack["files"]
    assert not any(url.startswith("en/") for url in pack["files"])
    vi_pack = json.loads((third / "offline" / "vi.json").read_text("utf-8"))
    assert not any(url.startswith(f"{CODE}/") for url in vi_pack["files"])


def test_the_vietnamese_and_english_pages_are_unchanged_by_a_third_language(
    project: Path, tmp_path: Path
) -> None:
    build(project, tmp_path / "two")
    add_language(project)
    # the third language's texts are the only change to the sources
    build(project, tmp_path / "three")
    for page in ("en/lessons/sample-lesson/index.html", "lessons/sample-lesson/index.html"):
        two = (tmp_path / "two" / page).read_text("utf-8")
        three = (tmp_path / "three" / page).read_text("utf-8")
        # only the language switch (one more entry) and the theme's purged CSS (more pages
        # use more of it, so its name changes) may differ
        strip = re.compile(r'<li class="md-select__item">.*?</li>|main\.\w+\.min\.css', re.S)
        assert strip.sub("", two).replace("\n", "") == strip.sub("", three).replace("\n", "")


def test_a_text_in_a_language_the_site_does_not_have_is_named(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace('  en: "Sample lesson"\n', '  en: "Sample lesson"\n  vn: "x"\n'))
    with pytest.raises(SourceError) as error:
        load_project(project)
    assert "lessons/sample-lesson.yaml:8:3: title.vn: unknown field 'vn'" in str(error.value)


def test_a_language_without_interface_words_is_refused(project: Path, tmp_path: Path) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("\nmarkdown_extensions:", "\n" + LANGUAGE + "\nmarkdown_extensions:", 1)
    )
    with pytest.raises(BuildError, match=f"no interface words for language '{CODE}'"):
        build(project, tmp_path / "site")


def test_mkdocs_languages_must_keep_vietnamese_the_default(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("locale: en", "locale: fr"))
    with pytest.raises(SourceError, match="plugins.i18n.languages: en is missing"):
        load_project(project)
