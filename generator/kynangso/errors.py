"""One error family and one formatter for everything an editor can get wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one source file, at a line and column (both counted from 1)."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class SourceError(Exception):
    """Raised when the sources have problems; carries every problem found, sorted."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__(format_problems(self.problems))


class BuildError(Exception):
    """Raised when a build stage outside the sources fails (mkdocs, the file system)."""


def format_problems(problems: list[Problem]) -> str:
    """Every problem on its own line, then a count, the way an editor reads them."""
    lines = [str(p) for p in sorted(problems)]
    count = len(problems)
    lines.append(f"{count} problem{'s' if count != 1 else ''} found")
    return "\n".join(lines)


def display_path(path: Path, root: Path) -> str:
    """The path as an editor sees it: relative to the project root, with forward slashes."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
