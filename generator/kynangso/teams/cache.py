"""A content-addressed cache: an output is kept under the hash of everything that made it.

The key of an output is the SHA-256 of its inputs (the notebook or HTML it is made from) plus a
fingerprint of our own code and templates, so an unchanged lesson is never rebuilt and a change
to a template rebuilds everything that uses it. Entries not used by a build are removed at its
end, so the cache holds one build's worth of files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE.parent / "templates" / "teams"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the teams code and templates: part of every key."""
    digest = hashlib.sha256()
    for folder in (PACKAGE, TEMPLATES):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def content_key(*parts: str | bytes) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]


class Cache:
    """Files kept under `folder/<kind>/<key><suffix>`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[Path] = set()
        self.hits = 0
        self.misses = 0

    def path(self, kind: str, key: str, suffix: str) -> Path:
        return self.folder / kind / f"{key}{suffix}"

    def get(self, kind: str, key: str, suffix: str) -> bytes | None:
        path = self.path(kind, key, suffix)
        self.used.add(path)
        if path.is_file():
            self.hits += 1
            return path.read_bytes()
        self.misses += 1
        return None

    def put(self, kind: str, key: str, suffix: str, data: bytes) -> None:
        path = self.path(kind, key, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        self.used.add(path)

    def prune(self, kinds: tuple[str, ...]) -> None:
        """Remove the files of `kinds` this build did not use."""
        for kind in kinds:
            folder = self.folder / kind
            if folder.is_dir():
                for path in folder.iterdir():
                    if path.is_file() and path not in self.used:
                        path.unlink()


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename: a killed build never leaves half a file."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` unless the file already holds it (keeps its time stamp for Sphinx)."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    return True


def replace_tree(source: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
