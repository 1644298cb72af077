"""Helpers for the commune hub's tests: a site that is only a catalog, laptops' stores with
real classes, learners and completions, and the `kynangso` command run as its own process."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from kynangso.catalog import Catalog, LessonEntry, TopicEntry, Words, write_catalog
from kynangso.classroom import store

# lesson: (questions, pass mark)
LESSONS = {"lesson-a": (3, 2), "lesson-b": (2, 2)}


def catalog_site(folder: Path) -> Path:
    """A built site as far as class mode reads it: its catalog.json."""
    folder.mkdir(parents=True, exist_ok=True)
    words = Words(vi="?", en="?")
    catalog = Catalog(
        topics={"topic": TopicEntry(title=Words(vi="Chủ đề", en="Topic"))},
        lessons={
            lesson: LessonEntry(
                topic="topic",
                title=Words(vi=f"Bài {lesson}", en=lesson),
                questions=[words] * questions,
                pass_mark=mark,
            )
            for lesson, (questions, mark) in LESSONS.items()
        },
    )
    write_catalog(catalog, folder)
    return folder


@dataclass
class Laptop:
    """A team laptop's store: its class codes, learner ids and completion ids."""

    db: Path
    codes: list[str] = field(default_factory=list)
    learners: list[str] = field(default_factory=list)
    completions: list[str] = field(default_factory=list)


def laptop(db: Path, completions: int, *, learners: int = 2, code: str | None = None) -> Laptop:
    """A store with one class (with `code` when given), named learners and valid completions."""
    connection = store.connect(db)
    made = Laptop(db)
    class_code = store.create_class(connection, "Lớp Bản Mòng", "2468")
    if code is not None:
        # a class just made has no learners yet: its code can still change
        connection.execute("UPDATE classes SET code = ? WHERE code = ?", (code, class_code))
        class_code = code
    made.codes.append(class_code)
    for number in range(learners):
        made.learners.append(store.add_learner(connection, class_code, f"Lò Văn {number}"))
    connection.execute("BEGIN")
    for number in range(completions):
        made.completions.append(
            add_completion(connection, class_code, made.learners[number % learners])
        )
    connection.execute("COMMIT")
    connection.close()
    return made


def add_completion(connection: object, code: str, learner: str, score: int = 3) -> str:
    completion_id = str(uuid.uuid4())
    store.add_completion(
        connection,  # type: ignore[arg-type]
        store.Completion(
            id=completion_id,
            class_code=code,
            learner_id=learner,
            lesson="lesson-a",
            lang="vi",
            score=score,
            total=3,
            passed=score >= 2,
            answered_at="2026-03-02T03:04:05+00:00",
            answers=[True] * score + [False] * (3 - score),
        ),
    )
    return completion_id


def kynangso(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`kynangso ARGS` in its own process, as a team runs it."""
    return subprocess.run(
        [sys.executable, "-m", "kynangso.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def last_json(output: str) -> dict[str, object]:
    line = output.strip().splitlines()[-1]
    value = json.loads(line)
    assert isinstance(value, dict)
    return value


def new_team(hub_db: Path, name: str, place: str = "") -> dict[str, object]:
    result = kynangso("team", "create", name, "--db", hub_db, "--place", place, "--json")
    assert result.returncode == 0, result.stderr
    return last_json(result.stdout)


def sync(db: Path, url: str, token: object, *extra: str) -> subprocess.CompletedProcess[str]:
    return kynangso("sync", "--db", db, "--to", url, "--token", str(token), "--json", *extra)


def exported(db: Path, site: Path) -> list[dict[str, str]]:
    """The rows of `kynangso export` for the store `db`."""
    result = kynangso("export", "--db", db, "--site", site)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
