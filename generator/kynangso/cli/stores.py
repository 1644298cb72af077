"""The class store's file and its residents' data: backup, restore, prune."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kynangso.cli.common import DB_HELP, DEFAULT_DB, _db, _existing_store


@click.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--out", "out_file", required=True, help="The backup file to write.")
def backup(db_path: str, out_file: str) -> None:
    """An online backup of the class store, safe while the server runs."""
    from kynangso.classroom import store, storefile

    _sqlite_only("backup", db_path)
    if not Path(db_path).is_file():
        click.echo(f"no class store at {db_path}", err=True)
        sys.exit(1)
    connection = store.connect(Path(db_path))
    storefile.backup(connection, Path(out_file))
    connection.close()
    copy = store.reader(Path(out_file))
    found = store.counts(copy)
    copy.close()
    click.echo(
        f"backed up {db_path} to {out_file}: {found['classes']} classes,"
        f" {found['learners']} learners, {found['completions']} completions"
    )


@click.command()
@click.option("--from", "backup_file", required=True, help="The backup file to restore.")
@click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, help="The class store to replace."
)
def restore(backup_file: str, db_path: str) -> None:
    """Replace the class store with a backup (stop 'kynangso serve' first)."""
    from kynangso.classroom import store, storefile

    _sqlite_only("restore", db_path)
    try:
        found = storefile.restore(Path(backup_file), Path(db_path))
    except storefile.StoreInUse as exc:
        click.echo(f"cannot restore: {exc}; stop it (Ctrl+C) and run restore again", err=True)
        sys.exit(1)
    except store.StoreError as exc:
        click.echo(f"cannot restore: {exc}; {db_path} was left as it was", err=True)
        sys.exit(1)
    click.echo(
        f"restored {backup_file} to {db_path} (integrity check ok): {found['classes']} classes,"
        f" {found['learners']} learners, {found['completions']} completions"
    )


def _sqlite_only(command: str, db_path: str) -> None:
    """Exit with one line when `command` (backup, restore) is given a PostgreSQL URL."""
    from kynangso.classroom.database import is_url

    if is_url(db_path):
        click.echo(
            f"{command} works on a SQLite class store only; for PostgreSQL use pg_dump and"
            " pg_restore",
            err=True,
        )
        sys.exit(1)


@click.command()
@click.option("--db", "db_path", required=True, help=DB_HELP)
@click.option(
    "--older-than",
    "older_than",
    required=True,
    help="Drop names of learners with no result for this long: 365d (days) or 52w (weeks).",
)
@click.option("--json", "as_json", is_flag=True, help="End with a JSON line of the counts.")
def prune(db_path: str, older_than: str, as_json: bool) -> None:
    """Drop the names of learners with no result in the given time; counts stay."""
    import json

    from kynangso.classroom import storefile
    from kynangso.classroom.forget import parse_age, prune_names

    try:
        age = parse_age(older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from None
    connection = _existing_store(db_path)
    try:
        dropped = prune_names(connection, age)
    finally:
        connection.close()
    storefile.checkpoint(_db(db_path), "TRUNCATE")
    click.echo(
        f"dropped {dropped['names_dropped']} names of learners with no result since"
        f" {dropped['cutoff']}; every result stays"
    )
    if as_json:
        click.echo(json.dumps(dropped))
