"""`kynangso preview`: build into a private folder, serve it, rebuild when a source is saved and
reload the browser; a problem is shown on the page and in the terminal, and fixing it recovers.
The published site/ is never touched."""

from __future__ import annotations

import ipaddress
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import watchfiles
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from kynangso.build import build
from kynangso.classroom.static import SiteApp
from kynangso.errors import BuildError, SourceError, with_context
from kynangso.sources.audio import AUDIO_FOLDER, FILE_LIMIT, LANGUAGE_CODE, kind_of_bytes
from kynangso.sources.recordings import RecordingError, recording_name, with_recording
from kynangso.sources.schema import ID_PATTERN

WATCHED = ("lessons", "quizzes", "content", "mkdocs.yml")
SOURCE_FOLDERS = ("lessons", "quizzes", "content")
# A save is reported once no further change came for this long (an editor writing a file in
# several steps, a `git checkout` of many files): one rebuild for the lot.
QUIET_MS = 200
# The languages a team records in, unless `kynangso preview --audio-langs` says otherwise:
# Vietnamese, Thái Đen (blt) and Mông (hmn), the first languages of Mường La.
AUDIO_LANGS = ("vi", "blt", "hmn")
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


# "Ghi âm": a control per step and language on the preview's lesson pages. It records with the
# browser's MediaRecorder (Opus, at the 24 kbit/s budget of sources/audio.py) and sends the
# recording to this server, which names and saves it and writes the lesson's `audio:` entry;
# the save then rebuilds and reloads the page like any other.
RECORD_JS = """(function () {
  var LANGS = __LANGS__;
  var form = document.querySelector("form.kns-quiz[data-lesson]");
  if (!form || !window.MediaRecorder || !navigator.mediaDevices) return;
  var lesson = form.getAttribute("data-lesson");
  var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"];
  var type = types.filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0] || "";
  document.querySelectorAll("h3.kns-step[id^='step-']").forEach(function (heading) {
    var step = heading.id.slice(5);
    var row = document.createElement("p");
    row.className = "kns-recorder";
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    LANGS.forEach(function (lang) {
      var label = "🎙 Ghi âm · Record: " + lang, recorder = null;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button kns-record";
      button.setAttribute("data-lang", lang);
      button.textContent = label;
      button.addEventListener("click", function () {
        if (recorder) { recorder.stop(); return; }
        navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
          var chunks = [];
          recorder = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 24000 } : {});
          recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
          recorder.onstop = function () {
            stream.getTracks().forEach(function (t) { t.stop(); });
            var blob = new Blob(chunks, { type: recorder.mimeType.split(";")[0] || "audio/webm" });
            recorder = null;
            button.textContent = label;
            status.textContent = "Đang lưu… / Saving…";
            var query = new URLSearchParams({ lesson: lesson, step: step, lang: lang });
            fetch("/__preview/recording?" + query, { method: "POST", headers: { "Content-Type": blob.type }, body: blob })
              .then(function (r) { return r.json().then(function (body) {
                status.textContent = r.ok ? "Đã lưu / Saved: " + body.file : "Chưa lưu / Not saved: " + body.detail;
              }); })
              .catch(function () { status.textContent = "Chưa lưu / Not saved: no connection to the preview"; });
          };
          recorder.start();
          button.textContent = "■ Dừng · Stop: " + lang;
          status.textContent = "Đang ghi… / Recording…";
        }).catch(function (err) { status.textContent = "Không mở được micro / No microphone: " + err.name; });
      });
      row.appendChild(button);
    });
    row.appendChild(status);
    heading.parentNode.insertBefore(row, heading.nextSibling);
  });
})();
"""
SUFFIXES = {"ogg": "ogg", "webm": "webm", "mp3": "mp3", "m4a": "m4a"}


class Preview:
    """Watches the sources and rebuilds; remembers the last build's version and problem."""

    def __init__(
        self,
        root: Path,
        site_dir: Path,
        log: Callable[[str], None] = print,
        audio_langs: Sequence[str] = AUDIO_LANGS,
    ) -> None:
        self.root, self.site_dir, self.log = root, site_dir, log
        self.audio_langs = tuple(audio_langs)
        self.saving = threading.Lock()
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

        async def record_js(_: Request) -> Response:
            script = RECORD_JS.replace("__LANGS__", json.dumps(list(self.audio_langs)))
            return Response(
                script, media_type="text/javascript", headers={"Cache-Control": "no-store"}
            )

        async def recording(request: Request) -> JSONResponse:
            return await self.save_recording(request)

        site = SiteApp(
            self.site_dir,
            inject=b'<script src="/__preview/reload.js" defer></script>'
            b'<script src="/__preview/record.js" defer></script>',
            hidden=("sw.js",),
        )
        return Starlette(
            routes=[
                Route("/__preview/state", state),
                Route("/__preview/reload.js", reload_js),
                Route("/__preview/record.js", record_js),
                Route("/__preview/recording", recording, methods=["POST"]),
                Mount("/", app=site),
            ]
        )

    async def save_recording(self, request: Request) -> JSONResponse:
        """Save a recording sent by the "Ghi âm" control as content/media/audio/<lesson>-<step>-
        <lang>.<ext> (the name is made here, never taken from the request) and write the step's
        `audio:` entry into the lesson, its comments and layout kept."""
        client = request.client.host if request.client else ""
        if not _loopback(client):
            return _refuse(403, "recording is for the preview on this computer only")
        if not request.headers.get("content-type", "").startswith("audio/"):
            return _refuse(415, "send the recording as audio/webm or audio/ogg")
        query = request.query_params
        lesson, lang = query.get("lesson", ""), query.get("lang", "")
        step = query.get("step", "")
        if (
            not re.match(ID_PATTERN, lesson)
            or not (self.root / "lessons" / f"{lesson}.yaml").is_file()
        ):
            return _refuse(422, f"no lesson {lesson!r} in lessons/")
        if not step.isdigit() or not 1 <= int(step) <= 999:
            return _refuse(422, f"step must be a step number, not {step!r}")
        if not re.match(LANGUAGE_CODE, lang):
            return _refuse(422, f"lang must be a language code like vi, blt or hmn, not {lang!r}")
        body = await _body(request, FILE_LIMIT)
        if body is None:
            return _refuse(413, f"recording over {FILE_LIMIT // 1024} KB: record a shorter part")
        kind = kind_of_bytes(body[:16])
        if kind is None:
            return _refuse(422, "the body is not audio (Ogg, WebM, MP3 or M4A)")
        name = recording_name(lesson, int(step), lang, SUFFIXES[kind])
        lesson_file = self.root / "lessons" / f"{lesson}.yaml"
        with self.saving:  # two saves at once must not both edit the lesson from its old text
            try:
                text = with_recording(
                    lesson_file.read_text(encoding="utf-8"), int(step), lang, name
                )
            except (RecordingError, ValueError) as exc:  # yaml errors are ValueErrors too
                return _refuse(422, f"lessons/{lesson}.yaml: {exc}")
            folder = self.root.joinpath(*AUDIO_FOLDER)
            folder.mkdir(parents=True, exist_ok=True)
            _replace(folder / name, body)
            _replace(lesson_file, text.encode("utf-8"))
            # an earlier take of this step and language in another format would stay in every
            # phone's offline pack: only files of the preview's own naming are removed
            for other in SUFFIXES.values():
                stale = folder / f"{Path(name).stem}.{other}"
                if stale.name != name and stale.is_file():
                    stale.unlink()
        self.log(f"saved content/media/audio/{name} (lessons/{lesson}.yaml, step {step}, {lang})")
        return JSONResponse(
            {"file": f"content/media/audio/{name}", "lesson": f"lessons/{lesson}.yaml"},
            status_code=201,
        )


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is over `limit` bytes (announced or sent)."""
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _replace(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a half-written lesson would stop the next build."""
    temporary = path.with_name(f".{path.name}.saving")
    temporary.write_bytes(data)
    temporary.replace(path)


class _Either:
    """Set when either event is: ends a watch on `stop` or when the folders to watch change."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)
