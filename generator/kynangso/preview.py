"""`kynangso preview`: build into a private folder, serve it, rebuild when a source is saved and
reload the browser; a problem is shown on the page and in the terminal, and fixing it recovers.
The published site/ is never touched."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import watchfiles
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from kynangso.build import build
from kynangso.classroom.static import SiteApp
from kynangso.errors import BuildError, SourceError, with_context

WATCHED = ("lessons", "quizzes", "content", "mkdocs.yml")
SOURCE_FOLDERS = ("lessons", "quizzes", "content")
# A save is reported once no further change came for this long (an editor writing a file in
# several steps, a `git checkout` of many files): one rebuild for the lot.
QUIET_MS = 200
RELOAD_JS = """(function () {
  var seen = null, box = null;
  function show(error) {
    if (!error) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "kns-preview-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;margin:0;" +
        "padding:1em;background:#fff4e5;color:#1f2933;border-top:4px solid #b71c1c;z-index:10000;" +
        "font:14px/1.4 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "Build stopped: fix this and save again / Chưa dựng được trang: sửa lỗi rồi lưu lại\\n\\n" + error;
  }
  function poll() {
    fetch("/__preview/state", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (state) {
      if (seen === null) seen = state.version;
      else if (state.version !== seen) { location.reload(); return; }
      show(state.error);
    }).catch(function () {}).then(function () { setTimeout(poll, 700); });
  }
  poll();
})();
"""


class Preview:
    """Watches the sources and rebuilds; remembers the last build's version and problem."""

    def __init__(self, root: Path, site_dir: Path, log: Callable[[str], None] = print) -> None:
        self.root, self.site_dir, self.log = root, site_dir, log
        self.version = 0
        self.error: str | None = None
        self.stop = threading.Event()

    def placeholder(self) -> None:
        """A page to show problems on before the first build has succeeded."""
        if not (self.site_dir / "index.html").is_file():
            self.site_dir.mkdir(parents=True, exist_ok=True)
            page = '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Preview</title></head><body><h1>Kỹ năng số</h1></body></html>'
            for name in ("index.html", "404.html"):
                (self.site_dir / name).write_text(page, encoding="utf-8")

    def rebuild(self) -> None:
        try:
            build(self.root, self.site_dir)
        except SourceError as exc:
            self.error = with_context(exc.problems, self.root)
            self.log(self.error)
            self.placeholder()
            return
        except BuildError as exc:
            self.error = str(exc)
            self.log(self.error)
            self.placeholder()
            return
        self.error = None
        self.version += 1
        self.log(f"rebuilt ({time.strftime('%H:%M:%S')}); the browser reloads by itself")

    def watch(self) -> None:
        """Rebuild after each burst of saves until `stop` is set. The operating system reports
        changes (watchfiles): nothing is polled, and a file restored with its old size and time
        is seen too. The source folders are watched as trees; the project folder itself only
        for mkdocs.yml and for a source folder appearing or going, because editors save by
        replacing a file, which a watch on the file alone would lose after the first save."""
        changed, folders_moved = threading.Event(), threading.Event()
        for target in (self._watch_top, self._watch_sources):
            threading.Thread(target=target, args=(changed, folders_moved), daemon=True).start()
        while changed.wait() and not self.stop.is_set():
            changed.clear()
            self.rebuild()

    def _watch_top(self, changed: threading.Event, folders_moved: threading.Event) -> None:
        for changes in watchfiles.watch(
            self.root,
            recursive=False,
            watch_filter=lambda _, path: Path(path).name in WATCHED,
            step=QUIET_MS,
            stop_event=self.stop,
        ):
            if any(Path(path).name in SOURCE_FOLDERS for _, path in changes):
                folders_moved.set()
            changed.set()
        folders_moved.set()  # wake the others so they see `stop`
        changed.set()

    def _watch_sources(self, changed: threading.Event, folders_moved: threading.Event) -> None:
        while not self.stop.is_set():
            folders_moved.clear()
            folders = [self.root / name for name in SOURCE_FOLDERS if (self.root / name).is_dir()]
            if not folders:  # until one appears; the timeout only guards a missed wake-up
                folders_moved.wait(1.0)
                continue
            for _ in watchfiles.watch(
                *folders, step=QUIET_MS, stop_event=_Either(self.stop, folders_moved)
            ):
                changed.set()

    def app(self) -> Starlette:
        async def state(_: Request) -> JSONResponse:
            return JSONResponse(
                {"version": self.version, "error": self.error},
                headers={"Cache-Control": "no-store"},
            )

        async def reload_js(_: Request) -> Response:
            return Response(
                RELOAD_JS, media_type="text/javascript", headers={"Cache-Control": "no-store"}
            )

        site = SiteApp(
            self.site_dir,
            inject=b'<script src="/__preview/reload.js" defer></script>',
            hidden=("sw.js",),
        )
        return Starlette(
            routes=[
                Route("/__preview/state", state),
                Route("/__preview/reload.js", reload_js),
                Mount("/", app=site),
            ]
        )


class _Either:
    """Set when either event is: ends a watch on `stop` or when the folders to watch change."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)
