"""The interface words: one catalogue per language, Vietnamese filling in what another lacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kynangso import words


def _leaves(value: object, path: str = "") -> set[str]:
    if isinstance(value, dict):
        return {leaf for key, inner in value.items() for leaf in _leaves(inner, f"{path}.{key}")}
    return {path}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped catalogues, to add a language to."""
    copy = tmp_path / "words"
    copy.mkdir()
    for path in words.FOLDER.glob("*.yaml"):
        shutil.copy(path, copy / path.name)
    return copy


def test_the_shipped_languages_are_complete() -> None:
    assert words.languages() == ("vi", "en")
    vi, en = words.load("vi"), words.load("en")
    assert en.fallbacks == frozenset() and vi.fallbacks == frozenset()
    assert _leaves(dict(vi.data)) == _leaves(dict(en.data))
    assert (vi.name, en.name) == ("Tiếng Việt", "English")


def test_a_third_language_falls_back_to_vietnamese_text_by_text(folder: Path) -> None:
    (folder / "xx.yaml").write_text("language: Xx\nsite:\n  home: Xx-home\n", encoding="utf-8")
    assert words.languages(folder) == ("vi", "en", "xx")
    xx = words.load("xx", folder)
    site = xx.section("site")
    assert site["home"] == "Xx-home" and xx.lang_of("site", "home") == "xx"
    assert site["topics"] == "Các chủ đề" and xx.lang_of("site", "topics") == "vi"
    assert "site.topics" in xx.fallbacks and "site.home" not in xx.fallbacks
    assert xx.section("browser", "lesson")["check"] == "Kiểm tra"
    assert "browser.lesson.check" in xx.fallbacks
    assert xx.texts("safety_rules") == words.load("vi", folder).texts("safety_rules")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("site:\n  hme: Xx\n", "xx.yaml: site: 'hme' is not a key of vi.yaml"),
        ("site: Xx\n", "xx.yaml: site: expected a mapping, as in vi.yaml"),
        ("safety_rules: Xx\n", "xx.yaml: safety_rules: expected a list, as in vi.yaml"),
        ("site:\n  home: [a]\n", "xx.yaml: site.home: expected a text, as in vi.yaml"),
        ("site: [\n", "xx.yaml: cannot read the interface words"),
    ],
)
def test_a_broken_catalogue_names_file_and_key(folder: Path, text: str, message: str) -> None:
    (folder / "xx.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(words.WordsError, match=message.replace("[", r"\[")):
        words.load("xx", folder)


def test_pick_prefers_the_asked_language_then_the_browsers() -> None:
    assert words.pick("en", "vi") == "en"
    assert words.pick(None, "fr-FR,en;q=0.8,vi;q=0.9") == "vi"
    assert words.pick(None, "fr, en-US;q=0.5") == "en"
    assert words.pick("de", "de-DE, en;q=0") == "vi"
    assert words.pick(None, None) == "vi"
    assert words.pick(None, "en;q=abc") == "vi"
    with pytest.raises(words.WordsError, match="no interface words for language 'de'"):
        words.load("de")
