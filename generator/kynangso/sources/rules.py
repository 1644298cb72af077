"""The cross-file rules: what each source must agree with beyond its own model.

Ids match file names, every lesson has its quiz and the reverse, topics come from
content/topics.yaml, images exist inside content/media/ and carry alt text, quizzes can be
passed, old ids are free and claimed once. Each rule records its problems on the `Collector`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kynangso.errors import Problem
from kynangso.sources import schema
from kynangso.sources.audio import AUDIO_FOLDER, audio_problem
from kynangso.sources.collect import PLACEHOLDER, Collector
from kynangso.sources.loading import Document, PathKey
from kynangso.sources.messages import kind_of, one_of

MEDIA_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp")


def check_topics(c: Collector, root: Path, topics: schema.Topics, doc: Document) -> None:
    for topic, info in topics.topics.items():
        if info.icon is not None:
            check_media(c, root, doc, ("topics", topic, "icon"), info.icon)


def check_lesson_topics(c: Collector, topics: list[str], lessons: dict[str, Any]) -> None:
    """Each lesson's topic is an entry of content/topics.yaml, the one list of topics; read
    from the raw data, so it is reported even when other fields of the lesson are wrong."""
    for _, doc in lessons.values():
        if doc is None or not isinstance(doc.data, dict):
            continue
        topic = doc.data.get("topic")
        if isinstance(topic, str) and topic not in topics and not topic.startswith(PLACEHOLDER):
            c.at(doc, ("topic",), f"expected one of {one_of(topics)} but received {kind_of(topic)}")


def check_pairs(c: Collector, root: Path, lessons: dict[str, Any], quizzes: dict[str, Any]) -> None:
    for lesson_id, (_, doc) in lessons.items():
        if doc is not None and lesson_id not in quizzes:
            c.problems.append(
                Problem(doc.file, 1, 1, "", f"lesson without quiz: add quizzes/{lesson_id}.yaml")
            )
    for quiz_id, (_, doc) in quizzes.items():
        if doc is not None and quiz_id not in lessons:
            c.problems.append(
                Problem(
                    doc.file, 1, 1, "", f"quiz without lesson: there is no lessons/{quiz_id}.yaml"
                )
            )


def check_lesson(
    c: Collector, root: Path, file_id: str, lesson: schema.Lesson | None, doc: Document | None
) -> None:
    if lesson is None or doc is None:
        return
    if lesson.id != file_id:
        c.at(doc, ("id",), f"id '{lesson.id}' must match the file name '{file_id}'")
    for i, step in enumerate(lesson.steps):
        where: PathKey = ("steps", i)
        if step.image is not None:
            check_media(c, root, doc, where + ("image",), step.image)
            if step.alt is None:
                c.at(
                    doc,
                    where + ("image",),
                    "missing alt text: describe the image in both languages under 'alt'",
                    field=where + ("alt",),
                )
        elif step.alt is not None:
            c.at(doc, where + ("alt",), "alt text without an image")
        for code, name in (step.audio or {}).items():
            check_audio(c, root, doc, where + ("audio", code), name)


def check_formerly(c: Collector, lessons: dict[str, Any]) -> None:
    """An old id makes a redirect page at /lessons/<old id>/: it must not be a lesson's own
    address, nor redirect to two lessons at once."""
    claimed: dict[str, str] = {}
    for lesson_id, (lesson, doc) in sorted(lessons.items()):
        if lesson is None or doc is None:
            continue
        for i, old_id in enumerate(lesson.formerly):
            where: PathKey = ("formerly", i)
            if old_id in lessons:
                c.at(doc, where, f"'{old_id}' is the id of a lesson: an old id must be free")
            elif old_id in claimed:
                c.at(
                    doc,
                    where,
                    f"'{old_id}' is already an old id of lessons/{claimed[old_id]}.yaml",
                )
            else:
                claimed[old_id] = lesson_id


def check_quiz(c: Collector, file_id: str, quiz: schema.Quiz | None, doc: Document | None) -> None:
    if quiz is None or doc is None:
        return
    if quiz.id != file_id:
        c.at(doc, ("id",), f"id '{quiz.id}' must match the file name '{file_id}'")
    if quiz.pass_mark > len(quiz.questions):
        c.at(
            doc,
            ("pass_mark",),
            f"pass mark {quiz.pass_mark} is more than the {len(quiz.questions)} questions",
        )
    for i, question in enumerate(quiz.questions):
        where: PathKey = ("questions", i)
        correct = sum(choice.correct for choice in question.choices)
        if correct == 0:
            c.at(
                doc,
                where + ("choices",),
                "question without a correct answer: mark one choice 'correct: true'",
            )
        elif question.kind in ("single", "true_false") and correct > 1:
            c.at(
                doc,
                where + ("choices",),
                f"a '{question.kind}' question has exactly one correct choice, not {correct}",
            )
        if question.kind == "true_false" and len(question.choices) != 2:
            c.at(
                doc,
                where + ("choices",),
                f"a 'true_false' question has exactly 2 choices, not {len(question.choices)}",
            )


def check_media(c: Collector, root: Path, doc: Document, where: PathKey, name: str) -> None:
    media = (root / "content" / "media").resolve()
    target = (media / name).resolve()
    if not target.is_relative_to(media):
        c.at(doc, where, f"'{name}' must be a file inside content/media/")
    elif target.suffix.lower() not in MEDIA_SUFFIXES:
        c.at(doc, where, f"'{name}' is not an image: use {', '.join(MEDIA_SUFFIXES)}")
    elif not target.is_file():
        c.at(doc, where, f"image file missing: content/media/{name}")


def check_audio(c: Collector, root: Path, doc: Document, where: PathKey, name: str) -> None:
    """A step's recording: a file of content/media/audio/ that is audio and small enough."""
    folder = root.joinpath(*AUDIO_FOLDER).resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder) or target.parent != folder:
        c.at(doc, where, f"'{name}' must be a file name in content/media/audio/")
        return
    problem = audio_problem(target, f"content/media/audio/{name}")
    if problem:
        c.at(doc, where, problem)
