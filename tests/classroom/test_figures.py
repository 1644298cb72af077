"""The figures shared by the coach dashboard and the progress report: one rule for the hardest
questions, so the two pages never disagree about the same class."""

from __future__ import annotations

from pathlib import Path

from kynangso.classroom import store
from kynangso.classroom.coach import dashboard_data
from kynangso.classroom.figures import HardQuestion, hardest_questions, report_data
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
    connection.close()
    assert (
        on_dashboard
        == in_report
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
