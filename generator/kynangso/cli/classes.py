"""Class mode on the laptop: serve, and the classes and learners of the store (class create,
list, rename, close; learner merge, forget)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kynangso.cli.common import (
    DB_HELP,
    DEFAULT_DB,
    _class_pin,
    _db,
    _existing_store,
    _open_store,
    _shown_db,
    _store_change,
    db_option,
    json_option,
)

if TYPE_CHECKING:
    from kynangso.classroom.database import Connection


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for the class Wi-Fi).",
)
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option(
    "--site", "site_dir", default="site", show_default=True, help="The built site folder."
)
def serve(host: str, port: int, db_path: str, site_dir: str) -> None:
    """Serve the site, the completions API and the coach dashboard (class mode)."""
    import uvicorn

    from kynangso.catalog import CatalogError
    from kynangso.classroom.database import DatabaseError, is_url
    from kynangso.classroom.server import create_app
    from kynangso.classroom.store import StoreError

    store_is_new = not is_url(db_path) and not Path(db_path).is_file()
    refused: tuple[type[Exception], ...] = (CatalogError, FileNotFoundError, StoreError)
    try:
        app = create_app(Path(site_dir), _db(db_path))
    except refused + DatabaseError as exc:  # a PostgreSQL server down or refusing us, too
        click.echo(f"cannot serve: {exc}", err=True)
        sys.exit(1)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    click.echo(f"Kỹ năng số is being served at http://{shown}:{port}/ (Ctrl+C to stop)")
    click.echo(f"coach dashboard: http://{shown}:{port}/coach/   class store: {_shown_db(db_path)}")
    _warn_about_store(db_path, store_is_new, app.state.connection)
    app.state.listen_host = host  # the class poster tells whether phones can reach this laptop
    if host in ("0.0.0.0", "::"):
        _print_lan_addresses(port)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def _warn_about_store(db_path: str, is_new: bool, connection: Connection) -> None:
    """Say which store is used, and loudly when no phone could join a class in it."""
    from kynangso.classroom import store

    found = store.counts(connection)
    click.echo(
        f"class store: {_shown_db(db_path)} ({'new, ' if is_new else ''}{found['classes']} classes,"
        f" {found['learners']} learners, {found['completions']} completions)"
    )
    if found["classes"] == 0:
        click.secho(
            f"WARNING: {'this class store is new and' if is_new else 'this class store'} has no"
            " classes, so no phone can join one. Create a class first (Ctrl+C, then):\n"
            f'  kynangso class create "Lớp ..." --pin PIN --db {_shown_db(db_path)}\n'
            "or, if the class store is elsewhere, start again with --db PATH.",
            err=True,
            fg="red",
            bold=True,
        )


def _print_lan_addresses(port: int) -> None:
    """Each address phones on the class Wi-Fi can open, with its QR code, the default route's
    first; never a loopback one (a QR code to it would lead nowhere)."""
    import segno

    from kynangso.classroom.network import lan_addresses

    addresses = lan_addresses()
    if not addresses:
        click.secho(
            "no network address phones could open: connect this laptop to the class Wi-Fi"
            " (or open its hotspot) and start again",
            err=True,
            fg="red",
            bold=True,
        )
        return
    for address in addresses:
        url = f"http://{address}:{port}/tham-gia-lop/"
        click.echo(f"on the class Wi-Fi, phones open: {url}")
        segno.make(url, error="m").terminal(compact=True)
    click.echo(f"class poster to print: http://{addresses[0]}:{port}/coach/poster (after login)")


@click.group(name="class")
def class_group() -> None:
    """Classes for class mode."""


@class_group.command(name="create")
@click.argument("name")
@click.option(
    "--pin",
    default=None,
    help="The facilitator's PIN for the coach dashboard (4 to 64 characters). Visible to other"
    " users of the computer and kept in the shell history: prefer the prompt or --pin-file.",
)
@click.option(
    "--pin-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Read the PIN from the first line of this file (UTF-8).",
)
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="End with a JSON line {code, name}.")
def class_create(
    name: str, pin: str | None, pin_file: str | None, db_path: str, as_json: bool
) -> None:
    """Create a class; print its code (6 characters, easy to read aloud).

    Without --pin or --pin-file, asks for the PIN twice without showing it."""
    import json

    from kynangso.classroom import store

    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise click.BadParameter("the class name must be 1 to 80 characters", param_hint="NAME")
    pin = _class_pin(pin, pin_file)
    connection = _open_store(db_path, "create the class")
    code = store.create_class(connection, name, pin)
    connection.close()
    click.echo(f"class '{name}' created; its code is {code}")
    if as_json:
        click.echo(json.dumps({"code": code, "name": name}, ensure_ascii=False))


@class_group.command(name="list")
@db_option
@json_option
def class_list(db_path: str, as_json: bool) -> None:
    """Every class: code, name, learners (persons), completions, created, closed."""
    import json

    from kynangso.classroom import roster

    rows = _store_change(db_path, roster.class_rows)
    for row in rows:
        state = f"closed {row['closed']}" if row["closed"] else "open"
        click.echo(
            f"{row['code']}  {row['name']}  {row['learners']} learners"
            f"  {row['completions']} completions  created {row['created']}  {state}"
        )
    if not rows:
        click.echo("no class yet: create one with 'kynangso class create NAME'")
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))


@class_group.command(name="rename")
@click.argument("code")
@click.argument("name")
@db_option
def class_rename(code: str, name: str, db_path: str) -> None:
    """Give class CODE a new NAME (1 to 80 characters)."""
    from kynangso.classroom import roster

    _store_change(db_path, roster.rename_class, code.strip().upper(), name)
    click.echo(f"class {code.strip().upper()} is now '{name.strip()}'")


@class_group.command(name="close")
@click.argument("code")
@db_option
def class_close(code: str, db_path: str) -> None:
    """Close class CODE to new learners; those who joined can still send results."""
    from kynangso.classroom import roster

    when = _store_change(db_path, roster.close_class, code.strip().upper())
    click.echo(f"class {code.strip().upper()} is closed (since {when})")


@click.group(name="learner")
def learner_group() -> None:
    """Learners of class mode."""


@learner_group.command(name="merge")
@click.argument("keep_id")
@click.argument("other_id")
@db_option
@json_option
def learner_merge(keep_id: str, other_id: str, db_path: str, as_json: bool) -> None:
    """Make OTHER_ID the same person as KEEP_ID (two entries of one resident in one class)."""
    import json

    from kynangso.classroom import roster

    person = _store_change(db_path, roster.merge_learners, keep_id, other_id)
    click.echo(f"learner {other_id} is now the same person as {keep_id}")
    if as_json:
        click.echo(json.dumps({"person": person, "merged": other_id}))


@learner_group.command(name="forget")
@click.argument("learner_id")
@click.option("--db", "db_path", required=True, help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="End with a JSON line of what was removed.")
def learner_forget(learner_id: str, db_path: str, as_json: bool) -> None:
    """Remove a learner's name from the store; the results stay under the learner's id."""
    import json

    from kynangso.classroom import store, storefile
    from kynangso.classroom.forget import forget_learner

    connection = _existing_store(db_path)
    try:
        removed = forget_learner(connection, learner_id)
    except store.StoreError as exc:
        click.echo(f"cannot forget: {exc}", err=True)
        sys.exit(1)
    finally:
        connection.close()
    storefile.checkpoint(_db(db_path), "TRUNCATE")  # the old name must not wait in the -wal file
    done = "removed the name of" if removed["name_removed"] else "no name was left for"
    click.echo(
        f"{done} learner {learner_id} of class '{removed['class_name']}'"
        f" ({removed['class_code']}); {removed['results_kept']} results kept under its id"
    )
    if as_json:
        click.echo(json.dumps(removed, ensure_ascii=False))
