"""A resident's phone: the quiz, the local store, progress, passport, read-aloud and offline use.

Playwright drives Debian's Chromium at 360×740 against the real site served on localhost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from conftest import serving
from playwright.sync_api import Browser, BrowserContext, Page, expect
from quiz import LESSON, OTHER_LESSON, answer, page_errors, quiz_data, stored_attempts, take_quiz

from kynangso.build import build

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


def test_quiz_one_question_at_a_time_with_feedback(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = quiz_data(page)
    total = len(data["questions"])
    expect(page.locator(".kns-count")).to_have_text(f"Câu 1/{total}")
    expect(page.locator("fieldset.kns-question:visible")).to_have_count(1)
    expect(page.locator("details.kns-answers")).to_be_hidden()
    page.locator("button.kns-check").click()
    expect(page.locator(".kns-feedback")).to_have_text("Hãy chọn một đáp án trước.")
    wrong = next(k for k in range(3) if k not in data["questions"][0]["correct"])
    page.locator("fieldset#q1 label.kns-choice").nth(wrong).click()
    page.locator("button.kns-check").click()
    expect(page.locator(".kns-verdict")).to_have_text("Chưa đúng.")
    expect(page.locator("fieldset#q1 label.kns-choice--wrong")).to_have_count(1)
    expect(page.locator("fieldset#q1 label.kns-choice--right")).to_have_count(1)
    expect(page.locator(".kns-feedback li")).to_have_count(2)
    expect(page.locator("button.kns-check")).to_be_hidden()
    page.wait_for_timeout(520)  # a tap within 500 ms of the check is ignored (a double tap)
    page.locator("button.kns-next").click()
    expect(page.locator(".kns-count")).to_have_text(f"Câu 2/{total}")
    assert page.evaluate("document.activeElement.tagName") == "LEGEND"


def test_take_quiz_reload_and_see_it_on_progress(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = take_quiz(page)
    total = len(data["questions"])
    expect(page.locator(".kns-result .kns-score")).to_have_text(
        f"Bạn trả lời đúng {total}/{total} câu."
    )
    [attempt] = stored_attempts(page)
    assert attempt["lesson"] == LESSON and attempt["score"] == total and attempt["passed"] is True
    assert attempt["lang"] == "vi" and re.fullmatch(r"[0-9a-f-]{36}", attempt["id"])
    page.reload()
    expect(page.locator(".kns-count")).to_have_text(f"Câu 1/{total}")  # a fresh quiz
    assert len(stored_attempts(page)) == 1
    page.goto(f"{site_url}/tien-do/")
    title = page.locator("#kns-progress li.kns-state--passed a")
    expect(title).to_have_text("Kích hoạt tài khoản VNeID trên điện thoại")
    expect(page.locator("#kns-progress .kns-overview .kns-score")).to_contain_text("Bạn đã đạt 1/")
    expect(page.locator(".kns-next-lesson a")).to_be_visible()


def test_failed_attempt_and_retry(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = take_quiz(page, right=1)
    expect(page.locator(".kns-result")).to_contain_text(f"cần đúng {data['pass_mark']} câu")
    page.locator("button.kns-retry").click()
    expect(page.locator(".kns-count")).to_have_text(f"Câu 1/{len(data['questions'])}")
    expect(page.locator("fieldset#q1 input:checked")).to_have_count(0)
    [attempt] = stored_attempts(page)
    assert attempt["passed"] is False and attempt["score"] == 1


def test_language_switch_mid_quiz_keeps_answers(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = quiz_data(page)
    answer(page, 0, data["questions"][0]["correct"])
    answer(page, 1, data["questions"][1]["correct"])
    page.locator(".md-select").first.hover()
    page.locator("a.md-select__link[hreflang=en]").click()
    page.wait_for_url(f"{site_url}/en/lessons/{LESSON}/")
    expect(page.locator(".kns-count")).to_have_text(f"Question 3/{len(data['questions'])}")
    for i in range(2, len(data["questions"])):
        answer(page, i, data["questions"][i]["correct"])
    expect(page.locator(".kns-result .kns-score")).to_have_text(
        f"You got {len(data['questions'])} of {len(data['questions'])} right."
    )
    [attempt] = stored_attempts(page)
    assert attempt["lang"] == "en" and attempt["passed"] is True


def test_quiz_works_with_keyboard_only(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = quiz_data(page)
    first_right = data["questions"][0]["correct"][0]
    page.locator("fieldset#q1 input").nth(first_right).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits the form: checks the answer
    expect(page.locator(".kns-verdict")).to_have_text("Đúng rồi!")
    assert page.evaluate("document.activeElement.className").find("kns-next") >= 0
    page.keyboard.press("Enter")
    expect(page.locator(".kns-count")).to_have_text(f"Câu 2/{len(data['questions'])}")


def test_without_javascript_questions_and_answers_show(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{site_url}/lessons/{LESSON}/")
    expect(page.locator("fieldset.kns-question")).to_have_count(6)
    expect(page.locator("fieldset.kns-question").nth(3)).to_be_visible()
    page.locator("details.kns-answers summary").click()
    expect(page.locator("details.kns-answers li.kns-right").first).to_be_visible()
    context.close()


def test_corrupted_store_is_set_aside_and_resident_told(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/")
    page.evaluate("localStorage.setItem('kns:v1:attempts', '{not json')")
    page.goto(f"{site_url}/tien-do/")
    expect(page.locator(".kns-notice")).to_contain_text("đã được cất riêng")
    expect(page.locator("#kns-progress .kns-overview")).to_be_visible()
    kept = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('kns:v1:set-aside:')).map(k => localStorage.getItem(k))"
    )
    assert kept == ["{not json"]


def test_foreign_records_are_set_aside_good_ones_kept(page: Page, site_url: str) -> None:
    good = {
        "id": "a1",
        "lesson": LESSON,
        "lang": "vi",
        "score": 6,
        "total": 6,
        "passed": True,
        "answered_at": "2026-11-20T08:00:00.000Z",
        "class_code": "ABC234",
    }
    older = {
        "id": "a2",
        "lesson": OTHER_LESSON,
        "score": 3,
        "total": 7,
        "answered_at": "2026-11-19T08:00:00Z",
    }
    page.goto(f"{site_url}/")
    page.evaluate(
        "records => localStorage.setItem('kns:v1:attempts', JSON.stringify(records))",
        [good, {"hello": "world"}, older, 42],
    )
    page.goto(f"{site_url}/tien-do/")
    expect(page.locator(".kns-notice")).to_be_visible()
    kept = stored_attempts(page)
    assert [a["id"] for a in kept] == ["a1", "a2"]
    assert kept[0]["class_code"] == "ABC234"  # fields a newer site wrote are kept
    expect(page.locator("#kns-progress li.kns-state--passed")).to_have_count(1)
    expect(page.locator("#kns-progress li.kns-state--tried")).to_have_count(1)


def test_export_and_import_move_the_record_to_a_new_phone(
    browser: Browser, site_url: str, tmp_path: Path
) -> None:
    old_phone = browser.new_context(viewport={"width": 360, "height": 740}, accept_downloads=True)
    page = old_phone.new_page()
    page.goto(f"{site_url}/lessons/{LESSON}/")
    take_quiz(page)
    page.goto(f"{site_url}/tien-do/")
    with page.expect_download() as download:
        page.locator("button.kns-export").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("kynangso-tien-do-") and saved.suffix == ".json"
    payload = json.loads(saved.read_text(encoding="utf-8"))
    assert payload["format"] == "kynangso-progress" and len(payload["attempts"]) == 1
    old_phone.close()

    new_phone = browser.new_context(viewport={"width": 360, "height": 740})
    page = new_phone.new_page()
    page.goto(f"{site_url}/tien-do/")
    expect(page.locator("#kns-progress li.kns-state--passed")).to_have_count(0)
    page.locator("#kns-import-file").set_input_files(str(saved))
    expect(page.locator("#kns-import-message")).to_contain_text("Đã thêm 1 kết quả mới")
    expect(page.locator("#kns-progress li.kns-state--passed")).to_have_count(1)
    page.locator("#kns-import-file").set_input_files(
        str(saved)
    )  # the same file again: counted once
    expect(page.locator("#kns-import-message")).to_contain_text(
        "Đã thêm 0 kết quả mới (1 kết quả đã có sẵn)"
    )
    assert len(stored_attempts(page)) == 1
    bad = tmp_path / "photo.json"
    bad.write_text('{"something": "else"}')
    page.locator("#kns-import-file").set_input_files(str(bad))
    expect(page.locator("#kns-import-message")).to_contain_text("Không có gì thay đổi")
    assert len(stored_attempts(page)) == 1
    new_phone.close()


def test_passport_lists_passed_lessons_with_a_qr_code(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    take_quiz(page)
    page.goto(f"{site_url}/ho-chieu/")
    expect(page.locator(".kns-unofficial")).to_contain_text("Bình dân học vụ số")
    expect(page.locator(".kns-passport-list li")).to_have_count(1)
    page.locator("#kns-name").fill("Lò Thị Mẫu")
    qr = page.locator(".kns-qr")
    expect(qr.locator("svg")).to_be_visible()
    url = qr.get_attribute("data-url") or ""
    assert url.startswith(f"{site_url}/ho-chieu/#p=1~") and LESSON in url
    # a team member scans it: a phone with no record of its own sees the shared results
    other = page.context.browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[union-attr]
    scanned = other.new_page()
    scanned.goto(url)
    expect(scanned.locator("#kns-passport h2")).to_have_text("Kết quả được chia sẻ qua mã QR")
    expect(scanned.locator(".kns-passport-name")).to_have_text("Người học: Lò Thị Mẫu")
    expect(scanned.locator(".kns-passport-list li a")).to_have_text(
        "Kích hoạt tài khoản VNeID trên điện thoại"
    )
    other.close()


def test_progress_page_addresses_in_both_languages(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/en/tien-do/")
    page.wait_for_url(f"{site_url}/en/progress/")
    expect(page.locator("h1")).to_have_text("My progress")
    page.goto(f"{site_url}/progress/")
    page.wait_for_url(f"{site_url}/tien-do/")
    expect(page.locator("h1")).to_have_text("Tiến độ của tôi")


def test_read_aloud_uses_the_phone_voice(page: Page, site_url: str) -> None:
    page.add_init_script("""
        window.__spoken = [];
        window.speechSynthesis.getVoices = () => [{lang: "vi-VN", name: "vi", voiceURI: "vi"}];
        window.speechSynthesis.speak = u => window.__spoken.push({text: u.text, lang: u.lang});
    """)
    page.goto(f"{site_url}/lessons/{LESSON}/")
    buttons = page.locator("button.kns-listen")
    expect(buttons).to_have_count(page.locator("h3.kns-step").count())
    buttons.nth(1).click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[0]["lang"] == "vi-VN" and "VNeID" in spoken[0]["text"]
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "true")


def test_read_aloud_hidden_without_speech(page: Page, site_url: str) -> None:
    page.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    page.goto(f"{site_url}/lessons/{LESSON}/")
    expect(page.locator("h3.kns-step").first).to_be_visible()
    expect(page.locator("button.kns-listen")).to_have_count(0)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/lessons/{LESSON}/",
        "/tien-do/",
        "/ho-chieu/",
        "/en/",
        f"/en/lessons/{LESSON}/",
        "/en/progress/",
        "/en/passport/",
    ],
)
def test_no_axe_violations_with_progress(page: Page, site_url: str, path: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = take_quiz(page)  # a passed lesson on the progress page and passport
    page.goto(site_url + path)
    if "/lessons/" in path:  # the live quiz, with feedback on a wrong answer showing
        answer(page, 0, data["questions"][0]["correct"])
        wrong = next(k for k in range(3) if k not in data["questions"][1]["correct"])
        page.locator("fieldset#q2 label.kns-choice").nth(wrong).click()
        page.locator("button.kns-check").click()
        expect(page.locator(".kns-feedback--wrong")).to_be_visible()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run()).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(', '))"
    )
    assert violations == []


# ------------------------------------------------------------------ offline
@pytest.fixture
def own_site(project: Path, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """A small project built and served from its own folder, so a test can rebuild it."""
    site = tmp_path / "site"
    build(project, site)
    with serving(site) as url:
        yield url, project, site


def wait_saved(page: Page) -> str:
    status = page.locator(".kns-offline")
    expect(status).to_contain_text("Đã lưu để học khi không có mạng", timeout=30_000)
    return status.inner_text()


def test_offline_after_first_visit(context: BrowserContext, site_url: str) -> None:
    page = context.new_page()
    page.goto(f"{site_url}/")
    text = wait_saved(page)
    assert re.search(r"\(\d+\.\d MB\)", text), text
    context.set_offline(True)
    page.goto(f"{site_url}/lessons/{OTHER_LESSON}/")  # never visited
    expect(page.locator("h1")).to_contain_text("VietQR")
    expect(page.locator("img").nth(1)).to_have_js_property("complete", True)
    take_quiz(page)
    assert stored_attempts(page)[0]["lesson"] == OTHER_LESSON
    page.goto(f"{site_url}/tien-do/")
    expect(page.locator("#kns-progress li.kns-state--passed")).to_have_count(1)
    page.goto(f"{site_url}/topics/cashless/")
    expect(page.locator("h1")).to_have_text("Thanh toán không dùng tiền mặt")
    context.set_offline(False)


def test_english_pack_keeps_english_pages(context: BrowserContext, site_url: str) -> None:
    page = context.new_page()
    page.goto(f"{site_url}/en/")
    expect(page.locator(".kns-offline")).to_contain_text(
        "Saved for learning without internet", timeout=30_000
    )
    context.set_offline(True)
    page.goto(f"{site_url}/en/lessons/{OTHER_LESSON}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.set_offline(False)


def test_new_build_replaces_the_cache(
    context: BrowserContext, own_site: tuple[str, Path, Path]
) -> None:
    url, project, site = own_site
    page = context.new_page()
    page.goto(f"{url}/")
    wait_saved(page)
    first = page.evaluate("caches.keys()")
    assert len(first) == 1 and first[0].startswith("kns-vi-")

    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace('"Bài mẫu"', '"Bài mẫu mới"'))
    build(project, site)
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function(
        "first => caches.keys().then(keys => keys.length && !keys.includes(first)).then(ok => { window.__ok = ok; return ok; })",
        arg=first[0],
        timeout=20_000,
    )
    page.reload()
    wait_saved(page)
    second = page.evaluate("caches.keys()")
    assert len(second) == 1 and second[0] != first[0]
    context.set_offline(True)
    page.goto(f"{url}/lessons/sample-lesson/")
    expect(page.locator("h1")).to_have_text("Bài mẫu mới")
    context.set_offline(False)


# ------------------------------------------------------------------ damaged local data


def set_aside(page: Page) -> list[str]:
    """The raw values moved to `kns:v1:set-aside:<time>` keys."""
    return cast(
        list[str],
        page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('kns:v1:set-aside:')).map(k => localStorage.getItem(k))"
        ),
    )


def store_values(page: Page, values: dict[str, str]) -> None:
    """Put raw text under each key of this site's local store."""
    page.evaluate(
        "values => Object.entries(values).forEach(([k, v]) => localStorage.setItem(k, v))", values
    )


def test_quiz_draft_of_the_wrong_type_is_set_aside_and_the_quiz_works(
    page: Page, site_url: str
) -> None:
    errors = page_errors(page)
    draft = json.dumps({"current": 1, "answers": {"0": 5}, "checked": {"0": True}})
    page.goto(f"{site_url}/")
    store_values(page, {f"kns:v1:draft:{LESSON}": draft})
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = take_quiz(page)
    assert errors == []
    [attempt] = stored_attempts(page)
    assert attempt["score"] == len(data["questions"])
    assert set_aside(page) == [draft]
    page.reload()  # and on the next visit too
    expect(page.locator(".kns-count")).to_have_text(f"Câu 1/{len(data['questions'])}")
    assert errors == []


def test_a_draft_marked_finished_records_nothing_on_load(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/")
    draft = json.dumps({"current": 6, "answers": {}, "checked": {}, "attempt": "x1"})
    store_values(page, {f"kns:v1:draft:{LESSON}": draft})
    page.goto(f"{site_url}/lessons/{LESSON}/")
    expect(page.locator(".kns-count")).to_have_text("Câu 1/6")
    expect(page.locator(".kns-result")).to_be_hidden()
    assert stored_attempts(page) == []
    assert set_aside(page) == [draft]


def test_an_over_long_stored_name_still_gives_a_passport_qr(page: Page, site_url: str) -> None:
    errors = page_errors(page)
    page.goto(f"{site_url}/lessons/{LESSON}/")
    take_quiz(page)
    store_values(page, {"kns:v1:name": json.dumps("Lò Thị Mẫu " * 400)})
    page.goto(f"{site_url}/ho-chieu/")
    expect(page.locator(".kns-qr svg")).to_be_visible()
    expect(page.locator("#kns-name")).to_have_value("")
    assert errors == []
    # a name typed at the longest the field takes still fits in the code
    page.locator("#kns-name").fill("Đặng Thị Phượng " * 5)
    expect(page.locator(".kns-qr svg")).to_be_visible()
    assert "#p=1~" in (page.locator(".kns-qr").get_attribute("data-url") or "")
    assert errors == []
