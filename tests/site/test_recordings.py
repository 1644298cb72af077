"""Recorded voices on a lesson page: a play button per step and language, named in the page's
language, 48 px, 0.75×/1×, nothing fetched before a tap, and every recording in the offline pack."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, Response, expect
from quiz import LESSON

from kynangso.site.post.offline import pack_sizes
from kynangso.site.render import site_pages
from kynangso.sources.recordings import write_recording
from kynangso.sources.validate import load_project

OPUS = Path(__file__).resolve().parents[1] / "bad" / "audio-files" / "content" / "media" / "audio"


def test_each_language_gets_a_button_named_in_both_site_languages(project: Path) -> None:
    audio = project / "content" / "media" / "audio"
    audio.mkdir()
    lesson = project / "lessons" / "sample-lesson.yaml"
    for lang in ("vi", "blt", "hmn"):
        shutil.copy(OPUS / "fine.ogg", audio / f"sample-lesson-2-{lang}.ogg")
        write_recording(lesson, 2, lang, f"sample-lesson-2-{lang}.ogg")
    pages = site_pages(load_project(project))
    vi, en = pages["vi/lessons/sample-lesson.md"], pages["en/lessons/sample-lesson.md"]
    for name in ("▶ Tiếng Việt", "▶ Thái Đen / Tày Đăm", "▶ Mông / Hmoob", "Đọc chậm 0,75×"):
        assert name in vi
    for name in ("▶ Vietnamese / Tiếng Việt", "▶ Black Tai / Tày Đăm", "▶ Hmong / Hmoob"):
        assert name in en
    assert vi.count('<audio preload="none"') == 3
    assert 'src="../../media/audio/sample-lesson-2-blt.ogg"' in vi


def test_play_a_step_at_three_quarter_speed_without_loading_on_first_visit(
    page: Page, site_url: str
) -> None:
    fetched: list[Response] = []
    page.on("response", lambda response: fetched.append(response))
    page.goto(f"{site_url}/lessons/{LESSON}/", wait_until="networkidle")
    assert not [r.url for r in fetched if "/media/audio/" in urlparse(r.url).path]
    buttons = page.locator(".kns-audio button.kns-play")
    expect(buttons).to_have_count(5)
    expect(buttons.first).to_have_text("▶ Tiếng Việt")
    for button in (buttons.first, page.locator("button.kns-slow").first):
        box = button.bounding_box()
        assert box is not None and box["height"] >= 48
    expect(page.locator(".kns-audio audio[controls]")).to_have_count(0)
    page.locator("button.kns-slow").first.click()
    expect(page.locator("button.kns-slow").nth(2)).to_have_attribute("aria-pressed", "true")
    buttons.nth(1).click()
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "true")
    expect(buttons.nth(1)).to_have_text("■ Tiếng Việt")
    audio = page.locator(".kns-audio audio").nth(1)
    page.wait_for_function("a => a.currentTime > 0.2", arg=audio.element_handle(), timeout=10_000)
    assert audio.evaluate("a => a.playbackRate") == 0.75
    buttons.nth(1).click()  # a second tap stops it
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "false")


def test_english_page_names_the_language_in_english(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/en/lessons/{LESSON}/")
    expect(page.locator("button.kns-play").first).to_have_text("▶ Vietnamese / Tiếng Việt")


def test_recordings_are_in_the_offline_pack(real_site: Path) -> None:
    for lang in ("vi", "en"):
        files = json.loads((real_site / "offline" / f"{lang}.json").read_text())["files"]
        assert f"media/audio/{LESSON}-1-vi.ogg" in files
    total, audio = pack_sizes(real_site)["vi"]
    assert 0 < audio < total


def test_a_recording_that_cannot_be_fetched_says_so(browser: Browser, site_url: str) -> None:
    # the service worker's own fetches pass no route: keep it out of this one
    context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")
    page = context.new_page()
    page.route("**/media/audio/**", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(f"{site_url}/lessons/{LESSON}/")
    button = page.locator(".kns-audio button.kns-play").first
    button.click()
    expect(page.locator(".kns-audio-note").first).to_have_text(
        "Chưa mở được bản ghi âm này. Hãy thử lại khi có mạng."
    )
    expect(button).to_have_attribute("aria-pressed", "false")
    context.close()
