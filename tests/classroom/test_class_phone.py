"""A phone in a class: join with the class code, and the outbox that delivers completions made
offline exactly once when the class Wi-Fi is back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from classmode import Server
from playwright.sync_api import BrowserContext, Page, expect
from quiz import LESSON, OTHER_LESSON, take_quiz

from kynangso.classroom import store


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
    page.evaluate(
        "items => localStorage.setItem('kns:v1:outbox', JSON.stringify(items))",
        waiting + waiting[:1],
    )
    page.goto(f"{server.url}/tham-gia-lop/")
    expect(page.locator(".kns-pending")).to_have_text("3 kết quả đang chờ gửi cho người hướng dẫn.")
    context.set_offline(False)
    expect(page.locator(".kns-pending")).to_have_text(
        "Mọi kết quả đã được gửi cho người hướng dẫn.", timeout=30_000
    )
    rows = store.completions(store.connect(db), code)
    assert sorted(row["lesson"] for row in rows) == sorted([LESSON, OTHER_LESSON])
    assert {row["id"] for row in rows} == {item["id"] for item in waiting}


def restart_on(server: Server, db: Path) -> Server:
    """The laptop restarted with another store, at the same address (the phone's same origin)."""
    server.stop()
    again = Server(server.site, db)
    again.port, again.url = server.port, server.url
    return again.start()


def refused(page: Page) -> list[dict[str, Any]]:
    kept = page.evaluate("localStorage.getItem('kns:v1:outbox-refused') || '[]'")
    return cast(list[dict[str, Any]], json.loads(kept))


def test_unknown_class_keeps_the_result_waiting_until_the_class_is_back(
    page: Page, classroom: tuple[Server, str, Path], tmp_path: Path
) -> None:
    server, code, db = classroom
    join(page, server.url, code, "Lò Văn D")
    empty = restart_on(server, tmp_path / "empty.db")
    try:
        page.goto(f"{server.url}/lessons/{LESSON}/")
        take_quiz(page)
        page.goto(f"{server.url}/tham-gia-lop/")
        expect(page.locator(".kns-why")).to_contain_text("không nhận ra lớp", timeout=15_000)
        expect(page.locator(".kns-pending")).to_have_text(
            "1 kết quả đang chờ gửi cho người hướng dẫn."
        )
        assert len(outbox(page)) == 1 and refused(page) == []
    finally:
        empty.stop()
    back = restart_on(empty, db)
    try:
        page.reload()
        expect(page.locator(".kns-pending")).to_have_text(
            "Mọi kết quả đã được gửi cho người hướng dẫn.", timeout=15_000
        )
        [row] = store.completions(store.connect(db), code)
        assert row["lesson"] == LESSON and row["learner_name"] == "Lò Văn D"
    finally:
        back.stop()


def test_a_result_set_aside_by_an_earlier_version_for_an_unknown_class_is_sent(
    page: Page, classroom: tuple[Server, str, Path]
) -> None:
    server, code, db = classroom
    join(page, server.url, code, "Lò Văn E")
    page.goto(f"{server.url}/lessons/{LESSON}/")
    take_quiz(page)
    page.wait_for_function("!JSON.parse(localStorage.getItem('kns:v1:outbox') || '[]').length")
    [row] = store.completions(store.connect(db), code)
    item = {k: row[k] for k in ("class_code", "learner_id", "lesson", "lang", "score", "total")}
    item |= {"id": "0f0e0d0c-old-404", "passed": True, "answered_at": row["answered_at"]}
    page.evaluate(
        "r => localStorage.setItem('kns:v1:outbox-refused', JSON.stringify(r))",
        [{"item": item, "status": 404}],
    )
    page.goto(f"{server.url}/tham-gia-lop/")
    expect(page.locator(".kns-pending")).to_have_text(
        "Mọi kết quả đã được gửi cho người hướng dẫn.", timeout=15_000
    )
    assert refused(page) == []
    assert {r["id"] for r in store.completions(store.connect(db), code)} == {row["id"], item["id"]}


def test_an_invalid_result_is_kept_shown_and_exported(
    page: Page, classroom: tuple[Server, str, Path], tmp_path: Path
) -> None:
    server, code, _ = classroom
    join(page, server.url, code, "Lò Thị G")
    learner = json.loads(page.evaluate("localStorage.getItem('kns:v1:class')"))["learner_id"]
    base = {"class_code": code, "lang": "vi", "score": 1, "total": 6, "passed": False}
    base["answered_at"] = "2026-11-20T08:00:00.000Z"
    invalid = {**base, "id": "bad-lesson-1", "learner_id": learner, "lesson": "no-such-lesson"}
    stranger = {**base, "id": "stranger-1", "learner_id": "nobody-here", "lesson": LESSON}
    page.evaluate(
        "items => localStorage.setItem('kns:v1:outbox', JSON.stringify(items))", [invalid, stranger]
    )
    page.goto(f"{server.url}/tham-gia-lop/")
    expect(page.locator(".kns-refused")).to_contain_text("1 kết quả bị máy của lớp từ chối")
    expect(page.locator(".kns-pending")).to_have_text("1 kết quả đang chờ gửi cho người hướng dẫn.")
    expect(page.locator(".kns-why")).to_contain_text("không nhận ra lớp")
    assert [r["item"]["id"] for r in refused(page)] == ["bad-lesson-1"]
    assert refused(page)[0]["status"] == 422
    assert [item["id"] for item in outbox(page)] == ["stranger-1"]
    page.locator("button.kns-resend").click()  # "Gửi lại": tried again, refused again, still kept
    expect(page.locator(".kns-refused")).to_contain_text("1 kết quả bị máy của lớp từ chối")
    page.wait_for_function(
        "(localStorage.getItem('kns:v1:outbox-refused') || '').includes('bad-lesson-1')"
    )
    assert [r["item"]["id"] for r in refused(page)] == ["bad-lesson-1"]
    assert [item["id"] for item in outbox(page)] == ["stranger-1"]

    page.goto(f"{server.url}/tien-do/")
    expect(page.locator(".kns-class-results .kns-waiting")).to_contain_text("1 kết quả chưa gửi")
    expect(page.locator(".kns-class-results .kns-refused")).to_contain_text("1 kết quả bị")
    with page.expect_download() as download:
        page.locator("button.kns-export").click()
    saved = tmp_path / "progress.json"
    download.value.save_as(saved)
    payload = json.loads(saved.read_text(encoding="utf-8"))
    assert [item["id"] for item in payload["waiting"]] == ["stranger-1"]
    assert [r["item"]["id"] for r in payload["refused"]] == ["bad-lesson-1"]

    # on a new phone the file brings them along, still waiting and still kept aside
    fresh = page.context.browser.new_context()  # type: ignore[union-attr]
    other = fresh.new_page()
    other.goto(f"{server.url}/tien-do/")
    other.locator("#kns-import-file").set_input_files(str(saved))
    expect(other.locator("#kns-import-message")).to_contain_text("Đã thêm 0 kết quả mới")
    assert [item["id"] for item in outbox(other)] == ["stranger-1"]
    assert [r["item"]["id"] for r in refused(other)] == ["bad-lesson-1"]
    fresh.close()


def test_a_damaged_outbox_does_not_block_later_results(
    page: Page, classroom: tuple[Server, str, Path]
) -> None:
    server, code, db = classroom
    join(page, server.url, code, "Lò Văn H")
    page.evaluate("localStorage.setItem('kns:v1:outbox', '[null]')")
    page.goto(f"{server.url}/lessons/{LESSON}/")
    take_quiz(page)
    page.wait_for_function("!JSON.parse(localStorage.getItem('kns:v1:outbox') || '[]').length")
    [row] = store.completions(store.connect(db), code)
    assert row["lesson"] == LESSON
    kept = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('kns:v1:set-aside:')).map(k => localStorage.getItem(k))"
    )
    assert kept == ["[null]"]


@pytest.mark.parametrize(
    ("path", "kept", "refusal"),
    [
        (
            "/tham-gia-lop/",
            "Máy của lớp giữ: tên bạn nhập, lớp, kết quả câu đố và giờ làm.",
            "Đừng nhập số CCCD hay số điện thoại. Hãy nhập tên gọi hoặc biệt danh.",
        ),
        (
            "/en/join-class/",
            "The class laptop keeps: the name you type, the class, your quiz results and their times.",
            "Do not type an ID or phone number. Type a name or nickname instead.",
        ),
    ],
)
def test_the_join_page_says_what_is_kept_and_refuses_a_phone_number(
    page: Page, classroom: tuple[Server, str, Path], path: str, kept: str, refusal: str
) -> None:
    """On a 360×740 phone the note on what the class keeps sits under the name field, in view
    with it; a phone number typed as the name is refused beside the field and stored nowhere."""
    server, code, db = classroom
    page.goto(f"{server.url}{path}#{code}")
    name = page.locator("#kns-learner-name")
    note = page.locator("#kns-privacy")
    name.scroll_into_view_if_needed()
    expect(note).to_contain_text(kept)
    expect(note.locator("li")).to_have_count(4)
    expect(note).to_be_in_viewport()
    field, under = name.bounding_box(), note.bounding_box()
    assert field is not None and under is not None
    assert 0 <= under["y"] - (field["y"] + field["height"]) < 60
    assert "kns-privacy" in (name.get_attribute("aria-describedby") or "")
    name.fill("0912 345 678")
    page.locator(".kns-join-form button[type=submit]").click()
    expect(page.locator("#kns-name-problem")).to_have_text(refusal)
    expect(name).to_have_attribute("aria-invalid", "true")
    assert store.counts(store.reader(db))["learners"] == 0
    assert page.evaluate("localStorage.getItem('kns:v1:class')") is None
