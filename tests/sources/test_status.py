"""`kynangso status`: a row per lesson, drafts included, stale reviews flagged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from kynangso.cli import main
from kynangso.sources.status import lesson_status


def test_complete_lesson_row(project: Path) -> None:
    [row] = lesson_status(project, today=dt.date(2026, 11, 25))
    data = row.as_json()
    assert data.pop("warnings") == [
        "lessons/sample-lesson.yaml:60:3: sources: 1 source: a published lesson has at least 2",
        "lessons/sample-lesson.yaml:64:3: reviewed: missing app_version: name the app version the steps were checked against",
        "quizzes/sample-lesson.yaml:3:1: questions: 2 questions: a published quiz has at least 6",
    ]
    assert data == {
        "id": "sample-lesson",
        "topic": "e-id",
        "languages": ["vi", "en"],
        "complete": True,
        "questions": 2,
        "sources": 1,
        "reviewed": "2026-11-25",
        "stale": False,
        "problems": [],
        "title": {"vi": "Bài mẫu", "en": "Sample lesson"},
    }


def test_review_over_a_year_old_is_stale(project: Path) -> None:
    [row] = lesson_status(project, today=dt.date(2027, 11, 26))
    assert row.stale is True
    [row] = lesson_status(project, today=dt.date(2027, 11, 25))
    assert row.stale is False


def test_draft_without_english_is_listed_as_incomplete(project: Path) -> None:
    lesson = project / "lessons" / "sample-lesson.yaml"
    lesson.write_text(lesson.read_text().replace('      en: "Second step"\n', ""))
    [row] = lesson_status(project)
    assert row.languages == ["vi"]
    assert row.complete is False
    assert row.questions == 2


def test_lesson_without_quiz_is_incomplete(project: Path) -> None:
    (project / "quizzes" / "sample-lesson.yaml").unlink()
    [row] = lesson_status(project)
    assert row.complete is False and row.questions == 0
    assert any("without quiz" in p for p in row.problems)


def test_status_json_command(project: Path) -> None:
    result = CliRunner().invoke(main, ["status", "--json", "--root", str(project)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["id"] == "sample-lesson"
    assert {"id", "topic", "languages", "complete", "questions", "sources", "reviewed"} <= set(
        rows[0]
    )


def test_status_table_command(project: Path) -> None:
    result = CliRunner().invoke(main, ["status", "--root", str(project)])
    assert result.exit_code == 0, result.output
    assert "sample-lesson" in result.output
    assert "1 lessons, 1 complete, 0 stale" in result.output or "1 complete" in result.output


def test_status_table_shows_each_lesson_title(project: Path) -> None:
    result = CliRunner().invoke(main, ["status", "--root", str(project)])
    header, row = result.output.splitlines()[:2]
    assert header.split()[-1] == "title"
    assert row.endswith("Bài mẫu")
