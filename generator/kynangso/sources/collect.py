"""The `Collector`: loads one source file into its model and records every failure as a `Problem`.

Loading a file, checking its author text, spotting scaffold placeholders and turning pydantic
errors into positioned problems all happen here, so the cross-file rules (`rules.py`) and
`load_project` (`project.py`) only ever see a model or a list of problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kynangso.errors import Problem, display_path
from kynangso.sources.authortext import strings, text_problems
from kynangso.sources.loading import Document, PathKey, field_path, load_yaml
from kynangso.sources.messages import allowed_fields, kind_of, message, unknown_field

M = TypeVar("M", bound=BaseModel)

PLACEHOLDER = "TODO"


def placeholders(data: Any) -> set[PathKey]:
    """Paths of every value still holding the scaffold's TODO placeholder."""
    return {path for path, text in strings(data) if text.strip().startswith(PLACEHOLDER)}


class Collector:
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
                f"expected fields (name: value) at the top of the file but received {kind_of(doc.data)}",
            )
            return None, doc
        to_fill = placeholders(doc.data)
        for where in to_fill:
            self.at(doc, where, "to fill: replace the TODO placeholder")
        for where, text in strings(doc.data):
            for found in text_problems(text):
                self.at(doc, where, found)
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
            self.at(doc, loc[:-1], message(error, loc[:-1]), key=True)
            return
        if error["type"] == "extra_forbidden":
            allowed = allowed_fields(model, loc[:-1])
            self.at(doc, loc, unknown_field(str(loc[-1]), allowed), key=True)
            return
        if error["type"] == "missing":
            self.at(doc, loc[:-1], message(error, loc), field=loc)
            return
        self.at(doc, loc, message(error, loc))
