"""`kynangso preview`: build into a private folder, serve it, rebuild when a source is saved and
reload the browser; a problem is shown on the page and in the terminal, and fixing it recovers.
The published site/ is never touched."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from .build import build
from .errors import BuildError, SourceError, with_context
from .static import SiteApp

WATCHED = ("lessons", "quizzes", "content", "mkdocs.yml")
POLL_S = 0.5
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

    def snapshot(self) -> dict[str, tuple[int, int]]:
        stamps = {}
        for name in WATCHED:
            top = self.root / name
            for path in [top] if top.is_file() else top.rglob("*"):
                if path.is_file():
                    stat = path.stat()
                    stamps[str(path)] = (stat.st_mtime_ns, stat.st_size)
        return stamps

    def watch(self) -> None:
        last = self.snapshot()
        while not self.stop.wait(POLL_S):
            current = self.snapshot()
            if current != last:
                time.sleep(0.2)  # let an editor finish writing the file
                last = self.snapshot()
                self.rebuild()

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
