"""A row per lesson: which languages are complete, how many questions and sources, review age.

Works on drafts too: a lesson that does not validate yet still gets a row, marked incomplete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kynangso.sources.loading import load_yaml
from kynangso.sources.schema import LANGUAGES, Lesson, Quiz

STALE_AFTER_DAYS = 365


@dataclass
class LessonStatus:
    """What an editor or coordinator wants to know about one lesson at a glance."""

    id: str
    topic: str | None
    languages: list[str]
    complete: bool
    questions: int
    sources: int
    reviewed: str | None
    stale: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # the title in each language that has one, so a row is recognisable without opening the file
    title: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def lesson_status(root: Path, today: dt.date | None = None) -> list[LessonStatus]:
    """Status of every lesson under `root`, sorted by id."""
    today = today or dt.date.today()
    rows = [_one(root, path, today) for path in sorted((root / "lessons").glob("*.yaml"))]
    for warning in _warnings(root, today):
        lesson_id = Path(warning.file).stem
        for row in rows:
            if row.id == lesson_id:
                row.warnings.append(str(warning))
    return rows


def _warnings(root: Path, today: dt.date) -> list[Any]:
    """The review warnings, when the whole project loads (a draft elsewhere hides them)."""
    from kynangso.errors import SourceError
    from kynangso.sources.review import warnings
    from kynangso.sources.validate import load_project

    try:
        return warnings(load_project(root), today)
    except SourceError:
        return []


def _one(root: Path, path: Path, today: dt.date) -> LessonStatus:
    lesson_id = path.stem
    problems: list[str] = []
    lesson_doc, lesson_problems = load_yaml(path, f"lessons/{path.name}")
    quiz_path = root / "quizzes" / path.name
    quiz_doc, quiz_problems = (
        load_yaml(quiz_path, f"quizzes/{path.name}") if quiz_path.is_file() else (None, [])
    )
    problems += [str(p) for p in lesson_problems + quiz_problems]
    if not quiz_path.is_file():
        problems.append(f"lessons/{path.name}: lesson without quiz")
    lesson_data = lesson_doc.data if lesson_doc and isinstance(lesson_doc.data, dict) else {}
    quiz_data = quiz_doc.data if quiz_doc and isinstance(quiz_doc.data, dict) else {}

    lesson = _validated(Lesson, lesson_data, problems, f"lessons/{path.name}")
    quiz = _validated(Quiz, quiz_data, problems, f"quizzes/{path.name}") if quiz_data else None
    languages = [
        lang
        for lang in LANGUAGES
        if _has_language(lesson_data, lang) and _has_language(quiz_data, lang)
    ]
    reviewed = lesson.reviewed.date if lesson else None
    return LessonStatus(
        id=lesson_id,
        topic=lesson.topic if lesson else _text(lesson_data.get("topic")),
        languages=languages,
        complete=lesson is not None
        and quiz is not None
        and not problems
        and languages == list(LANGUAGES),
        questions=len(quiz.questions) if quiz else len(quiz_data.get("questions") or []),
        sources=len(lesson.sources) if lesson else len(lesson_data.get("sources") or []),
        reviewed=reviewed.isoformat() if reviewed else None,
        stale=reviewed is None or (today - reviewed).days > STALE_AFTER_DAYS,
        problems=problems,
        title=_titles(lesson_data.get("title")),
    )


def _titles(value: Any) -> dict[str, str]:
    """The title texts a draft already has (a draft may lack one language)."""
    if not isinstance(value, dict):
        return {}
    return {lang: value[lang] for lang in LANGUAGES if isinstance(value.get(lang), str)}


TITLE_WIDTH = 40


def _validated(model: type[Any], data: dict[str, Any], problems: list[str], name: str) -> Any:
    if not data:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.append(f"{name}: {exc.error_count()} field problem(s); run 'kynangso validate'")
        return None


def _has_language(data: Any, lang: str) -> bool:
    """True when every bilingual text in `data` has non-empty text in `lang`."""
    if isinstance(data, dict):
        if set(data) & set(LANGUAGES) and set(data) <= set(LANGUAGES):
            value = data.get(lang)
            return isinstance(value, str) and bool(value.strip())
        # a step's `audio:` names recordings by language code: files, not texts to translate
        return all(_has_language(v, lang) for k, v in data.items() if k != "audio")
    if isinstance(data, list):
        return all(_has_language(item, lang) for item in data)
    return True


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def format_table(rows: list[LessonStatus]) -> str:
    """A plain table for the terminal."""
    header = (
        "lesson",
        "topic",
        "languages",
        "complete",
        "questions",
        "sources",
        "reviewed",
        "warnings",
        "",
        "title",
    )
    lines = [header]
    for row in rows:
        lines.append(
            (
                row.id,
                row.topic or "?",
                ",".join(row.languages) or "-",
                "yes" if row.complete else "NO",
                str(row.questions),
                str(row.sources),
                row.reviewed or "-",
                str(len(row.warnings)),
                "STALE" if row.stale else "",
                _shorten(row.title.get("vi") or row.title.get("en") or ""),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in lines
    ]
    done = sum(row.complete for row in rows)
    stale = sum(row.stale for row in rows)
    out.append(
        f"{len(rows)} lessons, {done} complete, {stale} stale (reviewed over {STALE_AFTER_DAYS} days ago)"
    )
    out += [warning for row in rows for warning in row.warnings]
    return "\n".join(out)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_WIDTH else text[: TITLE_WIDTH - 1] + "…"
