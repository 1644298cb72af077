"""The SQLite file of a class store and its care: checkpoints of the WAL, online backups, the
lock file that tells a running server from a restore, and the restore itself. (A PostgreSQL
store has none of these: it manages its own log, and pg_dump is its backup.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kynangso.classroom import database
from kynangso.classroom.database import Connection, Target
from kynangso.classroom.store import StoreError, connect, counts


class StoreInUse(StoreError):
    """The store is held by a running server (or another restore)."""


def checkpoint(db_path: Target, mode: str = "PASSIVE") -> None:
    """Move committed WAL pages into the database file. PASSIVE (the periodic one) never
    blocks writers; TRUNCATE (at shutdown, after a restore, after a name is forgotten) also
    empties the WAL file. Nothing to do on PostgreSQL, which manages its own log."""
    assert mode in ("PASSIVE", "TRUNCATE")
    if database.is_url(db_path):
        return
    connection = sqlite3.connect(db_path, timeout=10)
    try:
        connection.execute(f"PRAGMA wal_checkpoint({mode})")
    finally:
        connection.close()


def backup(connection: Connection, target: Path) -> None:
    """An online copy of the whole store, safe while the server is writing. The copy is one
    self-contained file (no -wal beside it), so it can be carried on a USB stick as it is.
    SQLite only: PostgreSQL has pg_dump."""
    assert isinstance(connection, sqlite3.Connection), "backup is for a SQLite store"
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_wal(target)  # an old copy's WAL would otherwise be replayed into the new one
    destination = sqlite3.connect(target)
    try:
        connection.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


# --- who is using the store ------------------------------------------------------------------


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def hold(db_path: Path, *, exclusive: bool) -> IO[bytes]:
    """Take the store's lock file: shared by every running server, exclusive for a restore.
    The operating system drops it when the process ends, even after kill -9, so a crash never
    leaves the store looking busy. Raises StoreInUse when it cannot be had right now."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+b")
    try:
        fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreInUse(
            f"{db_path} is in use by a running 'kynangso serve'"
            if exclusive
            else f"{db_path} is being restored"
        ) from None
    return handle


def release(handle: IO[bytes]) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


# --- restore ---------------------------------------------------------------------------------


def _remove_wal(db_path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            db_path.with_name(db_path.name + suffix).unlink()


def _check(connection: Connection, source: Path) -> None:
    """Raise StoreError unless `connection` is an intact class store."""
    try:
        verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{source} is not a class store: {exc}") from exc
    if verdict != ["ok"]:
        raise StoreError(f"{source} is damaged: {'; '.join(verdict[:5])}")
    missing = {"classes", "learners", "completions"} - tables
    if missing:
        raise StoreError(f"{source} is not a class store: no table {', '.join(sorted(missing))}")


@contextlib.contextmanager
def _held(db_path: Path) -> Iterator[None]:
    handle = hold(db_path, exclusive=True)
    try:
        yield
    finally:
        release(handle)


def restore(source: Path, db_path: Path) -> dict[str, int]:
    """Replace the store at `db_path` with the backup `source` and return its counts.

    Refused (StoreInUse) while a server holds the store. The backup is checked and copied to a
    file beside the store first; then the old store's -wal and -shm are removed (left there,
    SQLite would replay the old WAL into the restored file) and the copy takes the store's
    place in one rename. The result is migrated, checked again, and checkpointed."""
    if not source.is_file():
        raise StoreError(f"no backup at {source}")
    with _held(db_path):
        staging = db_path.with_name(db_path.name + ".restoring")
        _remove_wal(staging)
        staging.unlink(missing_ok=True)
        try:
            original = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            try:
                _check(original, source)
                copy = sqlite3.connect(staging)
                try:
                    original.backup(copy)
                    copy.execute("PRAGMA journal_mode=DELETE")
                finally:
                    copy.close()
            finally:
                original.close()
            _remove_wal(db_path)
            os.replace(staging, db_path)
        finally:
            staging.unlink(missing_ok=True)
        connection = connect(db_path)
        try:
            _check(connection, db_path)
            found = counts(connection)
        finally:
            connection.close()
        checkpoint(db_path, "TRUNCATE")
        return found
