"""The build, as one linear function of named stages:
load → validate → render Markdown → mkdocs build → post-process → swap into site/.

Everything is built in a staging folder beside `site/`; `site/` is replaced only when every
stage succeeded, so a failed build leaves the published site exactly as it was.
"""

from __future__ import annotations

import fcntl
import importlib.resources
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kynangso.errors import BuildError
from kynangso.site.post.minify import minify_js, shrink_file, shrink_site
from kynangso.site.post.offline import pack_sizes, write_offline_pack
from kynangso.site.post.precompress import precompress_site
from kynangso.site.post.search import link_search_worker, split_search_index
from kynangso.site.post.slim import slim_theme_css
from kynangso.site.render import json_script, moved_lesson_files, navigation, write_docs
from kynangso.site.strings import PROJECT_WORDS, browser_words, site_words
from kynangso.sources.schema import LANGUAGES
from kynangso.sources.validate import Project, load_project
from kynangso.stopwatch import Stopwatch
from kynangso.words import WordsError

OVERRIDES = Path(__file__).resolve().parent / "overrides"
CLEANER = "kynangso.site.clean"


@dataclass
class BuildReport:
    """What a build made and how long each stage took, in seconds."""

    site_dir: Path
    lessons: int = 0
    pages: int = 0
    teams: dict[str, object] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    packs: dict[str, tuple[int, int]] = field(default_factory=dict)

    def summary(self) -> str:
        stages = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.timings.items())
        lines = [f"built {self.lessons} lessons ({self.pages} pages) into {self.site_dir}", stages]
        if self.packs:
            lines.append("offline pack: " + "; ".join(_pack(k, *v) for k, v in self.packs.items()))
        if self.teams:
            lines.append(
                f"team materials in {self.site_dir / 'teams'}: made {_counts(self.teams.get('made'))}; "
                f"reused {_counts(self.teams.get('reused'))}; {_qr_target(self.teams.get('site_url'))}"
            )
        return "\n".join(lines + self.skipped)


def _qr_target(site_url: object) -> str:
    """Where the printed QR codes lead, or why there are none."""
    if site_url:
        return f"posters point at {site_url}"
    return (
        "no QR codes: no --site-url and no site_url in mkdocs.yml, so posters and handouts have a"
        " box for the class address (a class's own poster: /coach/poster in class mode)"
    )


def _pack(lang: str, total: int, audio: int) -> str:
    """ "vi 1.6 MB (0.2 MB of it recordings)": what a phone keeps for one language."""
    voices = f" ({audio / 1048576:.1f} MB of it recordings)" if audio else ""
    return f"{lang} {total / 1048576:.1f} MB{voices}"


def _counts(value: object) -> str:
    """{"pdfs": 34, "slides": 0} as "34 pdfs, 0 slides"."""
    if isinstance(value, dict):
        return ", ".join(f"{count} {kind}" for kind, count in value.items()) or "nothing"
    return str(value)


def build(
    root: Path, site_dir: Path, teams: bool = False, site_url: str | None = None
) -> BuildReport:
    """Build the whole site from the sources under `root` into `site_dir`, with the community
    teams' materials in site/teams/ when `teams` is set. Builds of the same project wait for
    each other (they share build/), so two at once never mix their files."""
    (root / "build").mkdir(parents=True, exist_ok=True)
    with open(root / "build" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(root, site_dir, teams, site_url)


def _build(root: Path, site_dir: Path, teams: bool, site_url: str | None) -> BuildReport:
    report = BuildReport(site_dir=site_dir)
    clock = Stopwatch()
    project = load_project(root)
    report.lessons = len(project.lessons)
    report.timings["validate"] = clock.lap()

    work = root / "build"
    docs_dir = render_docs(project, work)
    report.timings["render"] = clock.lap()

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.staging-", dir=site_dir.parent))
    try:
        run_mkdocs(write_config(project, work, docs_dir), staging)
        report.timings["mkdocs"] = clock.lap()
        report.pages = postprocess(
            staging, skipped=moved_lesson_files(project), languages=project.languages
        )
        report.packs = pack_sizes(staging, project.languages)
        report.timings["postprocess"] = clock.lap()
        build_teams = _teams_builder(report) if teams else None
        if build_teams is not None:  # after post-processing: the offline pack leaves these out
            report.teams = build_teams(
                project,
                staging / "teams",
                work / "teams-cache",
                site_url=site_url,
                show_progress=sys.stderr.isatty(),
            )
            report.timings["teams"] = clock.lap()
        precompress_site(staging)  # last: every file is final, the team materials included
        report.timings["precompress"] = clock.lap()
        swap_into_place(staging, site_dir)
        report.timings["swap"] = clock.lap()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _teams_builder(report: BuildReport) -> Callable[..., dict[str, Any]] | None:
    """`build_teams`, or None with a note in the report when the `teams` extra (Jupyter,
    Playwright, …) is not installed: the site alone needs only the core install."""
    try:
        from kynangso.teams import build_teams
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0]
        if not missing or missing == __package__:  # a fault in our own code, not a missing extra
            raise
        report.skipped.append(
            f"team materials skipped ({missing} is not installed):"
            " install them with pip install -e '.[teams]'"
        )
        return None
    return build_teams


def interface_words(project: Project) -> dict[str, dict[str, str]]:
    """The site's words for each of the project's languages; a `BuildError` naming mkdocs.yml
    for a language listed there without a catalogue (or with a broken one)."""
    try:
        return {lang: site_words(lang, project.root / PROJECT_WORDS) for lang in project.languages}
    except WordsError as error:
        raise BuildError(
            f"mkdocs.yml: plugins.i18n.languages: every language needs interface words"
            f" (kynangso/words/<code>.yaml or the project's {PROJECT_WORDS}/<code>.yaml): {error}"
        ) from None


def render_docs(project: Project, work: Path) -> Path:
    """Write a fresh Markdown tree for mkdocs under `work/docs`."""
    interface_words(project)
    docs_dir = work / "docs"
    shutil.rmtree(docs_dir, ignore_errors=True)
    docs_dir.mkdir(parents=True)
    write_docs(project, docs_dir)
    return docs_dir


def write_config(project: Project, work: Path, docs_dir: Path) -> Path:
    """`work/mkdocs.yml`: the project's mkdocs.yml plus the generated nav (JSON is valid YAML)."""
    # mkdocs replaces, not merges, an inherited list of extensions: the project's file must
    # name the cleaner itself, and a site built without it could run author text as code
    if CLEANER not in (project.root / "mkdocs.yml").read_text(encoding="utf-8"):
        raise BuildError(
            f"mkdocs.yml: markdown_extensions must list {CLEANER} "
            "(it cleans the HTML made from author text)"
        )
    own = project.root / PROJECT_WORDS
    ui = interface_words(project)
    config = {
        "INHERIT": os.path.relpath(project.root / "mkdocs.yml", work),
        "docs_dir": os.path.relpath(docs_dir, work),
        "nav": navigation(project),
        "theme": {"custom_dir": str(theme_overrides(project.languages, work))},
        # the browser words every page needs, per language, as JSON ready for the page
        # (overrides/main.html writes the page's language into a <script>)
        "extra": {
            "kns_words": {
                lang: json_script(browser_words(lang, "every", own)) for lang in project.languages
            },
            # the 404 page (overrides/404.html) answers every unknown path in both languages
            "kns_not_found": {
                lang: {key: ui[lang][key] for key in ("not_found", "not_found.text", "home")}
                for lang in project.languages
            },
        },
    }
    config_file = work / "mkdocs.yml"
    config_file.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    return config_file


def theme_overrides(languages: tuple[str, ...], work: Path) -> Path:
    """Our theme overrides, plus, for a language the theme has no words for (Thái, Mông), a
    stand-in that is the Vietnamese one but names its own language: the theme would otherwise
    fail on it, and the page's `<html lang>` (which the scripts read) must be the page's."""
    themed = Path(str(importlib.resources.files("material"))) / "templates/partials/languages"
    missing = [lang for lang in languages if not (themed / f"{lang}.html").is_file()]
    if not missing:
        return OVERRIDES
    folder = work / "overrides"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(OVERRIDES, folder)
    (folder / "partials" / "languages").mkdir(parents=True, exist_ok=True)
    for lang in missing:
        (folder / "partials" / "languages" / f"{lang}.html").write_text(
            '{% import "partials/languages/vi.html" as base %}\n'
            f'{{% macro t(key) %}}{{{{ "{lang}" if key == "language" else base.t(key) }}}}'
            "{% endmacro %}\n",
            encoding="utf-8",
        )
    return folder


def run_mkdocs(config_file: Path, out_dir: Path) -> None:
    """Run mkdocs in its own process: our code stays free of mkdocs internals."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "-q",
        "-f",
        str(config_file),
        "-d",
        str(out_dir),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=config_file.parent
    )
    if result.returncode != 0:
        raise BuildError(f"mkdocs build failed:\n{result.stdout}{result.stderr}".rstrip())


def postprocess(
    site: Path, skipped: frozenset[str] = frozenset(), languages: tuple[str, ...] = LANGUAGES
) -> int:
    """Split search into one accent-insensitive index per language, loaded only on the first
    query; make our scripts, styles and pages smaller and purge the theme CSS no page uses;
    then write the offline pack, which lists and versions the final files (all but `skipped`);
    return the number of HTML pages."""
    split_search_index(site, languages)
    link_search_worker(site, languages)
    shrink_site(site)
    slim_theme_css(site)
    write_offline_pack(site, skipped, languages)
    shrink_file(site / "sw.js", minify_js)
    return sum(1 for _ in site.rglob("*.html"))


def swap_into_place(staging: Path, site_dir: Path) -> None:
    """Replace `site_dir` with `staging` using renames on the same file system."""
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        site_dir.rename(old)
    try:
        staging.rename(site_dir)
    except OSError as exc:
        if old is not None:
            old.rename(site_dir)
        raise BuildError(f"could not move the new site into {site_dir}: {exc}") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
