"""The editors' commands: validate, build, status, new lesson, schema, links, preview."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kynangso.cli.common import _root, root_option
from kynangso.errors import BuildError, SourceError


@click.command()
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


@click.command()
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


@click.command()
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


@click.group()
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


@click.command()
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


@click.command()
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


@click.command()
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
