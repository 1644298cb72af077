"""A phone in a class: join with the class code, and the outbox that delivers completions made
offline exactly once when the class Wi-Fi is back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from classmode import Server
from playwright.sync_api import BrowserContext, Page, expect
from test_phone import LESSON, OTHER_LESSON, take_quiz

from kynangso import store


@pytest.fixture
def classroom(real_site: Path, tmp_path: Path) -> Iterator[tuple[Server, str, Path]]:
    """The class-mode server with one class; yields the server, the class code and the store."""
    db = tmp_path / "class.db"
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp Bản Hua", "2468")
    connection.close()
    server = Server(real_site, db).start()
    yield server, code, db
    server.stop()


def outbox(page: Page) -> list[dict]:
    return json.loads(page.evaluate("localStorage.getItem('kns:v1:outbox') || '[]'"))


def join(page: Page, url: str, code: str, name: str) -> None:
    page.goto(f"{url}/tham-gia-lop/#{code}")
    expect(page.locator("#kns-class-code")).to_have_value(code)
    page.locator("#kns-learner-name").fill(name)
    page.locator(".kns-join-form button[type=submit]").click()
    expect(page.locator(".kns-joined")).to_contain_text(f"Lớp Bản Hua (mã {code}) với tên {name}")


def test_join_with_a_wrong_code_says_so(page: Page, classroom: tuple[Server, str, Path]) -> None:
    server, _, _ = classroom
    page.goto(f"{server.url}/tham-gia-lop/")
    page.locator("#kns-class-code").fill("ZZZZZZ")
    page.locator("#kns-learner-name").fill("Lò Văn A")
    page.locator(".kns-join-form button[type=submit]").click()
    expect(page.locator(".kns-join-message")).to_have_text(
        "Không tìm thấy lớp có mã này. Hãy hỏi lại người hướng dẫn."
    )


def test_completion_reaches_the_class_store(
    page: Page, classroom: tuple[Server, str, Path]
) -> None:
    server, code, db = classroom
    join(page, server.url, code, "Lò Thị B")
    page.goto(f"{server.url}/lessons/{LESSON}/")
    take_quiz(page)
    page.wait_for_function("!JSON.parse(localStorage.getItem('kns:v1:outbox') || '[]').length")
    [row] = store.completions(store.connect(db), code)
    assert row["lesson"] == LESSON and row["learner_name"] == "Lò Thị B" and row["passed"] == 1
    assert row["answers"] == "1" * row["total"]


def test_outbox_delivers_after_going_back_online_exactly_once(
    context: BrowserContext, classroom: tuple[Server, str, Path]
) -> None:
    server, code, db = classroom
    page = context.new_page()
    join(page, server.url, code, "Lò Văn C")
    page.goto(f"{server.url}/lessons/{LESSON}/")
    expect(page.locator(".kns-offline")).to_contain_text("Đã lưu", timeout=30_000)
    context.set_offline(True)
    take_quiz(page)
    page.goto(f"{server.url}/lessons/{OTHER_LESSON}/")
    take_quiz(page, right=0)
    waiting = outbox(page)
    assert [item["lesson"] for item in waiting] == [LESSON, OTHER_LESSON]
    assert store.completions(store.connect(db), code) == []
    # the same completion queued twice (a retry after a lost answer) is still counted once
    queued = json.dumps(waiting + waiting[:1])
    page.evaluate(f"localStorage.setItem('kns:v1:outbox', JSON.stringify({queued}))")
    page.goto(f"{server.url}/tham-gia-lop/")
    expect(page.locator(".kns-pending")).to_have_text("3 kết quả đang chờ gửi cho người hướng dẫn.")
    context.set_offline(False)
    expect(page.locator(".kns-pending")).to_have_text(
        "Mọi kết quả đã được gửi cho người hướng dẫn.", timeout=30_000
    )
    rows = store.completions(store.connect(db), code)
    assert sorted(row["lesson"] for row in rows) == sorted([LESSON, OTHER_LESSON])
    assert {row["id"] for row in rows} == {item["id"] for item in waiting}
