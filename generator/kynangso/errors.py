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
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


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


def with_context(problems: list[Problem], root: Path, kind: str = "problem") -> str:
    """Each problem followed by the line it is on and a caret under the column, for people."""
    lines: list[str] = []
    cache: dict[str, list[str]] = {}
    for problem in sorted(problems):
        lines.append(str(problem) if kind == "problem" else f"{problem} (warning)")
        if problem.file not in cache:
            try:
                cache[problem.file] = (
                    (root / problem.file).read_text(encoding="utf-8-sig").splitlines()
                )
            except (OSError, UnicodeDecodeError):
                cache[problem.file] = []
        source = cache[problem.file]
        if 0 < problem.line <= len(source) and source[problem.line - 1].strip():
            text = source[problem.line - 1].replace("\t", " ")
            lines.append(f"  {problem.line:>4} | {text}")
            lines.append(f"       | {' ' * (problem.column - 1)}^")
    count = len(problems)
    lines.append(f"{count} {kind}{'s' if count != 1 else ''} found")
    return "\n".join(lines)
