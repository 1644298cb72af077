""" "Nghe đọc" on a phone with and without a voice for the page's language, at 360×740.

Headless Chromium has no voices at all: that is the phone without one. A phone with a voice, a
voice list that arrives late (`voiceschanged`) and a voice that fails are made by replacing
`speechSynthesis`'s methods in an init script.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect
from quiz import LESSON

NOTE = "p.kns-voice-note"

# getVoices() answers window.__voices; speak() records the utterance and, when asked, fails it
# the way a broken engine does (an `error` event that is not our own cancel).
FAKE_VOICES = """
    window.__voices = %s;
    window.__spoken = [];
    window.speechSynthesis.getVoices = () => window.__voices;
    window.speechSynthesis.speak = u => {
        window.__spoken.push({text: u.text, lang: u.lang});
        if (window.__fail) setTimeout(() => u.onerror({error: "synthesis-failed"}), 10);
    };
"""
VIETNAMESE = '[{lang: "vi-VN", name: "Tiếng Việt", voiceURI: "vi"}]'
ENGLISH = '[{lang: "en-US", name: "English", voiceURI: "en"}]'


def test_no_voice_says_how_to_add_one_instead_of_a_dead_button(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    buttons = page.locator("button.kns-listen")
    buttons.nth(1).click()
    note = page.locator(NOTE)
    expect(note).to_be_visible()
    expect(note).to_contain_text("chưa có giọng đọc tiếng Việt")
    expect(note).to_contain_text("Cài đặt")
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "false")
    box = note.bounding_box()
    assert box is not None and box["width"] <= 360
    # said under the button tapped, once
    assert (
        page.evaluate("document.querySelector('p.kns-voice-note').previousElementSibling")
        is not None
    )
    buttons.nth(2).click()
    expect(note).to_have_count(1)
    assert note.evaluate(
        "n => n.previousElementSibling.isSameNode(document.querySelectorAll('button.kns-listen')[2])"
    )


def test_english_page_asks_for_an_english_voice(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/en/lessons/{LESSON}/")
    page.locator("button.kns-listen").first.click()
    expect(page.locator(NOTE)).to_contain_text("no English voice")


def test_voice_list_arriving_late_decides(page: Page, site_url: str) -> None:
    page.add_init_script(FAKE_VOICES % ENGLISH)
    page.goto(f"{site_url}/lessons/{LESSON}/")
    buttons = page.locator("button.kns-listen")
    buttons.first.click()  # an English voice does not read Vietnamese
    expect(page.locator(NOTE)).to_contain_text("chưa có giọng đọc tiếng Việt")
    assert page.evaluate("window.__spoken") == []
    page.evaluate(
        f"window.__voices = {VIETNAMESE};"
        "window.speechSynthesis.dispatchEvent(new Event('voiceschanged'))"
    )
    expect(page.locator(NOTE)).to_have_count(0)  # the voice came: the note goes
    buttons.first.click()
    assert page.evaluate("window.__spoken")[0]["lang"] == "vi-VN"
    expect(buttons.first).to_have_attribute("aria-pressed", "true")


def test_failed_speaking_is_said_on_the_page(page: Page, site_url: str) -> None:
    page.add_init_script(FAKE_VOICES % VIETNAMESE + "window.__fail = true;")
    page.goto(f"{site_url}/lessons/{LESSON}/")
    button = page.locator("button.kns-listen").nth(2)
    button.click()
    expect(page.locator(NOTE)).to_contain_text("Chưa đọc được")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button).to_have_text("🔊 Nghe đọc")
