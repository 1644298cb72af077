"""`kynangso preview`: saving a file rebuilds and reloads the page; a problem shows on the page;
fixing it recovers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kynangso.preview import Preview
from kynangso.serving import serving


@pytest.fixture
def preview_url(project: Path) -> Iterator[str]:
    """The preview of the small project, watching its files, on a free port."""
    watcher = Preview(project, project / "build" / "preview-site", log=lambda text: None)
    watcher.rebuild()
    threading.Thread(target=watcher.watch, daemon=True).start()
    with serving(watcher.app(), lifespan="auto") as url:
        yield url
    watcher.stop.set()


def test_save_rebuilds_and_reloads(page: Page, preview_url: str, project: Path) -> None:
    page.goto(f"{preview_url}/lessons/sample-lesson/")
    expect(page.locator("h1")).to_have_text("Bài mẫu")
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace('"Bài mẫu"', '"Bài mẫu đã sửa"'))
    expect(page.locator("h1")).to_have_text("Bài mẫu đã sửa", timeout=20_000)

    good = lesson.read_text()
    lesson.write_text(good.replace("minutes: 10", "minutes: ten"))
    overlay = page.locator("#kns-preview-error")
    expect(overlay).to_contain_text(
        "lessons/sample-lesson.yaml:4:10: minutes: expected a whole number", timeout=20_000
    )
    expect(overlay).to_contain_text("minutes: ten")
    expect(page.locator("h1")).to_have_text("Bài mẫu đã sửa")  # the last good build stays

    lesson.write_text(good.replace('"Bài mẫu đã sửa"', '"Bài mẫu lần ba"'))
    expect(page.locator("h1")).to_have_text("Bài mẫu lần ba", timeout=20_000)
    expect(overlay).to_have_count(0)


def test_preview_never_touches_the_published_site(project: Path, preview_url: str) -> None:
    assert not (project / "site").exists()
    assert (project / "build" / "preview-site" / "index.html").is_file()
