"""`kynangso preview`: saving a file rebuilds and reloads the page; a problem shows on the page;
fixing it recovers."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from serving import serving

from kynangso.preview import Preview


@pytest.fixture
def preview_url(project: Path) -> Iterator[str]:
    """The preview of the small project, watching its files, on a free port."""
    watcher = Preview(project, project / "build" / "preview-site", log=lambda text: None)
    watcher.rebuild()
    threading.Thread(target=watcher.watch, daemon=True).start()
    time.sleep(1)  # the operating system's watch starts in that thread
    with serving(watcher.app(), lifespan="auto") as url:
        yield url
    watcher.stop.set()


def test_save_rebuilds_and_reloads(page: Page, preview_url: str, project: Path) -> None:
    page.goto(f"{preview_url}/lessons/sample-lesson/")
    expect(page.locator("h1")).to_have_text("Bài mẫu")
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace('"Bài mẫu"', '"Bài mẫu đã sửa"'))
    expect(page.locator("h1")).to_have_text("Bài mẫu đã sửa", timeout=60_000)

    good = lesson.read_text()
    lesson.write_text(good.replace("minutes: 10", "minutes: ten"))
    overlay = page.locator("#kns-preview-error")
    expect(overlay).to_contain_text(
        "lessons/sample-lesson.yaml:4:10: minutes: expected a whole number", timeout=60_000
    )
    expect(overlay).to_contain_text("minutes: ten")
    expect(page.locator("h1")).to_have_text("Bài mẫu đã sửa")  # the last good build stays

    lesson.write_text(good.replace('"Bài mẫu đã sửa"', '"Bài mẫu lần ba"'))
    expect(page.locator("h1")).to_have_text("Bài mẫu lần ba", timeout=60_000)
    expect(overlay).to_have_count(0)


def test_preview_never_touches_the_published_site(project: Path, preview_url: str) -> None:
    assert not (project / "site").exists()
    assert (project / "build" / "preview-site" / "index.html").is_file()


def _version(url: str) -> int:
    return int(httpx.get(f"{url}/__preview/state").json()["version"])


def _wait_for_version(url: str, above: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while (version := _version(url)) <= above and time.monotonic() < deadline:
        time.sleep(0.2)
    return version


def test_a_save_that_keeps_size_and_time_is_seen(preview_url: str, project: Path) -> None:
    """A copy restored with its old time (cp -p, an unzip, a sync tool) and the same length."""
    lesson = project / "lessons" / "sample-lesson.yaml"
    before = lesson.stat()
    version = _version(preview_url)
    lesson.write_text(lesson.read_text().replace('"Bài mẫu"', '"Bài mẫy"'))
    os.utime(lesson, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert lesson.stat().st_size == before.st_size
    assert _wait_for_version(preview_url, version, seconds=60) > version


def test_mkdocs_yml_replaced_by_an_editor_is_seen_every_time(
    preview_url: str, project: Path
) -> None:
    """Editors save by writing a new file and renaming it over the old one."""
    config = project / "mkdocs.yml"
    for round_ in range(2):
        version = _version(preview_url)
        new = config.with_name(".mkdocs.yml.new")
        new.write_text(config.read_text() + f"\n# saved {round_}\n")
        new.replace(config)
        assert _wait_for_version(preview_url, version, seconds=60) > version, round_
