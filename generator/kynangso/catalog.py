"""`catalog.json`: what the built site tells class mode about its lessons, as one typed model.

The build writes it at the site root (`site.render`) and class mode reads it (the server checks
completions against it; the dashboard, the CSV and the report name lessons, topics and questions
with it). It sits at the top of the package, beside `errors`, because it is the one thing both
sides share: `classroom` may not import `site` or `sources`, so a laptop can serve a site built
elsewhere, and this module imports nothing of ours. One model, written and read by the same
code, means the two sides cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FILE_NAME = "catalog.json"


class CatalogError(Exception):
    """The built site's catalog is missing or is not one this version can read."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path} {reason}")


class Words(BaseModel):
    """A text in both languages of the site."""

    model_config = ConfigDict(frozen=True)
    vi: str = Field(description="Vietnamese")
    en: str = Field(description="English")


class TopicEntry(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: Words = Field(description="Name of the topic")


class LessonEntry(BaseModel):
    model_config = ConfigDict(frozen=True)
    topic: str = Field(description="Id of the lesson's topic")
    title: Words = Field(description="Title of the lesson")
    questions: list[Words] = Field(description="The quiz's question prompts, in order")
    pass_mark: int = Field(ge=0, description="Right answers the quiz needs to pass")


class Catalog(BaseModel):
    """Every topic and lesson of a built site, in the site's order (topics, then the lessons of
    each topic by their order)."""

    model_config = ConfigDict(frozen=True)
    topics: dict[str, TopicEntry] = Field(description="Topics by id")
    lessons: dict[str, LessonEntry] = Field(description="Lessons by id")

    def lesson_title(self, lesson: str) -> str:
        """The Vietnamese title of `lesson`, or its id when this build has no such lesson."""
        entry = self.lessons.get(lesson)
        return entry.title.vi if entry is not None else lesson

    def topic_title(self, topic: str) -> str:
        """The Vietnamese name of `topic`, or its id when this build has no such topic."""
        entry = self.topics.get(topic)
        return entry.title.vi if entry is not None else topic


def write_catalog(catalog: Catalog, site_dir: Path) -> Path:
    """Write `catalog.json` into `site_dir`; returns its path."""
    path = site_dir / FILE_NAME
    path.write_text(catalog.model_dump_json(indent=1), encoding="utf-8")
    return path


def catalog_path(site_dir: Path) -> Path:
    return site_dir / FILE_NAME


def load_catalog(site_dir: Path) -> Catalog:
    """The catalog of the site built into `site_dir`. Raises `CatalogError` naming the file
    when it is missing, unreadable or not a catalog (a site from another version, a hand edit)."""
    path = catalog_path(site_dir).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(path, "is missing: build the site with 'kynangso build' first") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(path, f"cannot be read: {exc}") from exc
    try:
        return Catalog.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise CatalogError(
            path,
            f"is not a site catalog ({where}: {first['msg']}):"
            " build the site again with 'kynangso build'",
        ) from exc
