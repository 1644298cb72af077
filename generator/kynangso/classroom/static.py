"""The built site over HTTP, fast enough for a classroom of phones on one laptop.

Each file is read and gzipped once (and again only when it changes on disk), then served from
memory with an ETag, so 60 phones asking for the same lesson cost a dictionary lookup rather
than a file read and a fresh compression each time.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Receive, Scope, Send

COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|javascript|manifest\+json|xml)|image/svg\+xml)"
)
HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(js|css)$")
TYPES = {
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
}


@dataclass(frozen=True)
class _Entry:
    stamp: tuple[int, int]
    body: bytes
    gzipped: bytes | None
    etag: str
    media_type: str


# Characters no page path of ours has; a backslash would let a browser read "/\\host" as "//host".
_UNSAFE_SEGMENT = re.compile(r"[\\\x00-\x1f\x7f]")


def site_path(path: str) -> tuple[list[str], bool] | None:
    """The segments of a decoded request path and whether it ends in "/", or None when the path
    is not one of ours: it must start with "/", and no segment may be empty, "." or ".." or hold
    a backslash or control character. Checked once, on the path as the server decoded it, so the
    file looked up, the hidden list and a redirect's Location all see the same segments."""
    if not path.startswith("/"):
        return None
    segments = path[1:].split("/")
    folder = segments[-1] == ""
    if folder:
        segments.pop()
    for segment in segments:
        if segment in ("", ".", "..") or _UNSAFE_SEGMENT.search(segment):
            return None
    return segments, folder


def cache_control(path: str) -> str:
    """Theme files with a content hash in their name never change; everything else revalidates."""
    if HASHED.search(path):
        return "public, max-age=31536000, immutable"
    if path.startswith("media/") or "/lunr/" in path:
        return "public, max-age=86400"
    return "no-cache"


class SiteApp:
    """An ASGI app serving one site folder: index.html for folders, 404.html when missing."""

    def __init__(
        self, site_dir: Path, inject: bytes | None = None, hidden: tuple[str, ...] = ()
    ) -> None:
        self.site_dir = site_dir.resolve()
        self.cache: dict[str, _Entry] = {}
        self.inject = inject  # added before </body> of every page (the preview's reload script)
        self.hidden = hidden  # paths answered with 404 (the preview hides the service worker)

    def _file(self, relative: str) -> Path | None:
        target = (self.site_dir / relative).resolve()
        if not target.is_relative_to(self.site_dir):
            return None  # a symbolic link leading out of the site
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _lookup(self, segments: list[str], folder: bool) -> tuple[Path | None, bool]:
        """(the file to serve, whether the address needs a "/" added) for checked segments."""
        relative = "/".join(segments)
        if relative in self.hidden:
            return None, False
        path = self._file(relative)
        if path is None:
            return None, False
        is_index = path.name == "index.html" and (not segments or segments[-1] != "index.html")
        if folder and not is_index:
            return None, False  # "/index.html/", "/sw.js/": a file is not a folder
        return path, is_index and not folder

    def _entry(self, path: Path) -> _Entry:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        key = str(path)
        entry = self.cache.get(key)
        if entry is None or entry.stamp != stamp:
            body = path.read_bytes()
            if self.inject and path.suffix == ".html":
                body = body.replace(b"</body>", self.inject + b"</body>", 1)
            media_type = (
                TYPES.get(path.suffix)
                or mimetypes.guess_type(path.name)[0]
                or "application/octet-stream"
            )
            if media_type.startswith("text/") or media_type.endswith(("json", "javascript", "xml")):
                media_type += "; charset=utf-8"
            gzipped = (
                gzip.compress(body, 6, mtime=0)
                if COMPRESSIBLE.match(media_type) and len(body) > 512
                else None
            )
            etag = '"' + hashlib.blake2s(body, digest_size=12).hexdigest() + '"'
            entry = _Entry(stamp, body, gzipped, etag, media_type)
            self.cache[key] = entry
        return entry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method not in ("GET", "HEAD"):
            await Response("method not allowed", status_code=405, headers={"Allow": "GET, HEAD"})(
                scope, receive, send
            )
            return
        checked = site_path(scope["path"])
        path: Path | None = None
        relative = ""
        if checked is not None:
            segments, folder = checked
            relative = "/".join(segments) + ("/" if folder and segments else "")
            path, add_slash = self._lookup(segments, folder)
            if add_slash:
                # Built from the checked segments: always "/<segment>…/", never "//host".
                location = quote("/" + "/".join(segments) + "/", safe="/!$&'()*+,;=:@-._~")
                await RedirectResponse(location, status_code=308)(scope, receive, send)
                return
        status = 200
        if path is None:
            path, status = self._file("404.html"), 404
            if path is None:
                await Response("not found", status_code=404)(scope, receive, send)
                return
        entry = self._entry(path)
        headers = {
            "ETag": entry.etag,
            "Cache-Control": cache_control(relative),
            "Vary": "Accept-Encoding",
        }
        if status == 200 and request.headers.get("if-none-match") == entry.etag:
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return
        body = entry.body
        if entry.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body = entry.gzipped
            headers["Content-Encoding"] = "gzip"
        response = Response(
            b"" if request.method == "HEAD" else body,
            status_code=status,
            media_type=entry.media_type,
            headers=headers,
        )
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(body))
        await response(scope, receive, send)
