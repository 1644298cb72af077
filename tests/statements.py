"""Counting what the store asks its database: each `execute` is one statement, and on
PostgreSQL one round trip. SQLite's own trace cannot count them once the store has triggers
(it reports each trigger step as its statement again)."""

from __future__ import annotations

from typing import Any

from kynangso.classroom.database import Connection, PgConnection


class _Statements:
    statements: list[str]

    def starting(self, *words: str) -> list[str]:
        """The statements whose first word is one of `words` (any case)."""
        return [s for s in self.statements if s.split()[0].upper() in words]


class _CountedSqlite(_Statements):
    """A SQLite store connection that keeps the text of every statement run through it."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.statements = []

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        self.statements.append(sql)
        return self.connection.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        self.statements.append(sql)
        return self.connection.executemany(sql, parameters)

    def close(self) -> None:
        self.connection.close()


class _CountedPg(PgConnection, _Statements):
    """The same over PostgreSQL: still a PgConnection, so the store speaks its dialect."""

    def __init__(self, connection: PgConnection) -> None:
        super().__init__(connection.raw)
        self.statements = []

    def execute(self, sql: str, parameters: Any = None, /) -> Any:
        self.statements.append(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        self.statements.append(sql)
        return super().executemany(sql, parameters)


Counted = _CountedSqlite | _CountedPg


def counted(connection: Connection) -> Counted:
    """`connection`, keeping the statements run through it in `.statements`."""
    if isinstance(connection, PgConnection):
        return _CountedPg(connection)
    return _CountedSqlite(connection)
