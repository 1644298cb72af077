"""Where the class store lives: a SQLite file (the laptop) or a PostgreSQL database (the hub).

`--db` takes either; this module is the one place that tells them apart. Both give the store
the same connection shape: `connection.execute(sql, params)` with `?` placeholders, a cursor
with `fetchone/fetchall/fetchmany/rowcount`, and rows indexable by column name and position.
On PostgreSQL that is `PgConnection`, a thin layer over psycopg 3 in autocommit mode (so an
explicit BEGIN ... COMMIT is one transaction, as on SQLite with isolation_level=None).

The schema version lives in `PRAGMA user_version` on SQLite and in the one-row table
`kynangso_schema` on PostgreSQL; `migrate` runs one migration per transaction on both.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import psycopg
import psycopg_pool

URL_SCHEMES = ("postgresql://", "postgres://")
SCHEMA_TABLE = "kynangso_schema"
# pg_advisory_xact_lock's key for "migrating the class store": any fixed number, the same in
# every process, so two servers opening an old database at once migrate it once.
MIGRATION_LOCK = 0x6B6E_7301
READERS_PER_DATABASE = 4

Target = str | Path  # a SQLite path, or a PostgreSQL URL (a str)


class Cursor(Protocol):
    """What a store function may do with the result of `execute` (sqlite3's or ours)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ...) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """A store connection: `sqlite3.Connection` or `PgConnection`."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Any, /) -> Any: ...

    def close(self) -> None: ...


# sqlite3's and psycopg's "a row broke a constraint": usable in `except` for both.
IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
# A value PostgreSQL cannot keep (a NUL in text, a number out of range): one statement's fault.
DataError = psycopg.DataError
# Either database refusing or failing a statement (a file that is not a store, a server down).
DatabaseError: tuple[type[Exception], ...] = (sqlite3.DatabaseError, psycopg.Error)


def is_url(target: Target) -> bool:
    """Whether `target` names a PostgreSQL database rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def target(text: str) -> Target:
    """What a `--db` option holds: the URL as given, or a path."""
    return text if is_url(text) else Path(text)


def shown(where: Target) -> str:
    """`where` as it may be printed: a file's full path; a URL without its password."""
    if not is_url(where):
        return str(Path(where).resolve())
    parts = urlsplit(str(where))
    if parts.password is None:
        return str(where)
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def is_postgres(connection: Connection) -> bool:
    return isinstance(connection, PgConnection)


def json_rows(connection: Connection) -> str:
    """A FROM item `r` over the rows of one parameter, a JSON array of arrays: `r.value ->> 0`
    is a row's first value (text or NULL; cast numbers). One parameter instead of one per
    value: a statement of 500 rows is one short text, prepared once, and psycopg does not
    take its 6,000 values apart one by one."""
    if is_postgres(connection):
        return "jsonb_array_elements(CAST(? AS jsonb)) AS r(value)"
    return "json_each(?) AS r"


def is_broken(connection: Connection) -> bool:
    """Whether a PostgreSQL connection was lost (server restarted, connection killed); a
    SQLite connection never is."""
    return isinstance(connection, PgConnection) and (connection.raw.broken or connection.raw.closed)


# --- PostgreSQL ------------------------------------------------------------------------------


class Row(tuple[Any, ...]):
    """A result row like sqlite3.Row: by position, by column name, and `dict(row)`."""

    names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor: psycopg.Cursor[Any]) -> Callable[[Sequence[Any]], Row]:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    kind = type("Row", (Row,), {"names": names})  # one class per result, not per row

    def make(values: Sequence[Any]) -> Row:
        return kind(values)  # type: ignore[no-any-return]

    return make


# Our SQL is SQLite's; these few words differ. DDL types map once, here: BLOB is BYTEA, and
# TEXT compares byte by byte (COLLATE "C"), as SQLite's BINARY does, so ORDER BY and the CSV
# come out in the same order on both whatever the database's locale.
_DDL = re.compile(r"^\s*(CREATE\s+TABLE|ALTER\s+TABLE)\b", re.IGNORECASE)
_TYPES = ((re.compile(r"\bBLOB\b"), "BYTEA"), (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'))
_BEGIN_IMMEDIATE = re.compile(r"^\s*BEGIN\s+(IMMEDIATE|DEFERRED|EXCLUSIVE)\s*$", re.IGNORECASE)


# The store runs a few hundred distinct statements (a multi-row INSERT has one text per row
# count), each thousands of times: each is translated once, not character by character on
# every run.
@functools.lru_cache(maxsize=2048)
def translate(sql: str, with_params: bool) -> str:
    """SQLite-flavoured SQL as psycopg wants it: `?` outside string literals becomes `%s`, a
    literal `%` is doubled (only when parameters are passed: psycopg reads the query as a
    template only then), and the DDL types and BEGIN IMMEDIATE are mapped."""
    if _BEGIN_IMMEDIATE.match(sql):
        return "BEGIN"
    if _DDL.match(sql):
        for pattern, replacement in _TYPES:
            sql = pattern.sub(replacement, sql)
    if not with_params:
        return sql
    out: list[str] = []
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted  # '' inside a literal flips twice: still inside
        if char == "%":
            out.append("%%")
        elif char == "?" and not quoted:
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


class PgCursor:
    """sqlite3.Cursor's reading side over a psycopg cursor."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def fetchmany(self, size: int = 1) -> list[Any]:
        return list(self._cursor.fetchmany(size)) if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


_stream_numbers = itertools.count()


class PgConnection:
    """A PostgreSQL connection that speaks to the store as sqlite3.Connection does."""

    def __init__(
        self,
        raw: psycopg.Connection[Any],
        give_back: Callable[[psycopg.Connection[Any]], None] | None = None,
    ) -> None:
        self.raw = raw
        self._give_back = give_back

    def execute(self, sql: str, parameters: Any = None, /) -> PgCursor:
        params = list(parameters) if parameters else None
        cursor = self.raw.cursor(row_factory=_row_factory)
        cursor.execute(translate(sql, params is not None), params)
        return PgCursor(cursor)

    def executemany(self, sql: str, parameters: Any, /) -> PgCursor:
        rows = [list(row) for row in parameters]
        cursor = self.raw.cursor(row_factory=_row_factory)
        if rows:
            cursor.executemany(translate(sql, True), rows)
        return PgCursor(cursor)

    def stream(self, sql: str, parameters: Any = None, /, size: int = 4096) -> Iterator[Any]:
        """`sql`'s rows read through a server-side cursor, `size` rows a round trip, so a
        result of a million rows is never whole in this process (`execute` reads it all). The
        cursor lives in a transaction of its own, ended when the rows are read or the iterator
        is closed. Not in `Connection`: only the CSV of a whole hub needs it, and SQLite's
        cursors already step through a result as it is read."""
        params = list(parameters) if parameters else None
        name = f"kynangso_stream_{next(_stream_numbers)}"  # unique on this connection
        with (
            self.raw.transaction(),
            self.raw.cursor(name=name, row_factory=_row_factory) as cursor,
        ):
            cursor.itersize = size
            cursor.execute(translate(sql, params is not None), params)
            yield from cursor

    def close(self) -> None:
        if self._give_back is not None:
            give_back, self._give_back = self._give_back, None
            give_back(self.raw)
        else:
            self.raw.close()


def _pg_connect(url: str) -> PgConnection:
    return PgConnection(psycopg.connect(url, autocommit=True))


_pools: dict[str, psycopg_pool.ConnectionPool[Any]] = {}
_pools_lock = threading.Lock()


def _read_only(raw: psycopg.Connection[Any]) -> None:
    raw.execute("SET default_transaction_read_only = on")
    # The coach's counts over a million completions: no parallel workers, which would take
    # every core from the phones' writes, and memory enough to group in a hash, not on disk.
    raw.execute("SET max_parallel_workers_per_gather = 0")
    raw.execute("SET work_mem = '64MB'")


def _pool(url: str) -> psycopg_pool.ConnectionPool[Any]:
    """The process's pool of read connections to `url`, opened on first use."""
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            pool = psycopg_pool.ConnectionPool(
                url,
                min_size=1,
                max_size=READERS_PER_DATABASE,
                kwargs={"autocommit": True},
                configure=_read_only,
                open=False,
                name="kynangso-readers",
            )
            pool.open(wait=True, timeout=10)
            _pools[url] = pool
        return pool


def close_readers(url: str) -> None:
    """Close the pool of read connections to `url`, if this process opened one."""
    with _pools_lock:
        pool = _pools.pop(url, None)
    if pool is not None:
        pool.close()


@atexit.register
def _close_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


# --- both ------------------------------------------------------------------------------------


def connect(where: Target, migrations: Sequence[Callable[[Any], None]]) -> Connection:
    """A write connection to the store at `where`, created and migrated if need be. (The store
    calls this as `store.connect(where)`, with its own MIGRATIONS.)"""
    if is_url(where):
        connection: Connection = _pg_connect(str(where))
    else:
        connection = _sqlite_connect(Path(where))
    try:
        migrate(connection, migrations)
    except BaseException:
        connection.close()
        raise
    return connection


# After a checkpoint empties the WAL, SQLite cuts the file back to this size, so a busy class
# does not leave hundreds of MB beside the store.
WAL_SIZE_LIMIT = 4 * 1024 * 1024


def _sqlite_connect(db_path: Path) -> sqlite3.Connection:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=10)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    # A forgotten name is overwritten in the file, not just marked free (FAST: no extra I/O).
    connection.execute("PRAGMA secure_delete=FAST")
    # Checkpoints copy the WAL into the database and fsync it: done by `checkpoint()` from a
    # background thread, never inside a request, so no phone waits behind one.
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    return connection


def reader(where: Target) -> Connection:
    """A read-only connection for work done off the event loop (dashboard, CSV, report); it
    never creates or migrates anything. On PostgreSQL it comes from the process's pool, and
    `close()` gives it back."""
    if is_url(where):
        pool = _pool(str(where))
        return PgConnection(pool.getconn(timeout=10), pool.putconn)
    connection = sqlite3.connect(Path(where), check_same_thread=False, timeout=10)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA query_only=ON")
    return connection


def schema_version(connection: Connection) -> int:
    if not is_postgres(connection):
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    if connection.execute("SELECT to_regclass(?)", (SCHEMA_TABLE,)).fetchone()[0] is None:
        return 0
    row = connection.execute(f"SELECT version FROM {SCHEMA_TABLE}").fetchone()
    return 0 if row is None else int(row[0])


def _set_version(connection: Connection, version: int) -> None:
    if is_postgres(connection):
        connection.execute(f"UPDATE {SCHEMA_TABLE} SET version = ?", (version,))
    else:
        connection.execute(f"PRAGMA user_version = {int(version)}")


def _begin_migration(connection: Connection) -> None:
    """Open a write transaction that no other opener of the store can share: SQLite's write
    lock; on PostgreSQL an advisory lock held to COMMIT, taken before the version is read."""
    if not is_postgres(connection):
        connection.execute("BEGIN IMMEDIATE")
        return
    connection.execute("BEGIN")
    connection.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
    connection.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version integer NOT NULL)")
    if connection.execute(f"SELECT COUNT(*) FROM {SCHEMA_TABLE}").fetchone()[0] == 0:
        connection.execute(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (0)")


def migrate(connection: Connection, migrations: Sequence[Callable[[Any], None]]) -> None:
    """Bring the store to len(migrations), one version per transaction. The version is read
    again inside each write transaction, so two processes opening an old store at once do not
    run a migration twice."""
    while schema_version(connection) < len(migrations):
        _begin_migration(connection)
        try:
            version = schema_version(connection)
            if version < len(migrations):
                migrations[version](connection)
                _set_version(connection, version + 1)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
