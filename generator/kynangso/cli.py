"""The `kynangso` command: parse arguments, call one function, turn our errors into messages."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kynangso.errors import BuildError, SourceError

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


@click.group()
@click.version_option(package_name="kynangso")
def main() -> None:
    """Kỹ năng số: build the bilingual lesson site from YAML sources."""


@main.command()
@root_option
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (stale reviews and sources, missing app version, short English) as errors.",
)
def validate(root: str, strict: bool) -> None:
    """Check every lesson, quiz and page; list every problem as file:line:column."""
    from kynangso.errors import with_context
    from kynangso.sources.review import warnings
    from kynangso.sources.validate import load_project

    project_root = _root(root)
    try:
        project = load_project(project_root)
    except SourceError as exc:
        click.echo(with_context(exc.problems, project_root), err=True)
        sys.exit(1)
    found = warnings(project)
    if found:
        click.echo(
            with_context(found, project_root, kind="warning" if not strict else "problem"), err=True
        )
        if strict:
            sys.exit(1)
    click.echo(
        f"ok: {len(project.lessons)} lessons, {len(project.quizzes)} quizzes, no problems"
        + (f", {len(found)} warnings" if found else "")
    )


@main.command()
@root_option
@click.option(
    "--site", "site_dir", default=None, help="Where the site goes (default: <root>/site)."
)
@click.option(
    "--no-teams",
    is_flag=True,
    help="Skip the community teams' materials (notebooks, handbook, slides, PDFs).",
)
@click.option(
    "--site-url", default=None, help="Address the site is reached at, for the posters' QR codes."
)
def build(root: str, site_dir: str | None, no_teams: bool, site_url: str | None) -> None:
    """Validate, render and build the site; replace site/ only when everything succeeded."""
    from kynangso.build import build as run_build

    project_root = _root(root)
    target = Path(site_dir).resolve() if site_dir else project_root / "site"
    try:
        report = run_build(project_root, target, teams=not no_teams, site_url=site_url)
    except SourceError as exc:
        from kynangso.errors import with_context

        click.echo(with_context(exc.problems, project_root), err=True)
        click.echo("build stopped: site/ was left as it was", err=True)
        sys.exit(1)
    except BuildError as exc:
        click.echo(f"build failed: {exc}", err=True)
        click.echo("build stopped: site/ was left as it was", err=True)
        sys.exit(1)
    click.echo(report.summary())


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--out", "out_file", required=True, help="The HTML report to write.")
@click.option("--class", "class_code", default=None, help="Only this class (default: every class).")
@click.option(
    "--site",
    "site_dir",
    default="site",
    show_default=True,
    help="Built site, for lesson titles (optional).",
)
def report(db_path: str, out_file: str, class_code: str | None, site_dir: str) -> None:
    """A self-contained HTML progress report for the commune, from the class store."""
    from kynangso.classroom.report import ReportError, write_report

    site = Path(site_dir)
    try:
        write_report(
            _db(db_path),
            Path(out_file),
            class_code,
            site if (site / "catalog.json").is_file() else None,
        )
    except ReportError as exc:
        click.echo(f"cannot write the report: {exc}", err=True)
        sys.exit(1)
    click.echo(f"wrote {out_file}")


@main.command()
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


@main.group(name="class")
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


# --- class list/rename/close, learner merge, commune pin: see classroom.roster and .commune ---

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


@main.group(name="learner")
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


@main.group(name="commune")
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


@main.command(name="export")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option("--class", "class_code", default=None, help="Only this class (default: every class).")
@click.option(
    "--site",
    "site_dir",
    default="site",
    show_default=True,
    help="Built site, for lesson titles and topics.",
)
@click.option(
    "--out",
    "out_file",
    default="-",
    show_default=True,
    help="File to write (- for standard output).",
)
def export(db_path: str, fmt: str, class_code: str | None, site_dir: str, out_file: str) -> None:
    """Every completion once, one row each, as CSV for a spreadsheet (UTF-8 with BOM)."""
    import io

    from kynangso.catalog import CatalogError, load_catalog
    from kynangso.classroom.database import is_url
    from kynangso.classroom.export import write_completions

    if not is_url(db_path) and not Path(db_path).is_file():
        click.echo(f"no class store at {db_path}", err=True)
        sys.exit(1)
    try:
        catalog = load_catalog(Path(site_dir))
    except CatalogError as exc:
        # Without the catalog every row would have no lesson title and no topic.
        click.echo(
            f"cannot export: no lesson catalog at {exc.path} ({exc.reason})."
            " Run this in the project folder after 'kynangso build', or point at the built"
            " site with --site PATH.",
            err=True,
        )
        sys.exit(1)
    connection = _open_store(db_path, "export")
    out = io.StringIO()
    write_completions(connection, class_code, catalog, out)
    connection.close()
    if out_file == "-":
        sys.stdout.buffer.write(out.getvalue().encode("utf-8"))
    else:
        Path(out_file).write_bytes(out.getvalue().encode("utf-8"))


@main.command()
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


@main.command()
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


# --- the commune hub: teams, sync, merge --------------------------------------------------------


@main.group(name="team")
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


@main.command(name="sync")
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


@main.command(name="merge")
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


def _class_records(db_path: str, class_code: str) -> tuple[str, list[Any], list[Any]]:
    """The name, learners and completions of one class; exits with one line when the store or
    the class is not there."""
    from kynangso.classroom import store

    # a store given as a URL (a server) is for `store.connect` to judge
    if not is_url(db_path) and not Path(db_path).is_file():
        click.echo(f"no class store at {db_path}", err=True)
        sys.exit(1)
    connection = _open_store(db_path, "read the class")
    try:
        name = store.class_name(connection, class_code)
        if name is None:
            click.echo(f"no class {class_code} in {db_path}", err=True)
            sys.exit(1)
        return (
            name,
            store.learners(connection, class_code),
            store.completions(connection, class_code),
        )
    finally:
        connection.close()


def _print_pdf(html: str, out_file: str) -> None:
    from kynangso.teams.printing import PrintJob, page_count, print_all

    try:
        (pdf,) = print_all([PrintJob(html)])
    except BuildError as exc:
        click.echo(f"cannot print: {exc}", err=True)
        sys.exit(1)
    Path(out_file).write_bytes(pdf)
    click.echo(f"wrote {out_file} ({page_count(pdf)} pages)")


kit_lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True
)


@main.command()
@click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, help="The class store (SQLite)."
)
@click.option("--class", "class_code", required=True, help="The class code.")
@click.option("--out", "out_file", required=True, help="The PDF to write.")
@click.option(
    "--site", "site_dir", default="site", show_default=True, help="Built site, for lesson titles."
)
@kit_lang_option
def certificates(db_path: str, class_code: str, out_file: str, site_dir: str, lang: str) -> None:
    """Certificates of participation (PDF, one A4 page per resident who passed a lesson)."""
    from kynangso.catalog import CatalogError, load_catalog
    from kynangso.teams import kit

    name, learners, completions = _class_records(db_path, class_code)
    try:
        catalog = load_catalog(Path(site_dir))
    except CatalogError as exc:
        click.echo(
            f"cannot name the lessons: no lesson catalog at {exc.path} ({exc.reason});"
            " point at the built site with --site PATH",
            err=True,
        )
        sys.exit(1)
    titles = {key: getattr(entry.title, lang) for key, entry in catalog.lessons.items()}
    found = kit.certificates(learners, completions, titles, lang)
    if not found:
        click.echo(
            f"nobody in class {class_code} has passed a lesson yet; nothing written", err=True
        )
        sys.exit(1)
    _print_pdf(kit.certificates_html(found, name, lang), out_file)


@main.command()
@click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, help="The class store (SQLite)."
)
@click.option("--class", "class_code", required=True, help="The class code.")
@click.option("--out", "out_file", required=True, help="The PDF to write.")
@kit_lang_option
def attendance(db_path: str, class_code: str, out_file: str, lang: str) -> None:
    """The class's attendance sheet (PDF): its residents' names, a tick column per session."""
    from kynangso.teams.kit import class_attendance_html

    name, learners, _ = _class_records(db_path, class_code)
    names = [" ".join(str(row["name"] or "").split()) for row in learners]
    _print_pdf(class_attendance_html(name, [n for n in names if n], lang), out_file)


@main.command()
@root_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def status(root: str, as_json: bool) -> None:
    """One row per lesson: languages, completeness, questions, sources, review date (stale after a year)."""
    import json

    from kynangso.sources.status import format_table, lesson_status

    rows = lesson_status(_root(root))
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(rows))


@main.group()
def new() -> None:
    """Start new sources from a template."""


@new.command(name="lesson")
@click.argument("lesson_id", metavar="ID")
@click.option(
    "--topic",
    required=True,
    help="A topic: an entry of content/topics.yaml.",
)
@root_option
def new_lesson(lesson_id: str, topic: str, root: str) -> None:
    """Write lessons/ID.yaml and quizzes/ID.yaml with every field and TODO placeholders."""
    from kynangso.sources.scaffold import ScaffoldError
    from kynangso.sources.scaffold import new_lesson as scaffold

    try:
        written = scaffold(_root(root), lesson_id, topic)
    except ScaffoldError as exc:
        click.echo(f"cannot create the lesson: {exc}", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"wrote {path.relative_to(_root(root)).as_posix()}")
    click.echo("next: replace every TODO, then run 'kynangso validate' to see what is left")


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="content/schemas",
    show_default=True,
    help="Folder for the schema files.",
)
@root_option
def schema(out_dir: str, root: str) -> None:
    """Write JSON Schemas for lessons and quizzes (hints and checks in editors' YAML editors)."""
    from kynangso.errors import SourceError
    from kynangso.sources.jsonschema import write_schemas
    from kynangso.sources.validate import topic_names

    try:
        topics = topic_names(_root(root))
    except SourceError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for path in write_schemas(Path(out_dir), topics):
        click.echo(f"wrote {path}")


@main.command()
@root_option
def links(root: str) -> None:
    """List every external address in the sources, with file:line, for a person to check."""
    from kynangso.sources.links import external_links
    from kynangso.sources.validate import load_project

    try:
        project = load_project(_root(root))
    except SourceError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    found = external_links(project.documents)
    for link in found:
        click.echo(f"{link.file}:{link.line}: {link.field}: {link.url}")
    click.echo(
        f"{len(found)} external links to check by hand (internal links and images were checked)"
    )


@main.command()
@root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--audio-langs",
    default="vi,blt,hmn",
    show_default=True,
    help="Languages of the 'Ghi âm' (record) controls on lesson pages, comma-separated codes.",
)
def preview(root: str, host: str, port: int, audio_langs: str) -> None:
    """Build, serve and rebuild on every save, with the browser reloading by itself."""
    import threading

    import uvicorn

    from kynangso.preview import Preview

    project_root = _root(root)
    watcher = Preview(
        project_root,
        project_root / "build" / "preview-site",
        log=lambda text: click.echo(text, err=True),
        audio_langs=_audio_langs(audio_langs),
    )
    watcher.rebuild()
    threading.Thread(target=watcher.watch, daemon=True).start()
    click.echo(f"preview at http://{host}:{port}/ (rebuilds when you save; Ctrl+C to stop)")
    uvicorn.run(watcher.app(), host=host, port=port, log_level="warning", access_log=False)
    watcher.stop.set()


# --- residents' data: forget, prune -------------------------------------------------------------


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


@main.command()
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


def _existing_store(db_path: str) -> Connection:
    """The store at `db_path`, opened; exit 1 in one line when there is none (never make a
    SQLite file) or its database cannot be reached."""
    if not is_url(db_path) and not Path(db_path).is_file():
        click.echo(f"no class store at {db_path}", err=True)
        sys.exit(1)
    return _open_store(db_path, "open the class store")


def _audio_langs(value: str) -> list[str]:
    """The codes of `--audio-langs`, each checked as a lesson's `audio:` key is."""
    from kynangso.sources.audio import is_language_code

    codes = [code.strip() for code in value.split(",") if code.strip()]
    wrong = [code for code in codes if not is_language_code(code)]
    if wrong or not codes:
        raise click.BadParameter(
            f"expected language codes like vi,blt,hmn but received {value!r}",
            param_hint="--audio-langs",
        )
    return codes


if __name__ == "__main__":
    main()
