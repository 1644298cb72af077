"""What a resident meets on the phone around the quiz: the verdict kept in view, a double tap
ignored, plain feedback, the place kept across a language switch or back, readable warnings,
the home page's way in, the join page, the passport's links, the 404 page and plain-http class mode.

Playwright drives Debian's Chromium at 360×740 against the real site served on localhost.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import CHROMIUM, PHONE
from playwright.sync_api import Page, Playwright, expect
from quiz import LESSON, answer, quiz_data

from kynangso.site.render import site_pages
from kynangso.sources.validate import load_project

MULTIPLE_LESSON = "cashless-bills"  # its question 2 has several right answers


def _in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return (
        box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= PHONE["height"]
    )


def _pick_wrong(page: Page, index: int) -> str:
    data = quiz_data(page)
    wrong = next(k for k in range(9) if k not in data["questions"][index]["correct"])
    choice = page.locator(f"fieldset#q{index + 1} label.kns-choice").nth(wrong)
    choice.click()
    return choice.inner_text().strip()


def test_check_keeps_the_verdict_in_view_and_a_double_tap_does_not_skip(
    page: Page, site_url: str
) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    page.locator("fieldset#q1").evaluate("node => node.scrollIntoView({block: 'start'})")
    _pick_wrong(page, 0)
    # both taps of a double tap on "Kiểm tra", well within 500 ms of each other
    page.evaluate(
        """() => {
        document.querySelector("button.kns-check").click();
        document.querySelector("button.kns-next").dispatchEvent(
            new MouseEvent("click", {bubbles: true, detail: 2}));
    }"""
    )
    expect(page.locator(".kns-count")).to_have_text(f"Câu 1/{len(quiz_data(page)['questions'])}")
    assert _in_view(page, ".kns-verdict")
    assert _in_view(page, "fieldset#q1 label.kns-choice--wrong")
    # the outside links are folded, below the quiz
    sources = page.locator("details#sources")
    expect(sources).to_have_js_property("open", False)
    assert page.evaluate(
        "document.querySelector('form.kns-quiz').compareDocumentPosition("
        "document.querySelector('details#sources')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    page.wait_for_timeout(550)
    page.locator("button.kns-next").click()
    expect(page.locator(".kns-count")).to_contain_text("Câu 2/")


def test_true_false_and_multiple_feedback_say_it_plainly(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = quiz_data(page)
    tf = next(i for i, q in enumerate(data["questions"]) if q["kind"] == "true_false")
    for i in range(tf):
        answer(page, i, data["questions"][i]["correct"])
    picked = _pick_wrong(page, tf)
    page.locator("button.kns-check").click()
    wrong = page.locator(".kns-feedback li").first
    expect(wrong).to_contain_text(f"Bạn chọn “{picked}”: chưa đúng.")
    for item in page.locator(".kns-feedback li").all_inner_texts():
        assert not item.split(". ", 1)[1].startswith(("Sai.", "Đúng.")), item

    page.goto(f"{site_url}/lessons/{MULTIPLE_LESSON}/")
    data = quiz_data(page)
    k = next(i for i, q in enumerate(data["questions"]) if len(q["correct"]) > 1)
    for i in range(k):
        answer(page, i, data["questions"][i]["correct"])
    first, missed = data["questions"][k]["correct"][:2]
    labels = page.locator(f"fieldset#q{k + 1} label.kns-choice")
    labels.nth(first).click()
    page.locator("button.kns-check").click()
    missed_text = labels.nth(missed).inner_text().strip()
    expect(page.locator(".kns-feedback")).to_contain_text(f"Bạn bỏ sót “{missed_text}”")


def test_language_switch_and_back_return_to_the_quiz(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    data = quiz_data(page)
    answer(page, 0, data["questions"][0]["correct"])
    page.locator("fieldset#q2").evaluate("node => node.scrollIntoView({block: 'center'})")
    assert page.evaluate("window.scrollY") > 2000
    page.locator(".md-select").first.hover()
    page.locator("a.md-select__link[hreflang=en]").click()
    page.wait_for_url(f"{site_url}/en/lessons/{LESSON}/")
    expect(page.locator(".kns-count")).to_contain_text("Question 2/")
    assert _in_view(page, "fieldset#q2 legend")
    page.locator("fieldset#q2").evaluate("node => node.scrollIntoView({block: 'center'})")
    page.goto(f"{site_url}/en/")
    page.go_back()
    expect(page.locator(".kns-count")).to_contain_text("Question 2/")
    assert _in_view(page, "fieldset#q2 legend")


def test_warnings_are_body_size_with_a_band_and_icon(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/lessons/{LESSON}/")
    sizes = page.evaluate(
        """() => {
        const px = (node, pseudo) => getComputedStyle(node, pseudo || null);
        const body = document.querySelector("article.md-content__inner > p");
        const warning = document.querySelector(".admonition.warning");
        return {
            body: parseFloat(px(body).fontSize),
            text: parseFloat(px(warning.querySelector("p:not(.admonition-title)")).fontSize),
            band: parseFloat(px(warning).borderLeftWidth),
            icon: parseFloat(px(warning.querySelector(".admonition-title"), "::before").width),
        };
    }"""
    )
    assert sizes["text"] >= sizes["body"], sizes
    assert sizes["band"] >= 6 and sizes["icon"] >= 20, sizes


def test_home_shows_start_and_continue_above_the_fold(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/")
    order = json.loads(page.locator("script.kns-order").text_content() or "[]")
    start = page.locator(".kns-start a:visible").first
    expect(start).to_have_text(f"Bắt đầu học: {order[0][1]}")
    assert _in_view(page, ".kns-start a.kns-first")
    passed = {
        "id": "a1",
        "lesson": order[0][0],
        "lang": "vi",
        "score": 5,
        "total": 6,
        "passed": True,
        "answered_at": "2026-11-20T08:00:00.000Z",
    }
    page.evaluate("a => localStorage.setItem('kns:v1:attempts', JSON.stringify([a]))", passed)
    page.reload()
    expect(page.locator(".kns-start a").first).to_have_text(f"Học tiếp: {order[1][1]}")
    assert _in_view(page, ".kns-start a.kns-continue")


def test_joined_class_offers_start_and_asks_before_leaving(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/tham-gia-lop/")
    joined = {
        "code": "ABC234",
        "class_name": "Lớp Bản Hua",
        "learner_id": "l-1",
        "name": "Lò Văn A",
    }
    page.evaluate("c => localStorage.setItem('kns:v1:class', JSON.stringify(c))", joined)
    page.reload()
    expect(page.locator("#kns-join a.kns-start-link")).to_have_text("Bắt đầu học")
    page.locator("button.kns-leave").click()
    expect(page.locator(".kns-leave-ask")).to_contain_text("Rời lớp Lớp Bản Hua?")
    assert page.evaluate("localStorage.getItem('kns:v1:class')") is not None
    page.locator("button.kns-leave-no").click()
    assert page.evaluate("localStorage.getItem('kns:v1:class')") is not None
    page.locator("button.kns-leave").click()
    page.locator("button.kns-leave-yes").click()
    expect(page.locator("form.kns-join-form")).to_be_visible()
    assert page.evaluate("localStorage.getItem('kns:v1:class')") is None


def test_passport_follows_a_second_link_and_refuses_made_up_ones(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}/ho-chieu/#p=1~Lo%20Van%20A~{LESSON}.6.6.20261120")
    expect(page.locator(".kns-passport-name")).to_contain_text("Lo Van A")
    page.evaluate(f"location.hash = 'p=1~Lo%20Thi%20B~{LESSON}.5.6.20261121'")
    expect(page.locator(".kns-passport-name")).to_contain_text("Lo Thi B")
    for bad in (f"{LESSON}.99.5.20261120", "no-such-lesson.6.6.20261120"):
        page.evaluate(f"location.hash = 'p=1~C~{bad}'")
        expect(page.locator("#kns-passport [role=alert]")).to_have_text(
            "Đường dẫn này bị hỏng hoặc không đầy đủ."
        )


def test_small_things_404_back_to_top_topic_link(page: Page, site_url: str) -> None:
    response = page.goto(f"{site_url}/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang này")
    expect(page.locator("[lang=en] h2")).to_have_text("Page not found")
    homes = page.locator(".kns-not-found a").evaluate_all("links => links.map(a => a.href)")
    assert [urlparse(h).path for h in homes] == ["/", "/en/"]

    page.goto(f"{site_url}/lessons/{LESSON}/")
    box = page.locator(".kns-meta a").first.bounding_box()
    assert box is not None and box["height"] >= 48, box
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(200)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(300)
    expect(page.locator(".md-top")).to_have_count(0)


def test_one_lesson_is_not_lessons(project: Path) -> None:
    home = site_pages(load_project(project))["en/index.md"]
    assert "1 lesson<" in home and "1 lessons" not in home


@pytest.fixture
def plain_http_page(playwright: Playwright, site_url: str):
    """A phone reaching the class laptop by name over plain http (not a secure context)."""
    port = urlparse(site_url).port
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--host-resolver-rules=MAP class.test 127.0.0.1"],
    )
    page = browser.new_page(viewport=PHONE)
    yield page, f"http://class.test:{port}"
    browser.close()


def test_plain_http_class_server_says_there_is_no_offline_pack(plain_http_page) -> None:
    page, url = plain_http_page
    page.goto(f"{url}/lessons/{LESSON}/")
    assert page.evaluate("window.isSecureContext") is False
    expect(page.locator(".kns-offline")).to_contain_text(
        "Máy chủ lớp học không hỗ trợ lưu để học khi không có mạng"
    )
