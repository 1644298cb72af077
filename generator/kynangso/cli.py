"""The `kynangso` command: parse arguments, call one function, turn our errors into messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kynangso.errors import BuildError, SourceError

if TYPE_CHECKING:
    import sqlite3

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
@click.option(
    "--db", "db_path", default="kynangso.db", show_default=True, help="The class store (SQLite)."
)
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
            Path(db_path),
            Path(out_file),
            class_code,
            site if (site / "catalog.json").is_file() else None,
        )
    except ReportError as exc:
        click.echo(f"cannot write the report: {exc}", err=True)
        sys.exit(1)
    click.echo(f"wrote {out_file}")


DEFAULT_DB = "kynangso.db"


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for the class Wi-Fi).",
)
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, help="The class store (SQLite)."
)
@click.option(
    "--site", "site_dir", default="site", show_default=True, help="The built site folder."
)
def serve(host: str, port: int, db_path: str, site_dir: str) -> None:
    """Serve the site, the completions API and the coach dashboard (class mode)."""
    import uvicorn

    from kynangso.catalog import CatalogError
    from kynangso.classroom.server import create_app
    from kynangso.classroom.store import StoreError

    store_is_new = not Path(db_path).is_file()
    try:
        app = create_app(Path(site_dir), Path(db_path))
    except (CatalogError, FileNotFoundError, StoreError) as exc:
        click.echo(f"cannot serve: {exc}", err=True)
        sys.exit(1)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    click.echo(f"Kỹ năng số is being served at http://{shown}:{port}/ (Ctrl+C to stop)")
    click.echo(
        f"coach dashboard: http://{shown}:{port}/coach/   class store: {Path(db_path).resolve()}"
    )
    _warn_about_store(Path(db_path), store_is_new, app.state.connection)
    app.state.listen_host = host  # the class poster tells whether phones can reach this laptop
    if host in ("0.0.0.0", "::"):
        _print_lan_addresses(port)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def _warn_about_store(db_path: Path, is_new: bool, connection: sqlite3.Connection) -> None:
    """Say which store is used, and loudly when no phone could join a class in it."""
    from kynangso.classroom import store

    found = store.counts(connection)
    click.echo(
        f"class store: {db_path.resolve()} ({'new, ' if is_new else ''}{found['classes']} classes,"
        f" {found['learners']} learners, {found['completions']} completions)"
    )
    if found["classes"] == 0:
        click.secho(
            f"WARNING: {'this class store is new and' if is_new else 'this class store'} has no"
            " classes, so no phone can join one. Create a class first (Ctrl+C, then):\n"
            f'  kynangso class create "Lớp ..." --pin PIN --db {db_path}\n'
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
@click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, help="The class store (SQLite)."
)
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
    connection = store.connect(Path(db_path))
    code = store.create_class(connection, name, pin)
    connection.close()
    click.echo(f"class '{name}' created; its code is {code}")
    if as_json:
        click.echo(json.dumps({"code": code, "name": name}, ensure_ascii=False))


def _class_pin(pin: str | None, pin_file: str | None) -> str:
    """The new class's PIN from --pin, --pin-file or a hidden prompt, checked."""
    from kynangso.classroom.store import pin_problem

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
                "PIN for the coach dashboard",
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


@main.command(name="export")
@click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, help="The class store (SQLite)."
)
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
    from kynangso.classroom import store
    from kynangso.classroom.export import write_completions

    if not Path(db_path).is_file():
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
    connection = store.connect(Path(db_path))
    out = io.StringIO()
    write_completions(connection, class_code, catalog, out)
    connection.close()
    if out_file == "-":
        sys.stdout.buffer.write(out.getvalue().encode("utf-8"))
    else:
        Path(out_file).write_bytes(out.getvalue().encode("utf-8"))


@main.command()
@click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, help="The class store (SQLite)."
)
@click.option("--out", "out_file", required=True, help="The backup file to write.")
def backup(db_path: str, out_file: str) -> None:
    """An online backup of the class store, safe while the server runs."""
    from kynangso.classroom import store

    if not Path(db_path).is_file():
        click.echo(f"no class store at {db_path}", err=True)
        sys.exit(1)
    connection = store.connect(Path(db_path))
    store.backup(connection, Path(out_file))
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
    from kynangso.classroom import store

    try:
        found = store.restore(Path(backup_file), Path(db_path))
    except store.StoreInUse as exc:
        click.echo(f"cannot restore: {exc}; stop it (Ctrl+C) and run restore again", err=True)
        sys.exit(1)
    except store.StoreError as exc:
        click.echo(f"cannot restore: {exc}; {db_path} was left as it was", err=True)
        sys.exit(1)
    click.echo(
        f"restored {backup_file} to {db_path} (integrity check ok): {found['classes']} classes,"
        f" {found['learners']} learners, {found['completions']} completions"
    )


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
