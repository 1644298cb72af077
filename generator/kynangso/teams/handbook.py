"""The handbook: every lesson plan, Vietnamese then English, as a jupyter-book 1.x HTML book.

jupyter-book 2.x downloads its theme at build time and fails offline, hence `jupyter-book<2`.
The book is built in its own process with warnings as errors (`-W -n --keep-going`), nothing
executed, no math (MyST's dollar-math is off, so a `$` in a lesson stays a `$` and MathJax is
never needed), and the Binder/Thebe/comment extensions left out, so no page loads another host.

The book's source folder lives in the cache and files are rewritten only when their content
changed: Sphinx then re-reads just the changed lessons. A whole-book content hash skips the
build entirely when nothing changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kynangso.errors import BuildError
from kynangso.site.render import markdown_text as md
from kynangso.sources.schema import LANGUAGES
from kynangso.sources.validate import Project
from kynangso.teams.cache import content_key, write_if_changed
from kynangso.teams.strings import TEAMS_UI

LANGUAGE_CAPTIONS = {"vi": "Tiếng Việt", "en": "English"}
EXTENSIONS = [
    "sphinx_togglebutton",
    "myst_nb",
    "jupyter_book",
    "sphinx_comments",  # kept (switched off) because jupyter-book always sets its config value
    "sphinx_external_toc",
    "sphinx_design",
    "sphinx_book_theme",
]
# Files of the built book nobody reading it needs.
DROPPED = (".buildinfo", ".map", "objects.inv")
# Our Sphinx extension for accent-free search, copied into the book's sources so that a change
# to it rebuilds the book.
SEARCH_EXTENSION = Path(__file__).resolve().with_name("booksearch.py")
SEARCH_EXTENSION_NAME = "kns_booksearch"
# Our Sphinx extension that renders each lesson page in its own language (booklanguage.py).
LANGUAGE_EXTENSION = Path(__file__).resolve().with_name("booklanguage.py")
LANGUAGE_EXTENSION_NAME = "kns_booklanguage"
# Shown in the browser tab when the project has no `favicon.svg` of its own (without an icon
# the browser asks the server for /favicon.ico and logs a 404 in the console).
FALLBACK_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#1f5fa8"/></svg>'
)


@dataclass
class BookSources:
    """Every file of the book's source folder, as {relative path: bytes}."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, relative: str, data: str | bytes) -> None:
        self.files[relative] = data.encode("utf-8") if isinstance(data, str) else data

    def key(self) -> str:
        parts: list[str | bytes] = []
        for relative in sorted(self.files):
            parts += [relative, self.files[relative]]
        return content_key("handbook", *parts)


def book_sources(project: Project, notebooks: dict[str, str], media: set[str]) -> BookSources:
    """The book: config, table of contents, a home page and the lesson-plan notebooks (`notebooks` maps `<id>.<lang>` to the .ipynb text)."""
    sources = BookSources()
    sources.add("_config.yml", json.dumps(_config(), ensure_ascii=False, indent=1))
    sources.add(f"_ext/{SEARCH_EXTENSION_NAME}.py", SEARCH_EXTENSION.read_bytes())
    sources.add(f"_ext/{LANGUAGE_EXTENSION_NAME}.py", LANGUAGE_EXTENSION.read_bytes())
    icon = project.media_dir / "favicon.svg"
    sources.add("_ext/favicon.svg", icon.read_bytes() if icon.is_file() else FALLBACK_ICON)
    sources.add("index.md", _home())
    # One part per language and topic ("Tiếng Việt · Định danh điện tử (VNeID)"): grouped
    # like the site, without a page per topic (fewer pages: each costs Sphinx ~0.3 s).
    parts = [
        {
            "caption": f"{LANGUAGE_CAPTIONS[lang]} · {topic.title.get(lang)}",
            "chapters": [{"file": f"{lesson.id}.{lang}"} for lesson in project.lessons_in(key)],
        }
        for lang in LANGUAGES
        for key, topic in project.topics.items()
        if project.lessons_in(key)
    ]
    toc: dict[str, object] = {"format": "jb-book", "root": "index"}
    if parts:
        toc["parts"] = parts
    sources.add("_toc.yml", json.dumps(toc, ensure_ascii=False, indent=1))
    for name, text in sorted(notebooks.items()):
        sources.add(f"{name}.ipynb", text)
    for name in sorted(media):
        sources.add(f"media/{name}", (project.media_dir / name).read_bytes())
    return sources


def _config() -> dict[str, object]:
    """jupyter-book's _config.yml (JSON is valid YAML)."""
    return {
        "title": TEAMS_UI["vi"]["handbook.title"],
        "author": "Kỹ năng số",
        "copyright": "Kỹ năng số",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "media", "_ext"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["colon_fence"]},
        "launch_buttons": {
            "notebook_interface": "",
            "binderhub_url": "",
            "jupyterhub_url": "",
            "thebe": False,
            "colab_url": "",
            "deepnote_url": "",
        },
        "repository": {"url": "", "path_to_book": "", "branch": ""},
        "html": {
            "use_repository_button": False,
            "use_issues_button": False,
            "use_edit_page_button": False,
            "use_multitoc_numbering": False,
            "home_page_in_navbar": True,
            "extra_footer": "",
            "announcement": "",
            "comments": {"hypothesis": False, "utterances": False},
        },
        "sphinx": {
            "local_extensions": {SEARCH_EXTENSION_NAME: "_ext", LANGUAGE_EXTENSION_NAME: "_ext"},
            "config": {
                "extensions": [*EXTENSIONS, SEARCH_EXTENSION_NAME, LANGUAGE_EXTENSION_NAME],
                "language": "vi",
                "kns_extensions_key": content_key(
                    "extensions", SEARCH_EXTENSION.read_bytes(), LANGUAGE_EXTENSION.read_bytes()
                ),
                "kns_languages": {
                    lang: {
                        "title": TEAMS_UI[lang]["handbook.title"],
                        "search": TEAMS_UI[lang]["handbook.search"],
                        "other": TEAMS_UI[lang]["handbook.other"],
                    }
                    for lang in LANGUAGES
                },
                "html_favicon": "_ext/favicon.svg",
                # pydata-sphinx-theme logs an error on a first visit without a colour mode
                "html_context": {"default_mode": "auto"},
                "html_show_copyright": False,
                "html_show_sphinx": False,
                "html_copy_source": False,
                "html_show_sourcelink": False,
                "html_last_updated_fmt": None,
                "myst_enable_extensions": ["colon_fence"],
                # A heading inside an author's step (#### under the step's ##) is fine on
                # the site; the handbook shows it as written instead of failing the build.
                "suppress_warnings": ["myst.domains", "myst.header"],
                "html_theme_options": {
                    "search_bar_text": "Tìm trong sổ tay · Search",
                    "use_download_button": False,
                },
            },
        },
    }


def _home() -> str:
    vi, en = TEAMS_UI["vi"], TEAMS_UI["en"]
    return (
        f"# {md(vi['handbook.title'])}\n\n{md(vi['handbook.intro'])}\n\n"
        f"## {md(en['handbook.title'])}\n\n{md(en['handbook.intro'])}\n"
    )


@dataclass
class HandbookBuild:
    """A book build, started in the background by `start` and finished by `finish`."""

    folder: Path
    key: str
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def html(self) -> Path:
        return self.folder / "src" / "_build" / "html"

    @property
    def cached(self) -> bool:
        return self.process is None


def start(sources: BookSources, folder: Path) -> HandbookBuild:
    """Write the book's sources under `folder/src` and start jupyter-book, unless the last
    successful build there was of exactly these sources."""
    key = sources.key()
    build = HandbookBuild(folder=folder, key=key)
    stamp = folder / "built.key"
    if stamp.is_file() and stamp.read_text() == key and build.html.is_dir():
        return build
    stamp.unlink(missing_ok=True)
    src = folder / "src"
    for relative, data in sources.files.items():
        write_if_changed(src / relative, data)
    _remove_stale(src, set(sources.files))
    build.log = folder / "build.log"
    command = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(src),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
        "-q",
    ]
    env = dict(os.environ, PYTHONHASHSEED="0", SOURCE_DATE_EPOCH="946684800")
    with build.log.open("wb") as log:
        build.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder
        )
    return build


def finish(build: HandbookBuild, out: Path) -> None:
    """Wait for the book, then copy its HTML into `out` (without maps and build records)."""
    if build.process is not None:
        code = build.process.wait()
        if code != 0:
            text = build.log.read_text(encoding="utf-8", errors="replace") if build.log else ""
            # A failed build may leave Sphinx's saved state behind; the next one starts clean.
            shutil.rmtree(build.folder / "src" / "_build", ignore_errors=True)
            raise BuildError(f"the teams' handbook (jupyter-book) failed:\n{_tail(text)}")
        (build.folder / "built.key").write_text(build.key)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(
        build.html, out, ignore=lambda _dir, names: [n for n in names if n.endswith(DROPPED)]
    )


def stop(build: HandbookBuild) -> None:
    """End a build still running (another stage failed)."""
    if build.process is not None and build.process.poll() is None:
        build.process.kill()
        build.process.wait()


def _remove_stale(src: Path, keep: set[str]) -> None:
    """Delete source files of lessons that no longer exist (never the build folder)."""
    for path in sorted(src.rglob("*"), reverse=True):
        relative = path.relative_to(src).as_posix()
        if relative.startswith("_build"):
            continue
        if path.is_file() and relative not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _tail(text: str, lines: int = 40) -> str:
    """The end of jupyter-book's output, without its colour codes."""
    return "\n".join(ANSI.sub("", text).strip().splitlines()[-lines:])
