"""The tallies: the commune's counts kept as they happen (schema version 6).

`tally_lesson` and `tally_month` hold attempts and passes per (class, learner entry, lesson or
month), kept by triggers on `completions` in the same transaction as every insert (whichever
path makes it: a phone, a sync, a merge, a restored backup, a raw INSERT), and every delete or
update. SQLite gets row triggers, PostgreSQL one statement-level function over the statement's
rows. `store.MIGRATIONS` names the migration (`store._add_tallies`); `create` does its work.
"""

from __future__ import annotations

from kynangso.classroom import database
from kynangso.classroom.database import Connection

# The tallies of version 6: a row per (class, learner entry, lesson) and per (class, learner
# entry, month), with its attempts and passes (the sum of `passed`, as the commune counts it).
TALLIES = {"tally_lesson": "lesson", "tally_month": "month"}
# What each tally's third column is, over a completions row (`{row}`: '', 'NEW.' or 'OLD.').
# The stored day is 'YYYY-MM-DD': its first 7 characters are the month.
TALLY_KEYS = {"lesson": "{row}lesson", "month": "substr({row}day, 1, 7)"}


def _tally_key(key: str, row: str = "") -> str:
    return TALLY_KEYS[key].format(row=f"{row}." if row else "")


def _tally_tables(connection: Connection) -> None:
    for table, key in TALLIES.items():
        connection.execute(
            f"CREATE TABLE {table} ("
            " class_code TEXT NOT NULL,"
            " learner_id TEXT NOT NULL,"
            f" {key} TEXT NOT NULL,"
            " attempts INTEGER NOT NULL,"
            " passes INTEGER NOT NULL,"
            f" PRIMARY KEY (class_code, learner_id, {key}))"
        )


def _sqlite_tally_triggers(connection: Connection) -> None:
    """A row trigger per change of a completion: one upsert per tally for a new row, one
    decrement (and the row dropped at 0 attempts) for a removed one, both for a change."""

    def add(row: str) -> str:
        return "".join(
            f"INSERT INTO {table} (class_code, learner_id, {key}, attempts, passes)"
            f" VALUES ({row}.class_code, {row}.learner_id,"
            f" {_tally_key(key, row)}, 1, {row}.passed)"
            f" ON CONFLICT (class_code, learner_id, {key}) DO UPDATE"
            " SET attempts = attempts + 1, passes = passes + excluded.passes;"
            for table, key in TALLIES.items()
        )

    def remove(row: str) -> str:
        statements = []
        for table, key in TALLIES.items():
            match = (
                f" WHERE class_code = {row}.class_code AND learner_id = {row}.learner_id"
                f" AND {key} = {_tally_key(key, row)}"
            )
            statements.append(
                f"UPDATE {table} SET attempts = attempts - 1, passes = passes - {row}.passed"
                f"{match};"
                f"DELETE FROM {table}{match} AND attempts <= 0;"
            )
        return "".join(statements)

    connection.execute(
        f"CREATE TRIGGER tally_insert AFTER INSERT ON completions BEGIN {add('NEW')} END"
    )
    connection.execute(
        f"CREATE TRIGGER tally_delete AFTER DELETE ON completions BEGIN {remove('OLD')} END"
    )
    connection.execute(
        "CREATE TRIGGER tally_update AFTER UPDATE OF class_code, learner_id, lesson, passed, day"
        f" ON completions BEGIN {remove('OLD')} {add('NEW')} END"
    )


def _pg_tally_function() -> str:
    """The body of PostgreSQL's tally trigger: statement-level, over the statement's rows
    (`added`, `removed`: the transition tables), grouped, so a sync batch or a seed of a
    million rows is one upsert per tally, not one per row. Rows are upserted in key order:
    two writers' batches then lock tally rows in one order and cannot deadlock. No `?` nor
    `%` in it: it is run without parameters, so the connection leaves it as it is."""
    removing, adding = [], []
    for table, key in TALLIES.items():
        grouped = (
            f"SELECT class_code, learner_id, {_tally_key(key)} AS {key}, COUNT(*) AS attempts,"
            " COALESCE(SUM(passed), 0) AS passes FROM {rows} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        match = f"t.class_code = g.class_code AND t.learner_id = g.learner_id AND t.{key} = g.{key}"
        removing.append(
            f"UPDATE {table} t SET attempts = t.attempts - g.attempts,"
            f" passes = t.passes - g.passes FROM ({grouped.format(rows='removed')}) g"
            f" WHERE {match};"
            f" DELETE FROM {table} t USING ({grouped.format(rows='removed')}) g"
            f" WHERE {match} AND t.attempts <= 0;"
        )
        adding.append(
            f"INSERT INTO {table} (class_code, learner_id, {key}, attempts, passes)"
            f" {grouped.format(rows='added')}"
            f" ON CONFLICT (class_code, learner_id, {key}) DO UPDATE"
            f" SET attempts = {table}.attempts + excluded.attempts,"
            f" passes = {table}.passes + excluded.passes;"
        )
    return (
        "CREATE FUNCTION kynangso_tally() RETURNS trigger LANGUAGE plpgsql AS $tally$"
        " BEGIN"
        f" IF TG_OP IN ('DELETE', 'UPDATE') THEN {' '.join(removing)} END IF;"
        f" IF TG_OP IN ('INSERT', 'UPDATE') THEN {' '.join(adding)} END IF;"
        " RETURN NULL;"
        " END $tally$"
    )


def _pg_tally_triggers(connection: Connection) -> None:
    connection.execute(_pg_tally_function())
    for name, event, rows in (
        ("tally_insert", "INSERT", "NEW TABLE AS added"),
        ("tally_delete", "DELETE", "OLD TABLE AS removed"),
        # PostgreSQL allows no column list on an UPDATE trigger with transition tables: any
        # update takes the old rows out and puts the new ones in, which is right whatever
        # changed. (The store never updates a completion; only hands or scripts might.)
        ("tally_update", "UPDATE", "OLD TABLE AS removed NEW TABLE AS added"),
    ):
        connection.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON completions REFERENCING {rows}"
            " FOR EACH STATEMENT EXECUTE FUNCTION kynangso_tally()"
        )


def create(connection: Connection) -> None:
    """The tally tables and their triggers (SQLite's or PostgreSQL's), and the completions
    already stored counted once. The commune view then reads a row per person and lesson, not
    every completion. Merged entries stay apart here: `same_as` is applied when counting."""
    _tally_tables(connection)
    if database.is_postgres(connection):
        _pg_tally_triggers(connection)
    else:
        _sqlite_tally_triggers(connection)
    for table, key in TALLIES.items():
        connection.execute(
            f"INSERT INTO {table} (class_code, learner_id, {key}, attempts, passes)"
            f" SELECT class_code, learner_id, {_tally_key(key)}, COUNT(*), COALESCE(SUM(passed), 0)"
            " FROM completions GROUP BY 1, 2, 3"
        )
