"""What a class store gives out: the HTML report, the CSV export, certificates and attendance
sheets (PDF)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kynangso.cli.common import DB_HELP, DEFAULT_DB, _db, _open_store, is_url
from kynangso.errors import BuildError


@click.command()
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


@click.command(name="export")
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


def _class_records(db_path: str, class_code: str) -> tuple[str, list[Any], list[Any]]:
    """The name, persons (one row each, however many entries were merged into them) and their
    completions of one class; exits with one line when the store or the class is not there."""
    from kynangso.classroom import roster, store

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
            roster.people(connection, class_code),
            roster.people_completions(connection, class_code),
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


@click.command()
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


@click.command()
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
