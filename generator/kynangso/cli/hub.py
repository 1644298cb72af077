"""The commune hub: teams, sync, merge, and the commune view's PIN."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kynangso.cli.common import (
    DEFAULT_DB,
    _class_pin,
    _db,
    _open_store,
    _store_change,
    db_option,
    is_url,
)


@click.group(name="commune")
def commune_group() -> None:
    """The commune view of the dashboard (/coach/commune/)."""


@commune_group.command(name="pin")
@click.option(
    "--pin-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Read the PIN from the first line of this file (UTF-8).",
)
@db_option
def commune_pin(pin_file: str | None, db_path: str) -> None:
    """Set the commune PIN; without --pin-file, asks for it twice without showing it."""
    from kynangso.classroom import commune

    pin = _class_pin(None, pin_file, "PIN for the commune view")
    _store_change(db_path, commune.set_pin, pin)
    click.echo("the commune PIN is set: open /coach/commune/ on the server")


@click.group(name="team")
def team_group() -> None:
    """Teams that sync their laptops to this store (the commune hub)."""


@team_group.command(name="create")
@click.argument("name")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="The hub's store.")
@click.option("--place", default="", help="The team's village (bản, tiểu khu).")
@click.option("--json", "as_json", is_flag=True, help="End with a JSON line {team, name, token}.")
def team_create(name: str, db_path: str, place: str, as_json: bool) -> None:
    """Register a team; print its token once (the hub keeps only its hash)."""
    import json

    from kynangso.classroom import hub

    name, place = name.strip(), place.strip()
    if not 1 <= len(name) <= 80:
        raise click.BadParameter("the team name must be 1 to 80 characters", param_hint="NAME")
    connection = _open_store(db_path, "create the team")
    team, token = hub.create_team(connection, name, place)
    connection.close()
    click.echo(f"team '{name}' created (id {team.id}); its token, shown only now: {token}")
    if as_json:
        click.echo(json.dumps({"team": team.id, "name": name, "token": token}, ensure_ascii=False))


@click.command(name="sync")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="This laptop's store.")
@click.option("--to", "hub_url", required=True, help="The hub's address, e.g. https://hub.example")
@click.option("--token", required=True, help="The team's token from 'kynangso team create'.")
@click.option("--with-names", is_flag=True, help="Send learners' names too (default: ids only).")
@click.option("--json", "as_json", is_flag=True, help="End with a JSON line of counts.")
def sync_command(db_path: str, hub_url: str, token: str, with_names: bool, as_json: bool) -> None:
    """Send the hub every class, learner and completion it has not acknowledged yet."""
    import json

    from kynangso.classroom.sync import Hub, SyncError, sync

    if not is_url(db_path) and not Path(db_path).is_file():
        click.echo(f"no class store at {db_path}", err=True)
        sys.exit(1)
    try:
        totals = sync(_db(db_path), Hub(hub_url, token), with_names=with_names, say=_to_stderr)
    except SyncError as exc:
        click.echo(f"sync stopped: {exc}", err=True)
        if as_json and exc.totals is not None:
            click.echo(json.dumps(exc.totals.as_json()))
        sys.exit(1)
    click.echo(
        f"sent {totals.sent} completions: {totals.stored} new at the hub,"
        f" {totals.already} already there; {totals.waiting} waiting"
    )
    if as_json:
        click.echo(json.dumps(totals.as_json()))
    if not totals.done:
        sys.exit(1)


def _to_stderr(line: str) -> None:
    click.echo(line, err=True)


@click.command(name="merge")
@click.option("--into", "target", required=True, help="The store to add the sources to.")
@click.argument("sources", nargs=-1, required=True)
@click.option("--team", "team_name", default=None, help="Team of sources that never synced.")
@click.option("--place", default="", help="That team's village, when merge adds the team.")
@click.option("--site", "site_dir", default="site", show_default=True, help="The built site.")
@click.option("--json", "as_json", is_flag=True, help="End with a JSON line of counts.")
def merge_command(
    target: str,
    sources: tuple[str, ...],
    team_name: str | None,
    place: str,
    site_dir: str,
    as_json: bool,
) -> None:
    """Add class stores (from a USB stick) to TARGET; merging again adds nothing."""
    import json

    from kynangso.catalog import CatalogError, load_catalog
    from kynangso.classroom.merge import MergeError, merge

    try:
        catalog = load_catalog(Path(site_dir))  # completions are checked against the lessons
        totals = merge(_db(target), [Path(s) for s in sources], catalog, team_name, place)
    except (CatalogError, MergeError) as exc:
        click.echo(f"cannot merge: {exc}", err=True)
        sys.exit(1)
    counts = totals.as_json()
    for problem in totals.rejected[:20]:
        click.echo(f"refused {problem['kind']} {problem['id']}: {problem['detail']}", err=True)
    click.echo(
        f"merged {len(sources)} stores into {target}: {counts['stored']} new completions,"
        f" {counts['already']} already there, {counts['rejected']} refused"
    )
    if as_json:
        click.echo(json.dumps(counts))
