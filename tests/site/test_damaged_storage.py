"""Every value the phone keeps in `localStorage` replaced by random JSON of the wrong shape: the
lesson, quiz, progress, passport and join pages must still work, with no script error.

The values are made from a fixed seed, so a failure is repeated by running the same seed again.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from quiz import LESSON, OTHER_LESSON, page_errors, quiz_data, stored_attempts, take_quiz

ATTEMPT = {
    "id": "5b0e1c7a-3f7e-4a51-9d2b-0c1f0a6e2b11",
    "lesson": LESSON,
    "lang": "vi",
    "score": 6,
    "total": 6,
    "passed": True,
    "answered_at": "2026-11-20T08:00:00.000Z",
}
COMPLETION = {**ATTEMPT, "class_code": "ABC234", "learner_id": "learner-1", "answers": [True] * 6}

# What this version writes under each key; the values tried are these, bent out of shape.
SHAPES: dict[str, Any] = {
    "kns:v1:attempts": [ATTEMPT],
    f"kns:v1:draft:{LESSON}": {
        "current": 1,
        "answers": {"0": [0], "1": [1]},
        "checked": {"0": True},
        "attempt": "a1",
    },
    f"kns:v1:draft:{OTHER_LESSON}": {"current": 0, "answers": {}, "checked": {}},
    "kns:v1:class": {
        "code": "ABC234",
        "class_name": "Lớp Bản Hua",
        "learner_id": "learner-1",
        "name": "Lò Văn A",
        "joined_at": "2026-11-20T08:00:00.000Z",
    },
    "kns:v1:outbox": [COMPLETION],
    "kns:v1:outbox-refused": [{"item": COMPLETION, "status": 422}],
    "kns:v1:name": "Lò Văn A",
    "kns:v1:offline-wanted:vi": True,
    "kns:v1:offline-wanted:en": True,
}


def scalar(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            True,
            False,
            0,
            -1,
            7,
            2.5,
            1e308,
            "",
            "x",
            "ABC234",
            "2026-13-45",
            "ß" * rng.randint(50, 6000),
            "constructor",
        ]
    )


def anything(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value, nested a little."""
    kind = rng.randrange(4 if depth < 3 else 1)
    if kind == 1:
        return [anything(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == 2:
        keys = [
            "id",
            "current",
            "answers",
            "checked",
            "0",
            "1",
            "item",
            "status",
            "code",
            "__proto__",
        ]
        return {rng.choice(keys): anything(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if kind == 3:
        return [None]
    return scalar(rng)


def bend(rng: random.Random, value: Any, depth: int = 0) -> Any:
    """`value` with some parts dropped, retyped or replaced, or something else entirely."""
    if depth > 3 or rng.random() < 0.25 or value in ({}, []):
        return anything(rng)
    if isinstance(value, dict):
        bent = copy.deepcopy(value)
        for key in rng.sample(sorted(bent), k=rng.randint(1, len(bent))):
            if rng.random() < 0.3:
                del bent[key]
            else:
                bent[key] = bend(rng, bent[key], depth + 1)
        return bent
    if isinstance(value, list):
        return [bend(rng, item, depth + 1) for item in value] + [
            anything(rng) for _ in range(rng.randint(0, 2))
        ]
    return anything(rng)


def damaged_store(seed: int) -> dict[str, str]:
    """Raw text for every key; a few are not JSON at all."""
    rng = random.Random(seed)
    values = {}
    for key, shape in SHAPES.items():
        values[key] = "{broken" if rng.random() < 0.1 else json.dumps(bend(rng, shape))
    return values


def finish_quiz(page: Page) -> None:
    """Answer from wherever the quiz stands (a kept draft may have moved it on) to the result."""
    data = quiz_data(page)
    for _ in range(2 * len(data["questions"]) + 1):
        if page.locator(".kns-result").is_visible():
            return
        if page.locator("button.kns-next").is_visible():
            page.wait_for_timeout(520)  # a tap within 500 ms of the check is ignored
            page.locator("button.kns-next").click()
            continue
        current = int((page.locator(".kns-count").text_content() or "").split()[-1].split("/")[0])
        fieldset = page.locator(f"fieldset#q{current}")
        for choice in data["questions"][current - 1]["correct"]:
            fieldset.locator("label.kns-choice").nth(choice).click()
        page.locator("button.kns-check").click()
        expect(page.locator(".kns-feedback .kns-verdict")).to_be_visible()
    expect(page.locator(".kns-result")).to_be_visible()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_pages_work_whatever_the_local_store_holds(page: Page, site_url: str, seed: int) -> None:
    errors = page_errors(page)
    page.goto(f"{site_url}/")
    page.evaluate(
        "values => Object.entries(values).forEach(([k, v]) => localStorage.setItem(k, v))",
        damaged_store(seed),
    )

    page.goto(f"{site_url}/lessons/{LESSON}/")
    expect(page.locator(".kns-count")).to_be_visible()
    before = len(stored_attempts(page))
    finish_quiz(page)
    assert len(stored_attempts(page)) == before + 1
    page.locator("button.kns-retry").click()
    take_quiz(page)  # a passed lesson for the passport
    assert len(stored_attempts(page)) == before + 2

    page.goto(f"{site_url}/tien-do/")
    expect(page.locator("#kns-progress .kns-overview")).to_be_visible()
    expect(page.locator("#kns-progress li.kns-state--passed").first).to_be_visible()
    page.goto(f"{site_url}/ho-chieu/")
    expect(page.locator(".kns-qr svg")).to_be_visible()
    page.goto(f"{site_url}/tham-gia-lop/")
    expect(page.locator("#kns-join .kns-join-form, #kns-join .kns-joined").first).to_be_visible()
    page.goto(f"{site_url}/en/progress/")
    expect(page.locator("#kns-progress .kns-overview")).to_be_visible()
    assert errors == []
