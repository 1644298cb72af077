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
