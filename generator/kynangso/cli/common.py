"""What the commands share: the --db and --root options, opening the class store (or one line
and exit 1 when it cannot be opened), a store change in one transaction, the PIN prompt."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from kynangso.classroom.database import Connection

DEFAULT_DB = "kynangso.db"

DB_HELP = "The class store: a SQLite file, or a postgresql://user:password@host:port/dbname URL."

T = TypeVar("T")


root_option = click.option(
    "--root",
    default=".",
    show_default=True,
    help="Project folder with lessons/, quizzes/ and content/.",
)


def _root(value: str) -> Path:
    return Path(value).resolve()


def _db(db_path: str) -> Path | str:
    """A `--db` value as the store takes it: a PostgreSQL URL as it is, else a path."""
    from kynangso.classroom.database import target

    return target(db_path)


def is_url(db_path: str) -> bool:
    """Whether a `--db` value is a PostgreSQL URL (then no file is looked for)."""
    from kynangso.classroom import database

    return database.is_url(db_path)


def _shown_db(db_path: str) -> str:
    """A `--db` value as it may be printed: never the password of a URL."""
    from kynangso.classroom.database import shown

    return shown(_db(db_path))


def _open_store(db_path: str, doing: str) -> Connection:
    """The store for a command, or exit 1 with one line when its database cannot be reached
    (a PostgreSQL server down, a wrong password)."""
    from kynangso.classroom import store
    from kynangso.classroom.database import DatabaseError

    try:
        return store.connect(_db(db_path))
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        click.echo(f"cannot {doing}: {_shown_db(db_path)}: {first}", err=True)
        sys.exit(1)


def _existing_store(db_path: str) -> Connection:
    """The store at `db_path`, opened; exit 1 in one line when there is none (never make a
    SQLite file) or its database cannot be reached."""
    if not is_url(db_path) and not Path(db_path).is_file():
        click.echo(f"no class store at {db_path}", err=True)
        sys.exit(1)
    return _open_store(db_path, "open the class store")


db_option = click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, help="The class store (SQLite)."
)


json_option = click.option("--json", "as_json", is_flag=True, help="End with a JSON line.")


def _store_change(db_path: str, function: Callable[..., T], *args: object) -> T:
    """Run one store change in a transaction; a StoreError is a one-line message and exit 1."""
    from kynangso.classroom import store

    connection = _open_store(db_path, "change the store")
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = function(connection, *args)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return result
    except store.StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        connection.close()


def _class_pin(
    pin: str | None, pin_file: str | None, prompt: str = "PIN for the coach dashboard"
) -> str:
    """The new class's PIN from --pin, --pin-file or a hidden prompt, checked."""
    from kynangso.classroom.pins import pin_problem

    if pin is not None and pin_file is not None:
        raise click.UsageError("give either --pin or --pin-file, not both")
    if pin is None and pin_file is None:

        def checked(value: str) -> str:
            problem = pin_problem(value)
            if problem is not None:
                raise click.BadParameter(problem)
            return value

        return str(
            click.prompt(
                prompt,
                hide_input=True,
                confirmation_prompt="The same PIN again",
                value_proc=checked,
            )
        )
    hint = "--pin"
    if pin_file is not None:
        hint = "--pin-file"
        try:
            lines = Path(pin_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {pin_file}: {exc}", param_hint=hint) from exc
        pin = lines[0] if lines else ""
    assert pin is not None
    problem = pin_problem(pin)
    if problem is not None:
        raise click.BadParameter(problem, param_hint=hint)
    return pin
