"""A resident taking a quiz in the browser: shared by the phone, class-mode and damaged-storage tests."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

LESSON = "vneid-activate"
OTHER_LESSON = "vietqr-pay"


def quiz_data(page: Page) -> dict:
    return json.loads(page.locator("script.kns-quiz-data").text_content() or "{}")


def answer(page: Page, index: int, choices: list[int]) -> None:
    """Pick `choices` for question `index` (from 0), check it and go on."""
    fieldset = page.locator(f"fieldset#q{index + 1}")
    expect(fieldset).to_be_visible()
    for choice in choices:
        fieldset.locator("label.kns-choice").nth(choice).click()
    page.locator("button.kns-check").click()
    expect(page.locator(".kns-feedback .kns-verdict")).to_be_visible()
    # a tap on "Câu tiếp theo" within 500 ms of the check is taken for a double tap and ignored
    page.wait_for_timeout(520)
    page.locator("button.kns-next").click()


def take_quiz(page: Page, right: int | None = None) -> dict:
    """Answer every question; the first `right` correctly (all when None), the rest wrongly."""
    data = quiz_data(page)
    for i, question in enumerate(data["questions"]):
        correct = question["correct"]
        if right is None or i < right:
            answer(page, i, correct)
        else:
            wrong = next(k for k in range(len(question["explanations"])) if k not in correct)
            answer(page, i, [wrong])
    expect(page.locator(".kns-result")).to_be_visible()
    return data


def stored_attempts(page: Page) -> list[dict]:
    return json.loads(page.evaluate("localStorage.getItem('kns:v1:attempts') || '[]'"))


def page_errors(page: Page) -> list[str]:
    """Every uncaught script error on `page` from now on (the list fills as they happen)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
