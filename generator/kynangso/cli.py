"""The `kynangso` command: parse arguments, call one function, turn our errors into messages."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import BuildError, SourceError


def _root(value: str) -> Path:
    return Path(value).resolve()


@click.group()
@click.version_option(package_name="kynangso")
def main() -> None:
    """Kỹ năng số: build the bilingual lesson site from YAML sources."""


@main.command()
@click.option("--root", default=".", show_default=True, help="Project folder with lessons/, quizzes/, content/.")
def validate(root: str) -> None:
    """Check every lesson, quiz and page; list every problem as file:line:column."""
    from .validate import load_project

    try:
        project = load_project(_root(root))
    except SourceError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"ok: {len(project.lessons)} lessons, {len(project.quizzes)} quizzes, no problems")


@main.command()
@click.option("--root", default=".", show_default=True, help="Project folder with lessons/, quizzes/, content/.")
@click.option("--site", "site_dir", default=None, help="Where the site goes (default: <root>/site).")
def build(root: str, site_dir: str | None) -> None:
    """Validate, render and build the site; replace site/ only when everything succeeded."""
    from .build import build as run_build

    project_root = _root(root)
    target = Path(site_dir).resolve() if site_dir else project_root / "site"
    try:
        report = run_build(project_root, target)
    except SourceError as exc:
        click.echo(str(exc), err=True)
        click.echo("build stopped: site/ was left as it was", err=True)
        sys.exit(1)
    except BuildError as exc:
        click.echo(f"build failed: {exc}", err=True)
        click.echo("build stopped: site/ was left as it was", err=True)
        sys.exit(1)
    click.echo(report.summary())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for the local Wi-Fi).")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--site", "site_dir", default="site", show_default=True, help="The built site folder.")
def serve(host: str, port: int, site_dir: str) -> None:
    """Serve the built site; stop with Ctrl+C."""
    from .serve import make_server

    try:
        server = make_server(Path(site_dir).resolve(), host, port)
    except (FileNotFoundError, OSError) as exc:
        click.echo(f"cannot serve: {exc}", err=True)
        sys.exit(1)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    click.echo(f"Kỹ năng số is being served at http://{shown_host}:{server.server_address[1]}/ (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
@click.option("--root", default=".", show_default=True, help="Project folder with lessons/ and quizzes/.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def status(root: str, as_json: bool) -> None:
    """One row per lesson: languages, completeness, questions, sources, review date (stale after a year)."""
    import json

    from .status import format_table, lesson_status

    rows = lesson_status(_root(root))
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(rows))


if __name__ == "__main__":
    main()
