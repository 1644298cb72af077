"""The browser code's words come with the page, in its language, and only those it uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kynangso import words

BLOB = re.compile(r'<script type="application/json" class="kns-words">(.*?)</script>', re.S)


def _groups(page: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for blob in BLOB.findall(page.read_text(encoding="utf-8")):
        found.update(json.loads(blob))
    return found


def test_each_page_carries_only_the_words_its_scripts_use(real_site: Path) -> None:
    expected = {
        # a lesson with recorded voices also carries its player's words
        "lessons/vneid-activate/index.html": {"every_page", "lesson", "recordings"},
        "en/lessons/vneid-activate/index.html": {"every_page", "lesson", "recordings"},
        "lessons/vneid-wallet/index.html": {"every_page", "lesson"},
        "index.html": {"every_page"},
        "404.html": {"every_page"},
        "tien-do/index.html": {"every_page", "progress"},
        "en/passport/index.html": {"every_page", "progress"},
        "tham-gia-lop/index.html": {"every_page", "join"},
    }
    for path, groups in expected.items():
        text = (real_site / path).read_text(encoding="utf-8")
        lang = re.search(r'<html lang="(\w+)"', text).group(1)  # type: ignore[union-attr]
        found = _groups(real_site / path)
        assert set(found) == groups, path
        for group in groups:
            assert found[group] == words.load(lang).section("browser", group), (path, group)


def test_the_scripts_hold_no_words_of_their_own(real_site: Path) -> None:
    for name in ("kns.js", "kns-progress.js", "kns-class.js", "kns-audio.js"):
        script = (real_site / "assets" / name).read_text(encoding="utf-8")
        assert "Nộp bài" not in script and "Kiểm tra" not in script, name
        assert "Tham gia lớp" not in script and "Bạn đã đạt" not in script, name
