"""Warnings an editor should act on before publishing; `validate --strict` makes them errors.

- a lesson reviewed over a year ago, or a source read over a year ago;
- a lesson about an app without the app version its steps were checked against;
- English much shorter than Vietnamese (a sign of an unfinished translation);
- a lesson without its facilitator fields (`facilitator:`, and `note` and `minutes` on every
  step): the lesson plans print them, and nothing is made up in their place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kynangso.errors import Problem
from kynangso.sources.loading import Document, PathKey, field_path
from kynangso.sources.schema import Lesson
from kynangso.sources.validate import Project

STALE_DAYS = 365
APP_TOPICS = ("e-id", "vssid", "cashless")
SHORT_ENGLISH = 0.5  # English under half the length of a Vietnamese text of...
LONG_ENOUGH = 60  # ...at least this many characters


def warnings(project: Project, today: dt.date | None = None) -> list[Problem]:
    """Every warning in every lesson and quiz, sorted like problems."""
    today = today or dt.date.today()
    found: list[Problem] = []
    for lesson_id, lesson in project.lessons.items():
        doc = project.documents[f"lessons/{lesson_id}.yaml"]

        def warn(path: PathKey, message: str, doc: Document = doc) -> None:
            line, column = doc.mark(path)
            found.append(Problem(doc.file, line, column, field_path(path), message))

        age = (today - lesson.reviewed.date).days
        if age > STALE_DAYS:
            warn(
                ("reviewed", "date"),
                f"review is {age} days old: check the lesson against its sources and the app again",
            )
        for i, source in enumerate(lesson.sources):
            seen = (today - source.seen).days
            if seen > STALE_DAYS:
                warn(
                    ("sources", i, "seen"),
                    f"source read {seen} days ago: check it still says the same",
                )
        if lesson.topic in APP_TOPICS and not lesson.reviewed.app_version:
            warn(
                ("reviewed",),
                "missing app_version: name the app version the steps were checked against",
            )
        for path, message in _missing_facilitator(lesson):
            warn(path, message)
        found.extend(_short_english(doc))
        quiz_doc = project.documents.get(f"quizzes/{lesson_id}.yaml")
        if quiz_doc is not None:
            found.extend(_short_english(quiz_doc))
    return sorted(found)


def _missing_facilitator(lesson: Lesson) -> list[tuple[PathKey, str]]:
    """Where the facilitator fields are missing; a missing key has no line of its own, so the
    position is its parent's (the step, or the top of the file)."""
    found: list[tuple[PathKey, str]] = []
    if lesson.facilitator is None:
        found.append(
            (
                ("facilitator",),
                "missing facilitator: write prepare, bring, problems and discussion for the lesson plan",
            )
        )
    for i, step in enumerate(lesson.steps):
        if step.note is None:
            found.append(
                (("steps", i, "note"), "missing note: what goes wrong in this step and how to help")
            )
        if step.minutes is None:
            found.append(
                (
                    ("steps", i, "minutes"),
                    "missing minutes: how long older residents need for this step by hand",
                )
            )
    return found


def _short_english(doc: Document) -> list[Problem]:
    found = []
    for path, text in _texts(doc.data, ()):
        vi, en = text.get("vi") or "", text.get("en") or ""
        if len(vi) >= LONG_ENOUGH and len(en) < SHORT_ENGLISH * len(vi):
            line, column = doc.mark(path + ("en",))
            found.append(
                Problem(
                    doc.file,
                    line,
                    column,
                    field_path(path + ("en",)),
                    f"English is much shorter than Vietnamese ({len(en)} vs {len(vi)} characters): is part of it untranslated?",
                )
            )
    return found


def _texts(data: Any, path: PathKey) -> list[tuple[PathKey, dict[str, Any]]]:
    if isinstance(data, dict):
        if set(data) == {"vi", "en"}:
            return [(path, data)]
        return [found for key, value in data.items() for found in _texts(value, path + (key,))]
    if isinstance(data, list):
        return [found for i, value in enumerate(data) for found in _texts(value, path + (i,))]
    return []
