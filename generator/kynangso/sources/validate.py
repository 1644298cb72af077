"""Load every source file, check it against the models and the cross-file rules.

`load_project` returns a `Project` only when there is nothing wrong; otherwise it raises one
`SourceError` carrying every problem in every file, sorted by file and line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kynangso.errors import Problem, SourceError, display_path
from kynangso.sources import schema
from kynangso.sources.authortext import strings, text_problems
from kynangso.sources.links import broken_internal_links
from kynangso.sources.loading import Document, PathKey, field_path, load_yaml
from kynangso.sources.media import svg_problems

M = TypeVar("M", bound=BaseModel)

PAGES = ("home", "about", "teams", "editors")
MEDIA_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp")


@dataclass
class Project:
    """Every source, validated: what the renderers work from."""

    root: Path
    lessons: dict[str, schema.Lesson]
    quizzes: dict[str, schema.Quiz]
    pages: dict[str, schema.Page]
    topics: dict[str, schema.TopicInfo]
    glossary: schema.Glossary
    documents: dict[str, Document] = field(default_factory=dict)

    @property
    def media_dir(self) -> Path:
        return self.root / "content" / "media"

    def lessons_in(self, topic: str) -> list[schema.Lesson]:
        """The lessons of one topic in teaching order."""
        found = [lesson for lesson in self.lessons.values() if lesson.topic == topic]
        return sorted(found, key=lambda lesson: (lesson.order, lesson.id))


class _Collector:
    """Loads files and turns every kind of failure into `Problem`s with positions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.documents: dict[str, Document] = {}

    def shown(self, path: Path) -> str:
        return display_path(path, self.root)

    def at(
        self,
        doc: Document,
        path: PathKey,
        message: str,
        *,
        key: bool = False,
        field: PathKey | None = None,
    ) -> None:
        """Record a problem at the position of `path`, named as `field` (default: the path)."""
        line, column = doc.mark(path, key=key)
        self.problems.append(Problem(doc.file, line, column, field_path(field or path), message))

    def model(self, path: Path, model: type[M]) -> tuple[M | None, Document | None]:
        shown = self.shown(path)
        doc, problems = load_yaml(path, shown)
        self.problems.extend(problems)
        if doc is None:
            return None, None
        self.documents[shown] = doc
        if not isinstance(doc.data, dict):
            self.at(
                doc,
                (),
                f"expected fields (name: value) at the top of the file but received {_kind(doc.data)}",
            )
            return None, doc
        to_fill = placeholders(doc.data)
        for where in to_fill:
            self.at(doc, where, "to fill: replace the TODO placeholder")
        for where, text in strings(doc.data):
            for message in text_problems(text):
                self.at(doc, where, message)
        try:
            model_value = model.model_validate(doc.data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                if not any(loc[: len(where)] == where for where in to_fill):
                    self._pydantic_problem(doc, error, model)
            return None, doc
        return (None if to_fill else model_value), doc

    def _pydantic_problem(self, doc: Document, error: Any, model: type[BaseModel]) -> None:
        loc = tuple(error["loc"])
        if loc and loc[-1] == "[key]":
            self.at(doc, loc[:-1], _message(error, loc[:-1]), key=True)
            return
        if error["type"] == "extra_forbidden":
            allowed = _allowed_fields(model, loc[:-1])
            self.at(doc, loc, _unknown_field(str(loc[-1]), allowed), key=True)
            return
        if error["type"] == "missing":
            self.at(doc, loc[:-1], _message(error, loc), field=loc)
            return
        self.at(doc, loc, _message(error, loc))


PLACEHOLDER = "TODO"


def placeholders(data: Any) -> set[PathKey]:
    """Paths of every value still holding the scaffold's TODO placeholder."""
    return {path for path, text in strings(data) if text.strip().startswith(PLACEHOLDER)}


def load_project(root: Path) -> Project:
    """Read and check every source under `root`; raise `SourceError` listing all problems."""
    root = root.resolve()
    c = _Collector(root)
    lessons = _load_dir(c, root / "lessons", schema.Lesson)
    quizzes = _load_dir(c, root / "quizzes", schema.Quiz)
    pages = {
        name: c.model(root / "content" / "pages" / f"{name}.yaml", schema.Page) for name in PAGES
    }
    topics, topics_doc = c.model(root / "content" / "topics.yaml", schema.Topics)
    glossary, _ = c.model(root / "content" / "glossary.yaml", schema.Glossary)

    if topics is not None and topics_doc is not None:
        _check_topics(c, root, topics, topics_doc)
        _check_lesson_topics(c, list(topics.topics), lessons)
    _check_pairs(c, root, lessons, quizzes)
    for lesson_id, (lesson, doc) in lessons.items():
        _check_lesson(c, root, lesson_id, lesson, doc)
    for quiz_id, (quiz, doc) in quizzes.items():
        _check_quiz(c, quiz_id, quiz, doc)
    _check_formerly(c, lessons)
    for svg in sorted((root / "content" / "media").glob("*.svg")):
        c.problems += svg_problems(svg, c.shown(svg))

    if not c.problems:
        media = {p.name for p in (root / "content" / "media").glob("*") if p.is_file()}
        addresses = set(lessons) | {
            old_id for lesson, _ in lessons.values() if lesson for old_id in lesson.formerly
        }
        c.problems += broken_internal_links(
            c.documents, addresses, list(topics.topics) if topics else [], media
        )
    if (
        c.problems
        or topics is None
        or glossary is None
        or any(p is None for p, _ in pages.values())
    ):
        raise SourceError(c.problems)
    return Project(
        root=root,
        lessons={k: v for k, (v, _) in sorted(lessons.items()) if v is not None},
        quizzes={k: v for k, (v, _) in sorted(quizzes.items()) if v is not None},
        pages={k: v for k, (v, _) in pages.items() if v is not None},
        topics=dict(topics.topics),
        glossary=glossary,
        documents=c.documents,
    )


def _load_dir(
    c: _Collector, folder: Path, model: type[M]
) -> dict[str, tuple[M | None, Document | None]]:
    loaded: dict[str, tuple[M | None, Document | None]] = {}
    if not folder.is_dir():
        c.problems.append(Problem(c.shown(folder), 1, 1, "", "folder is missing"))
        return loaded
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix != ".yaml":
            c.problems.append(
                Problem(
                    c.shown(path), 1, 1, "", "not a source file: name lessons and quizzes <id>.yaml"
                )
            )
            continue
        loaded[path.stem] = c.model(path, model)
    return loaded


def _check_topics(c: _Collector, root: Path, topics: schema.Topics, doc: Document) -> None:
    for topic, info in topics.topics.items():
        if info.icon is not None:
            _check_media(c, root, doc, ("topics", topic, "icon"), info.icon)


def _check_lesson_topics(c: _Collector, topics: list[str], lessons: dict[str, Any]) -> None:
    """Each lesson's topic is an entry of content/topics.yaml, the one list of topics; read
    from the raw data, so it is reported even when other fields of the lesson are wrong."""
    for _, doc in lessons.values():
        if doc is None or not isinstance(doc.data, dict):
            continue
        topic = doc.data.get("topic")
        if isinstance(topic, str) and topic not in topics and not topic.startswith(PLACEHOLDER):
            c.at(doc, ("topic",), f"expected one of {_one_of(topics)} but received {_kind(topic)}")


def topic_names(root: Path) -> list[str]:
    """The topics of content/topics.yaml, in order; raise SourceError when it cannot be read."""
    c = _Collector(root.resolve())
    topics, _ = c.model(root / "content" / "topics.yaml", schema.Topics)
    if topics is None:
        raise SourceError(c.problems)
    return list(topics.topics)


def _one_of(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


def _check_pairs(
    c: _Collector, root: Path, lessons: dict[str, Any], quizzes: dict[str, Any]
) -> None:
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


def _check_lesson(
    c: _Collector, root: Path, file_id: str, lesson: schema.Lesson | None, doc: Document | None
) -> None:
    if lesson is None or doc is None:
        return
    if lesson.id != file_id:
        c.at(doc, ("id",), f"id '{lesson.id}' must match the file name '{file_id}'")
    for i, step in enumerate(lesson.steps):
        where: PathKey = ("steps", i)
        if step.image is not None:
            _check_media(c, root, doc, where + ("image",), step.image)
            if step.alt is None:
                c.at(
                    doc,
                    where + ("image",),
                    "missing alt text: describe the image in both languages under 'alt'",
                    field=where + ("alt",),
                )
        elif step.alt is not None:
            c.at(doc, where + ("alt",), "alt text without an image")


def _check_formerly(c: _Collector, lessons: dict[str, Any]) -> None:
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


def _check_quiz(
    c: _Collector, file_id: str, quiz: schema.Quiz | None, doc: Document | None
) -> None:
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


def _check_media(c: _Collector, root: Path, doc: Document, where: PathKey, name: str) -> None:
    media = (root / "content" / "media").resolve()
    target = (media / name).resolve()
    if not target.is_relative_to(media):
        c.at(doc, where, f"'{name}' must be a file inside content/media/")
    elif target.suffix.lower() not in MEDIA_SUFFIXES:
        c.at(doc, where, f"'{name}' is not an image: use {', '.join(MEDIA_SUFFIXES)}")
    elif not target.is_file():
        c.at(doc, where, f"image file missing: content/media/{name}")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "fields (a mapping)"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"text '{_short(value)}'"


def _short(value: Any) -> str:
    text = str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "..."


def _allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            # a dict keyed by topic: step into its value model
            current = _inner_model(current, part)
            continue
        current = _inner_model_of(info.annotation)
    return sorted(getattr(current, "model_fields", {})) if current is not None else []


def _inner_model(model: Any, key: Any) -> Any:
    if model is schema.Topics:
        return schema.TopicInfo
    return None


def _inner_model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model_of(arg)
        if found is not None:
            return found
    return None


def _unknown_field(name: str, allowed: list[str]) -> str:
    guess = difflib.get_close_matches(name, allowed, n=1)
    hint = f"; did you mean '{guess[0]}'?" if guess else ""
    listing = f" (expected one of: {', '.join(allowed)})" if allowed else ""
    return f"unknown field '{name}'{hint}{listing}"


def _message(error: Any, loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    got = error.get("input")
    ctx = error.get("ctx") or {}
    last = loc[-1] if loc else ""
    language = schema.LANGUAGE_NAMES.get(str(last))
    if kind == "missing":
        return f"missing {language} text" if language else "required field is missing"
    if kind == "empty_text":
        return f"empty {language} text" if language else "empty text"
    if kind == "invisible_text":
        empty = f"empty {language} text" if language else "empty text"
        return f"{empty}: only invisible characters (zero-width space, BOM, …)"
    if kind == "string_type":
        return f"expected text but received {_kind(got)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected fields (name: value) but received {_kind(got)}"
    if kind == "list_type":
        return f"expected a list (lines starting with '- ') but received {_kind(got)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number but received {_kind(got)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false but received {_kind(got)}"
    if kind.startswith("date"):
        return f"expected a date like 2026-11-25 but received {_kind(got)}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')} but received {_kind(got)}"
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return f"needs at least {need} item{'s' if need != 1 else ''}"
    if kind == "string_pattern_mismatch":
        if last == "id":
            return f"expected lowercase letters, digits and hyphens (like 'vneid-activate') but received {_kind(got)}"
        if last == "url":
            return (
                f"expected an address starting with https:// or http:// but received {_kind(got)}"
            )
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        word = "at least" if kind == "greater_than_equal" else "at most"
        return f"expected a number {word} {bound} but received {_kind(got)}"
    return str(error.get("msg", kind))
