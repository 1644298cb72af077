"""The figures shared by the coach dashboard and the progress report: one rule for the hardest
questions, so the two pages never disagree about the same class."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from kynangso.catalog import Catalog, LessonEntry, TopicEntry, Words
from kynangso.classroom import database, figures, roster, store
from kynangso.classroom.coach import dashboard_data
from kynangso.classroom.figures import (
    HardQuestion,
    ReportData,
    hardest_questions,
    report_data,
    store_report_data,
)
from kynangso.site.render import site_catalog
from kynangso.sources.validate import load_project


def _class_with_answers(db: Path) -> str:
    """One class whose completions include marks that do not fit the quiz as built: a lesson
    this build no longer has, and the sample lesson with one mark instead of two."""
    connection = store.connect(db)
    code = store.create_class(connection, "Lớp A", "2468")
    learner = store.add_learner(connection, code, "Lò Văn A")
    sent = [
        ("sample-lesson", [True, False]),
        ("sample-lesson", [False, False]),
        ("sample-lesson", [True]),
        ("gone-lesson", [False, False, False]),
    ]
    for number, (lesson, answers) in enumerate(sent):
        completion = store.Completion(
            id=f"a{number}",
            class_code=code,
            learner_id=learner,
            lesson=lesson,
            lang="vi",
            score=sum(answers),
            total=len(answers),
            passed=sum(answers) >= 1,
            answered_at="2026-11-25T10:00:00+00:00",
            answers=answers,
        )
        store.add_completion(connection, completion)
    connection.commit()
    connection.close()
    return code


def test_dashboard_and_report_show_the_same_hardest_questions(
    project: Path, tmp_path: Path
) -> None:
    catalog = site_catalog(load_project(project))
    db = tmp_path / "class.db"
    code = _class_with_answers(db)
    connection = store.connect(db)
    on_dashboard = dashboard_data(connection, code, catalog)["hardest"]
    in_report = report_data(
        store.classes(connection, code),
        store.learners(connection, code),
        store.completions(connection, code),
        catalog,
    ).hardest
    counted_by_sql = store_report_data(connection, code, catalog).hardest
    connection.close()
    assert (
        on_dashboard
        == in_report
        == counted_by_sql
        == [
            HardQuestion("Bài mẫu", 2, in_report[0].prompt, 2, 0),
            HardQuestion("Bài mẫu", 1, "Bước đầu là gì?", 2, 50),
        ]
    )


def test_without_a_catalog_every_mark_counts_under_the_lesson_id() -> None:
    groups = [("gone-lesson", "001", 2), ("sample-lesson", "1", 1)]
    assert [
        (q.lesson, q.number, q.prompt, q.tries, q.percent) for q in hardest_questions(groups, None)
    ] == [
        ("gone-lesson", 1, "", 2, 0),
        ("gone-lesson", 2, "", 2, 0),
        ("gone-lesson", 3, "", 2, 100),
        ("sample-lesson", 1, "", 1, 100),
    ]


# --- counted by the database -----------------------------------------------------------------

LESSONS = {"sample-lesson": ("e-id", 2), "vneid-activate": ("e-id", 3), "scam-calls": ("safety", 4)}
OFF_CATALOG = "gone-lesson"  # in the store, not in this build


def _catalog() -> Catalog:
    """Three lessons in two topics (2, 3 and 4 questions), and a topic with no lesson tried."""
    words = Words(vi="?", en="?")
    return Catalog(
        topics={t: TopicEntry(title=Words(vi=t, en=t)) for t in ("e-id", "safety", "money")},
        lessons={
            lesson: LessonEntry(
                topic=topic,
                title=Words(vi=lesson, en=lesson),
                questions=[Words(vi=f"{lesson} {i}", en="") for i in range(size)],
                pass_mark=1,
            )
            for lesson, (topic, size) in LESSONS.items()
        }
        | {"unused": LessonEntry(topic="money", title=words, questions=[words], pass_mark=1)},
    )


def _fill(where: database.Target, completions: int, *, seed: int = 1, first: int = 0) -> list[str]:
    """A store of three classes whose learners send `completions` results across lessons on
    and off the catalog, 40 days, marks of the right and of a wrong length, none, and a few
    results whose times cannot be read; some learners are merged into others (one person).
    Filled by plain INSERTs (what a sync or merge also writes), fast enough for thousands.
    Run again with `first` past the last id, it adds results over the same groups."""
    rnd = random.Random(seed)
    connection = store.connect(where)
    if first == 0:
        for number in range(3):
            code = store.create_class(connection, f"Lớp {number}", "2468")
            for person in range(8):
                learner = store.add_learner(connection, code, f"Người {person}")
                if person % 4 == 3:  # the same resident again, from another browser
                    roster.merge_learners(
                        connection, learner, store.add_learner(connection, code, "x")
                    )
    learners = [
        (row["class_code"], row["id"])
        for row in connection.execute("SELECT class_code, id FROM learners ORDER BY id")
    ]
    rows = []
    for number in range(first, first + completions):
        code, learner = rnd.choice(learners)
        lesson = rnd.choice([*LESSONS, OFF_CATALOG])
        size = LESSONS.get(lesson, ("", 3))[1] + (rnd.random() < 0.1)  # some do not fit
        marks = "".join(rnd.choice("01") for _ in range(size))
        answers = rnd.choice([marks] * 8 + [None, ""])
        when = dt.datetime(2026, 10, 1, tzinfo=dt.UTC) + dt.timedelta(hours=rnd.randrange(40 * 24))
        answered = received = when.isoformat(timespec="seconds")
        if number % 500 == 7:  # a clock that cannot be read: no day stored
            answered, received = "not a time", "still not a time"
        rows.append(
            (
                f"c{number:06d}",
                code,
                learner,
                lesson,
                "vi",
                marks.count("1"),
                size,
                int(marks.count("1") * 2 >= size),
                answered,
                received,
                answers,
                store.completion_day(answered, received),
            )
        )
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO completions (id, class_code, learner_id, lesson, lang, score, total, passed,"
        " answered_at, received_at, answers, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("COMMIT")
    codes = [row["code"] for row in connection.execute("SELECT code FROM classes ORDER BY code")]
    connection.close()
    return codes


def _python_count(
    where: database.Target, code: str | None, catalog: Catalog | None
) -> dict[str, Any]:
    """The report's numbers counted the plain way: every row into Python."""
    connection = store.connect(where)
    person = {
        row["id"]: row["same_as"] or row["id"]
        for row in connection.execute("SELECT id, same_as FROM learners")
    }
    joined = {
        person[row["id"]]
        for row in connection.execute("SELECT id, class_code FROM learners")
        if code in (None, row["class_code"])
    }
    rows = [
        {**dict(row), "person": person[row["learner_id"]]}
        for row in connection.execute("SELECT * FROM completions")
        if code in (None, row["class_code"])
    ]
    connection.close()
    topic_of = {lesson: entry.topic for lesson, entry in catalog.lessons.items()} if catalog else {}
    passed = [r for r in rows if r["passed"]]
    days = Counter(store.completion_day(r["answered_at"], r["received_at"]) for r in rows)
    days_passed = Counter(store.completion_day(r["answered_at"], r["received_at"]) for r in passed)
    known = sorted(day for day in days if day)
    every_day = (
        [
            dt.date.fromisoformat(known[0]) + dt.timedelta(n)
            for n in range(
                (dt.date.fromisoformat(known[-1]) - dt.date.fromisoformat(known[0])).days + 1
            )
        ]
        if known
        else []
    )
    tries: Counter[tuple[str, int]] = Counter()
    rights: Counter[tuple[str, int]] = Counter()
    for r in rows:
        entry = catalog.lessons.get(r["lesson"]) if catalog else None
        if r["answers"] and (
            catalog is None or (entry and len(entry.questions) == len(r["answers"]))
        ):
            for index, mark in enumerate(r["answers"]):
                tries[(r["lesson"], index)] += 1
                rights[(r["lesson"], index)] += mark == "1"
    hardest = sorted(tries, key=lambda k: (rights[k] / tries[k], -tries[k], k))[:5]
    return {
        "counts": {
            "classes": 3 if code is None else 1,
            "joined": len(joined),
            "active": len({r["person"] for r in rows}),
            "passed_any": len({r["person"] for r in passed}),
            "attempts": len(rows),
            "passes": len(passed),
            "lessons_passed": len({(r["person"], r["lesson"]) for r in passed}),
            "pass_rate": round(100 * len(passed) / len(rows)),
        },
        "per_day": [(d, days[d.isoformat()], days_passed[d.isoformat()]) for d in every_day],
        "per_lesson": {
            lesson: (
                sum(r["lesson"] == lesson for r in rows),
                len({r["person"] for r in rows if r["lesson"] == lesson}),
                len({r["person"] for r in passed if r["lesson"] == lesson}),
            )
            for lesson in {r["lesson"] for r in rows}
        },
        "per_topic": {
            topic: (
                sum(topic_of.get(r["lesson"], "") == topic for r in rows),
                len({r["person"] for r in passed if topic_of.get(r["lesson"], "") == topic}),
            )
            for topic in {topic_of.get(r["lesson"], "") for r in rows}
        },
        "hardest": [(k[0], k[1] + 1, tries[k], round(100 * rights[k] / tries[k])) for k in hardest],
    }


def _as_counted(data: ReportData) -> dict[str, Any]:
    return {
        "counts": data.counts,
        "per_day": data.per_day,
        "per_lesson": {
            row["id"]: (row["attempts"], row["learners"], row["learners_passed"])
            for row in data.per_lesson
        },
        "per_topic": {
            row["id"]: (row["attempts"], row["learners_passed"]) for row in data.per_topic
        },
        # The test catalog's lesson titles are the lesson ids.
        "hardest": [(q.lesson, q.number, q.tries, q.percent) for q in data.hardest],
    }


def test_the_database_counts_what_python_counts(db_target: database.Target) -> None:
    """Thousands of results, merged learners, lessons off the catalog, marks that do not fit,
    unreadable times: the report's numbers counted by SQLite and PostgreSQL are the numbers a
    plain count of every row gives, and the numbers of the row-by-row path."""
    codes = _fill(db_target, 3000)
    connection = store.connect(db_target)
    try:
        for code in (None, codes[1]):
            for catalog in (_catalog(), None):
                data = store_report_data(connection, code, catalog)
                assert _as_counted(data) == _python_count(db_target, code, catalog)
                assert data == figures._report_data_from_rows(connection, code, catalog)
                # Persons, not entries: 8 residents a class, 2 of them joined twice.
                assert data.counts["joined"] == (24 if code is None else 8)
                assert data.per_day and data.hardest
    finally:
        connection.close()


class _Fetched:
    """A cursor that counts the rows the database hands to Python."""

    def __init__(self, cursor: Any, counter: list[int]) -> None:
        self._cursor, self._counter = cursor, counter

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        row = self._cursor.fetchone()
        self._counter[0] += row is not None
        return row

    def fetchall(self) -> list[Any]:
        return self._counted(list(self._cursor.fetchall()))

    def fetchmany(self, size: int = 1) -> list[Any]:
        return self._counted(list(self._cursor.fetchmany(size)))

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    def _counted(self, rows: list[Any]) -> list[Any]:
        self._counter[0] += len(rows)
        return rows


class _CountingSqlite(sqlite3.Connection):
    fetched = [0]

    def execute(self, sql: str, parameters: Any = (), /) -> Any:  # type: ignore[override]
        return _Fetched(super().execute(sql, parameters), self.fetched)


class _CountingPg(database.PgConnection):
    fetched = [0]

    def execute(self, sql: str, parameters: Any = None, /) -> Any:
        return _Fetched(super().execute(sql, parameters), self.fetched)


def _rows_fetched(where: database.Target, code: str | None) -> int:
    """How many rows `store_report_data` reads from the store at `where`, on a real connection
    of the store's database that counts them."""
    connection: Any
    if database.is_url(where):
        connection = _CountingPg(psycopg.connect(str(where), autocommit=True))
    else:
        connection = sqlite3.connect(where, factory=_CountingSqlite)
        connection.row_factory = sqlite3.Row
    connection.fetched[0] = 0
    try:
        store_report_data(connection, code, _catalog())
        return int(connection.fetched[0])
    finally:
        connection.close()


def test_the_report_reads_a_row_per_group_not_per_completion(db_target: database.Target) -> None:
    """The database does the counting: the rows that come back are one per day, lesson,
    topic, question and class, so twice the completions over the same learners, lessons and
    days fetch exactly as many rows, far fewer than the completions."""
    codes = _fill(db_target, 4000)
    before = {code: _rows_fetched(db_target, code) for code in (None, codes[0])}
    _fill(db_target, 4000, seed=2, first=4000)
    after = {code: _rows_fetched(db_target, code) for code in (None, codes[0])}
    assert after == before
    assert after[None] < 400  # 40 days + 4 lessons + 2 topics + ~40 questions, and a few more
