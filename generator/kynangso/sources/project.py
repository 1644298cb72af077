"""The `Project` (every source, validated) and `load_project`, which reads and checks them all.

`load_project` returns a `Project` only when there is nothing wrong; otherwise it raises one
`SourceError` carrying every problem in every file, sorted by file and line. Loading one file is
the `Collector`'s job (`collect.py`), the rules between files are in `rules.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kynangso.errors import Problem, SourceError
from kynangso.sources import rules, schema
from kynangso.sources.collect import Collector, M
from kynangso.sources.languages import site_languages, text_language_problems
from kynangso.sources.links import broken_internal_links
from kynangso.sources.loading import Document
from kynangso.sources.media import svg_problems

PAGES = ("home", "about", "teams", "editors")


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
    # the site's languages (mkdocs.yml's i18n list), Vietnamese first
    languages: tuple[str, ...] = schema.LANGUAGES

    @property
    def media_dir(self) -> Path:
        return self.root / "content" / "media"

    def lessons_in(self, topic: str) -> list[schema.Lesson]:
        """The lessons of one topic in teaching order."""
        found = [lesson for lesson in self.lessons.values() if lesson.topic == topic]
        return sorted(found, key=lambda lesson: (lesson.order, lesson.id))


def load_project(root: Path) -> Project:
    """Read and check every source under `root`; raise `SourceError` listing all problems."""
    root = root.resolve()
    c = Collector(root)
    languages = _languages(c, root)
    lessons = _load_dir(c, root / "lessons", schema.Lesson)
    quizzes = _load_dir(c, root / "quizzes", schema.Quiz)
    pages = {
        name: c.model(root / "content" / "pages" / f"{name}.yaml", schema.Page) for name in PAGES
    }
    topics, topics_doc = c.model(root / "content" / "topics.yaml", schema.Topics)
    glossary, glossary_doc = c.model(root / "content" / "glossary.yaml", schema.Glossary)

    if topics is not None and topics_doc is not None:
        rules.check_topics(c, root, topics, topics_doc)
        rules.check_lesson_topics(c, list(topics.topics), lessons)
    rules.check_pairs(c, root, lessons, quizzes)
    for lesson_id, (lesson, doc) in lessons.items():
        rules.check_lesson(c, root, lesson_id, lesson, doc)
    for quiz_id, (quiz, doc) in quizzes.items():
        rules.check_quiz(c, quiz_id, quiz, doc)
    rules.check_formerly(c, lessons)
    texts = (*lessons.values(), *quizzes.values(), *pages.values(), (glossary, glossary_doc))
    for model, doc in texts:
        if model is not None and doc is not None:
            c.problems += text_language_problems(doc, model, languages)
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
        languages=languages,
    )


def _languages(c: Collector, root: Path) -> tuple[str, ...]:
    """The site's languages from mkdocs.yml; vi and en for a tree without one (a lesson
    folder checked on its own), and a problem when its list is not usable."""
    if not (root / "mkdocs.yml").is_file():
        return schema.LANGUAGES
    try:
        return site_languages(root)
    except SourceError as error:
        c.problems += error.problems
        return schema.LANGUAGES


def _load_dir(
    c: Collector, folder: Path, model: type[M]
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


def topic_names(root: Path) -> list[str]:
    """The topics of content/topics.yaml, in order; raise SourceError when it cannot be read."""
    c = Collector(root.resolve())
    topics, _ = c.model(root / "content" / "topics.yaml", schema.Topics)
    if topics is None:
        raise SourceError(c.problems)
    return list(topics.topics)
