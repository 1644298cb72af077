"""The progress report: a notebook executed against a class store filled through the class-mode
API, exported as one self-contained HTML file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from classmode import Server, request

from kynangso.catalog import load_catalog, write_catalog
from kynangso.classroom import database, store
from kynangso.classroom.figures import counted_day, report_data, store_report_data
from kynangso.classroom.report import ReportError, _percent_cells, write_report
from kynangso.classroom.reportpage import summary_sentence
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project

LESSON = "sample-lesson"  # two questions, pass mark 1
CLASS_NAME = "Lớp Bản Hua <b>"
OTHER_CLASS = "Lớp Nà Tăm"
LOADS_ELSEWHERE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE
)


@pytest.fixture
def class_store(
    project: Path, tmp_path: Path, db_target: database.Target
) -> tuple[database.Target, str, Path]:
    """Two classes filled through the real server's API: in the first, four learners join and
    three of them send five completions (one twice); in the second, one learner sends one.
    Returns (store, code of the first class, site folder with catalog.json); once on SQLite,
    once on PostgreSQL."""
    site = tmp_path / "site"
    site.mkdir()
    write_catalog(site_catalog(load_project(project)), site)
    db = db_target
    connection = store.connect(db)
    code = store.create_class(connection, CLASS_NAME, "2468")
    other = store.create_class(connection, OTHER_CLASS, "1357")
    connection.close()

    server = Server(site, db).start()
    try:

        def join(class_code: str, name: str) -> str:
            status, body = request(
                f"{server.url}/api/v1/classes/{class_code}/learners", {"name": name}
            )
            assert status == 201, body
            return str(body["learner_id"])

        def complete(
            class_code: str,
            learner: str,
            answers: list[bool],
            when: str,
            attempt: str | None = None,
        ) -> None:
            body = {
                "id": attempt or str(uuid.uuid4()),
                "class_code": class_code,
                "learner_id": learner,
                "lesson": LESSON,
                "lang": "vi",
                "score": sum(answers),
                "total": 2,
                "passed": sum(answers) >= 1,
                "answered_at": when,
                "answers": answers,
            }
            status, reply = request(f"{server.url}/api/v1/completions", body)
            assert status in (200, 201), reply

        a, b, c = join(code, "Lò Văn A"), join(code, "Lò Thị B"), join(code, "Quàng Văn C")
        join(code, "Cà Thị D")  # joins, never takes a quiz
        complete(code, a, [True, True], "2026-11-10T02:00:00Z", attempt="retry-me")
        complete(
            code, a, [True, True], "2026-11-10T02:00:00Z", attempt="retry-me"
        )  # a retry, counted once
        complete(code, b, [False, False], "2026-11-10T03:00:00Z")
        complete(code, b, [False, True], "2026-11-11T03:00:00Z")
        complete(code, c, [False, True], "2026-11-12T20:30:00Z")  # 13/11 in Vietnam
        complete(other, join(other, "Lường Văn E"), [True, False], "2026-11-20T01:00:00Z")
    finally:
        server.stop()
    return db, code, site


def rows_of(db: database.Target, code: str | None) -> tuple[list, list, list]:
    connection = store.connect(db)
    classes = [
        dict(r)
        for r in connection.execute("SELECT code, name FROM classes ORDER BY created_at, code")
    ]
    if code:
        classes = [c for c in classes if c["code"] == code]
        people = store.learners(connection, code)
    else:
        people = [dict(r) for r in connection.execute("SELECT id FROM learners")]
    rows = store.completions(connection, code)
    connection.close()
    return classes, people, rows


def test_report_on_a_store_filled_through_the_api(
    class_store: tuple[database.Target, str, Path], tmp_path: Path
) -> None:
    db, code, site = class_store
    out = tmp_path / "report" / "report.html"
    write_report(db, out, code, site)
    page = out.read_text(encoding="utf-8")
    assert (
        "Lớp Bản Hua &lt;b&gt;" in page and CLASS_NAME not in page
    )  # a name is text, never markup
    assert OTHER_CLASS not in page
    assert re.search(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{500,}"', page)  # a chart
    assert page.count('class="kns-chart"') == 2
    assert "Số liệu cho báo cáo của xã" in page and "Câu hỏi khó nhất" in page
    assert "có 4 người tham gia; 3 người đã làm câu đố, 3 người đạt ít nhất một bài" in page
    assert "Tổng cộng 4 lượt làm câu đố, 3 lượt đạt (tỉ lệ đạt 75%)" in page
    assert "Bước đầu là gì?" in page and "Bài mẫu" in page  # question and lesson from the catalog
    assert "Lò Văn A" not in page and "Lò Thị B" not in page  # counts only, never names
    assert "<script" not in page and not LOADS_ELSEWHERE.search(page)
    assert "Traceback" not in page and "Error" not in page
    assert "s3cret" not in page  # a PostgreSQL URL's password stays out of the report


def test_report_for_every_class_without_a_site(
    class_store: tuple[database.Target, str, Path], tmp_path: Path
) -> None:
    db, _, _ = class_store
    out = tmp_path / "all.html"
    write_report(db, out, None, None)
    page = out.read_text(encoding="utf-8")
    assert "Lớp Bản Hua &lt;b&gt;" in page and OTHER_CLASS in page
    assert "Tổng cộng 5 lượt làm câu đố, 4 lượt đạt (tỉ lệ đạt 80%)" in page
    assert "sample-lesson" in page and "No lesson catalog" in page


def test_report_refuses_what_it_cannot_read(
    class_store: tuple[database.Target, str, Path], tmp_path: Path
) -> None:
    db, code, site = class_store
    with pytest.raises(ReportError, match="no class store"):
        write_report(tmp_path / "missing.db", tmp_path / "r.html", None, None)
    with pytest.raises(ReportError, match="no class with the code 'ZZZZZZ'"):
        write_report(db, tmp_path / "r.html", "ZZZZZZ", site)
    with pytest.raises(ReportError, match="catalog.json is missing"):
        write_report(db, tmp_path / "r.html", code, tmp_path / "nowhere")
    not_a_store = tmp_path / "notes.db"
    not_a_store.write_text("these are not the tables you are looking for " * 20)
    with pytest.raises(ReportError, match="not a class store"):
        write_report(not_a_store, tmp_path / "r.html", None, None)
    assert not (tmp_path / "r.html").exists()


def test_report_numbers(class_store: tuple[database.Target, str, Path]) -> None:
    db, code, site = class_store
    data = report_data(*rows_of(db, code), load_catalog(site))
    connection = store.connect(db)
    counted_by_sql = store_report_data(connection, code, load_catalog(site))
    connection.close()
    # The same numbers counted by the database (its class rows also carry `created_at`).
    assert dataclasses.replace(counted_by_sql, classes=data.classes) == data
    assert data.counts == {
        "classes": 1,
        "joined": 4,
        "active": 3,
        "passed_any": 3,
        "attempts": 4,
        "passes": 3,
        "lessons_passed": 3,
        "pass_rate": 75,
    }
    assert data.first_day == dt.date(2026, 11, 10) and data.last_day == dt.date(2026, 11, 13)
    assert data.per_day == [
        (dt.date(2026, 11, 10), 2, 1),
        (dt.date(2026, 11, 11), 1, 1),
        (dt.date(2026, 11, 12), 0, 0),
        (dt.date(2026, 11, 13), 1, 1),
    ]
    assert [
        (row["title"], row["attempts"], row["pass_rate"], row["learners_passed"])
        for row in data.per_lesson
    ] == [("Bài mẫu", 4, 75, 3)]
    assert [(row["id"], row["learners_passed"]) for row in data.per_topic] == [("e-id", 3)]
    assert [(q.number, q.percent, q.tries) for q in data.hardest] == [(1, 25, 4), (2, 75, 4)]
    assert data.hardest[0].prompt == "Bước đầu là gì?"
    assert "Từ ngày 10/11/2026 đến ngày 13/11/2026" in summary_sentence(data)


def test_empty_class_has_no_days_and_no_division_by_zero() -> None:
    data = report_data([{"code": "ABCDEF", "name": "Lớp mới"}], [], [], None)
    assert data.counts["pass_rate"] == 0 and data.per_day == [] and data.hardest == []
    assert "Từ ngày — đến ngày —" in summary_sentence(data)


def test_the_report_counts_days_by_the_store_rule() -> None:
    """A row read from an old store (no `day` column) gets its day from `store.completion_day`:
    Vietnam time, like the dashboard and the CSV."""
    received = "2026-11-13T00:00:00+00:00"
    for moment, day in (
        ("2026-11-12T16:59:59+00:00", dt.date(2026, 11, 12)),
        ("2026-11-12T17:00:00+00:00", dt.date(2026, 11, 13)),
    ):
        assert counted_day({"answered_at": moment, "received_at": received}) == day


def test_notebook_cells_from_the_percent_format() -> None:
    text = (
        "# a comment before any cell\n# %%\nx = 1\n\n# %% [markdown]\n# # Title\n# text\n\n# %%\n\n"
    )
    assert _percent_cells(text) == [("code", "x = 1"), ("markdown", "# Title\ntext")]


def test_a_wrong_phone_clock_counts_on_the_day_of_receipt() -> None:
    received = "2026-11-20T03:00:00+00:00"
    rows = [
        {
            "learner_id": "a",
            "lesson": "x",
            "passed": 1,
            "answered_at": when,
            "received_at": received,
        }
        for when in (
            "2026-11-19T20:00:00+00:00",
            "1970-01-01T00:00:00+00:00",
            "2099-01-01T00:00:00Z",
        )
    ]
    data = report_data([{"code": "ABCDEF", "name": "Lớp"}], [{"id": "a"}], rows, None)
    assert data.first_day == dt.date(2026, 11, 20) == data.last_day  # 19/11 20:00 UTC is 20/11
    assert data.per_day == [(dt.date(2026, 11, 20), 3, 3)]


def test_report_on_a_postgres_database_without_a_store(postgres_url: str, tmp_path: Path) -> None:
    """An empty database is refused with one line, and its password is never in it."""
    with pytest.raises(ReportError, match="not a class store") as refused:
        write_report(postgres_url, tmp_path / "r.html", None, None)
    assert "s3cret" not in str(refused.value)
    assert not (tmp_path / "r.html").exists()
