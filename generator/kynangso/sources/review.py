"""Warnings an editor should act on before publishing; `validate --strict` makes them errors,
and CI runs it, so these are the publishing rules and they live here only.

- a quiz of fewer than 6 questions, or of one kind of question only;
- a lesson with fewer than 2 sources;
- a step picture that is not an SVG, or an SVG in content/media/ over 15 KB;
- a lesson reviewed over a year ago, or a source read over a year ago;
- a lesson of a topic marked `app: true` in content/topics.yaml without the app version its steps were checked against;
- English much shorter than Vietnamese (a sign of an unfinished translation);
- a lesson without its facilitator fields (`facilitator:`, and `note` and `minutes` on every
  step): the lesson plans print them, and nothing is made up in their place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kynangso.errors import Problem, display_path
from kynangso.sources.authortext import strings
from kynangso.sources.loading import Document, PathKey, field_path
from kynangso.sources.media import svg_too_large
from kynangso.sources.schema import Lesson
from kynangso.sources.validate import Project

STALE_DAYS = 365
SHORT_ENGLISH = 0.5  # English under half the length of a Vietnamese text of...
LONG_ENOUGH = 60  # ...at least this many characters
MIN_QUESTIONS = 6  # enough to tell knowing from guessing
MIN_KINDS = 2  # single, multiple, true_false: a mix, so a quiz is not one pattern repeated
MIN_SOURCES = 2  # every fact checked against a second, independent source


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
        topic = project.topics.get(lesson.topic)
        if topic is not None and topic.app and not lesson.reviewed.app_version:
            warn(
                ("reviewed",),
                "missing app_version: name the app version the steps were checked against",
            )
        for path, message in _missing_facilitator(lesson):
            warn(path, message)
        if len(lesson.sources) < MIN_SOURCES:
            warn(
                ("sources",),
                f"{len(lesson.sources)} source: a published lesson has at least {MIN_SOURCES}",
            )
        for i, step in enumerate(lesson.steps):
            if step.image is not None and not step.image.lower().endswith(".svg"):
                warn(
                    ("steps", i, "image"),
                    "a step's picture is a schematic SVG drawing, never a photo or screenshot",
                )
        found.extend(_short_english(doc))
        quiz_doc = project.documents.get(f"quizzes/{lesson_id}.yaml")
        if quiz_doc is not None:
            found.extend(_short_english(quiz_doc))
            found.extend(_quiz_warnings(project, lesson_id, quiz_doc))
    for svg in sorted(project.media_dir.glob("*.svg")):
        too_large = svg_too_large(svg, display_path(svg, project.root))
        if too_large is not None:
            found.append(too_large)
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


def _quiz_warnings(project: Project, quiz_id: str, doc: Document) -> list[Problem]:
    quiz = project.quizzes.get(quiz_id)
    if quiz is None:
        return []
    line, column = doc.mark(("questions",), key=True)
    found = []
    if len(quiz.questions) < MIN_QUESTIONS:
        found.append(
            Problem(
                doc.file,
                line,
                column,
                "questions",
                f"{len(quiz.questions)} questions: a published quiz has at least {MIN_QUESTIONS}",
            )
        )
    kinds = sorted({question.kind for question in quiz.questions})
    if len(kinds) < MIN_KINDS:
        found.append(
            Problem(
                doc.file,
                line,
                column,
                "questions",
                f"every question is '{kinds[0]}': mix at least {MIN_KINDS} kinds "
                "(single, multiple, true_false)",
            )
        )
    return found


def _short_english(doc: Document) -> list[Problem]:
    found = []
    for path, text in _texts(doc.data):
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


def _texts(data: Any) -> list[tuple[PathKey, dict[str, str]]]:
    """Every bilingual text, as its path and {"vi": …, "en": …}, from the one string scanner."""
    pairs: dict[PathKey, dict[str, str]] = {}
    for path, text in strings(data):
        if path and path[-1] in ("vi", "en"):
            pairs.setdefault(path[:-1], {})[str(path[-1])] = text
    return list(pairs.items())
