"""The built site over HTTP, fast enough for a classroom of phones on one laptop.

Built on Starlette's `StaticFiles`: its lookup (nothing outside the site folder, no symbolic
link out of it), its `If-None-Match` (lists, weak tags, `*`) and its `FileResponse` (HEAD,
ranges, big files streamed from disk; a GET of a small file is sent from one read). The build
has already written `<file>.gz` beside every text file worth it (`kynangso.site.post.precompress`), so a phone that accepts gzip gets those bytes
and no request ever compresses anything. Each answer's ETag is a hash of the bytes it sends
(made once per file change), so the gzip and plain forms never share one and a rebuild that
changes nothing still answers 304.

What StaticFiles does not do is ours: the request path is checked once (`site_path`) and both
the file looked up and a redirect's Location are built from those checked segments, so a
request line like `//evil.example%2F..` is a 404, never a redirect off the site.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import os
import re
import stat
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketClose

HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(js|css)$")
TYPES = {
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".gz": "application/gzip",  # asked for by its own name: the file itself, not an encoding
}
# Headers FileResponse adds that a phone has no use for here: the ETag is the validator and
# nothing asks for ranges; each would cost every answer its bytes on the wire.
DROPPED_HEADERS = ("last-modified", "accept-ranges")

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


def media_type(name: str) -> str:
    """The Content-Type of a file of the site, with the charset of every text type."""
    suffix = os.path.splitext(name)[1]
    kind = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind.endswith(("json", "javascript", "xml")):
        kind += "; charset=utf-8"
    return kind


def accepts_gzip(headers: Headers) -> bool:
    """Whether Accept-Encoding allows gzip: named (or `*`) and not refused with `q=0`."""
    for part in headers.get("accept-encoding", "").lower().split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        if coding not in ("gzip", "x-gzip", "*"):
            continue
        quality = next((param[2:] for param in params if param.startswith("q=")), "1")
        try:
            return float(quality) > 0
        except ValueError:
            return False
    return False


# Paths found inside the site that are remembered (a site has a few thousand files; what a
# stranger asks for that is not there is never remembered).
FOUND_PATHS = 20_000
# Files up to this size are sent from one read (pages, scripts, styles, icons, the catalog);
# bigger ones (pictures, recordings, the search index) are streamed by FileResponse.
SMALL_FILE = 256 * 1024


def _small(found: os.stat_result, scope: Scope, request: Headers) -> bool:
    """Whether to answer with the file's bytes read at once: a GET of a small file that asks
    for no range (FileResponse answers HEAD and ranges)."""
    return found.st_size <= SMALL_FILE and scope["method"] == "GET" and "range" not in request


def _regular(path: str) -> os.stat_result | None:
    try:
        result = os.stat(path)
    except OSError:
        return None
    return result if stat.S_ISREG(result.st_mode) else None


class SiteApp(StaticFiles):
    """An ASGI app serving one site folder: index.html for folders, 404.html when missing, the
    build's `.gz` to phones that accept gzip. `inject` is added before `</body>` of every page
    (the preview's reload script; such pages are sent plain); `hidden` paths are answered with
    404 (the preview hides the service worker)."""

    def __init__(
        self, site_dir: Path, inject: bytes | None = None, hidden: tuple[str, ...] = ()
    ) -> None:
        # check_dir off: the preview serves a folder its first build has not made yet
        super().__init__(directory=site_dir, html=True, check_dir=False)
        self.site_dir = site_dir
        self.inject = inject
        self.hidden = hidden
        self._tags: dict[str, tuple[int, int, str]] = {}  # path: (mtime_ns, size, ETag)
        self._found: dict[str, str] = {}  # checked relative path: its file inside the site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose()(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            response = Response(
                "method not allowed", status_code=405, headers={"Allow": "GET, HEAD"}
            )
        else:
            # stat, read, and a hash when a file changed: off the event loop, in the loop's
            # own thread pool (anyio's hop, with its limiter and cancel scope, cost more).
            loop = asyncio.get_running_loop()
            response = await loop.run_in_executor(None, self._respond, scope)
        await response(scope, receive, send)

    def _respond(self, scope: Scope) -> Response:
        checked = site_path(scope["path"])
        if checked is None:
            return self._not_found(scope)
        segments, folder = checked
        relative = "/".join(segments)
        if relative in self.hidden or relative.removesuffix(".gz") in self.hidden:
            return self._not_found(scope)
        full_path, found = self._lookup(relative)
        if found is not None and stat.S_ISDIR(found.st_mode):
            full_path, found = self._lookup(relative + "/index.html" if relative else "index.html")
            if found is not None and not folder:
                # Built from the checked segments: always "/<segment>…/", never "//host".
                location = quote("/" + relative + "/", safe="/!$&'()*+,;=:@-._~")
                return RedirectResponse(location, status_code=308)
        elif folder:
            found = None  # "/index.html/", "/sw.js/": a file is not a folder
        if found is None or not stat.S_ISREG(found.st_mode):
            return self._not_found(scope)
        address = relative + "/" if folder and relative else relative
        return self._file(full_path, found, scope, cache_control(address))

    def _lookup(self, relative: str) -> tuple[str, os.stat_result | None]:
        """The file of a checked relative path and its stat. StaticFiles' check (the real path,
        symbolic links resolved, must be inside the site folder) reads every folder of the
        path, in Python, twice a request; a path found inside is remembered, so each later
        request costs one stat."""
        known = self._found.get(relative)
        if known is not None:
            try:
                found = os.lstat(known)  # a file swapped for a link since is checked again
            except OSError:
                found = None
            if found is not None and not stat.S_ISLNK(found.st_mode):
                return known, found
            del self._found[relative]
        try:
            full_path, found = self.lookup_path(relative)
        except (OSError, ValueError):  # a name too long for the file system
            return "", None
        if found is not None and len(self._found) < FOUND_PATHS:
            self._found[relative] = full_path
        return full_path, found

    def _not_found(self, scope: Scope) -> Response:
        full_path, found = self._lookup("404.html")
        if found is None or not stat.S_ISREG(found.st_mode):
            return Response("not found", status_code=404)
        return self._file(full_path, found, scope, "no-cache", status_code=404)

    def _file(
        self,
        full_path: str,
        found: os.stat_result,
        scope: Scope,
        caching: str,
        status_code: int = 200,
    ) -> Response:
        request = Headers(scope=scope)
        headers = {"Cache-Control": caching, "Vary": "Accept-Encoding"}
        kind = media_type(full_path)
        if self.inject and full_path.endswith(".html"):
            return self._injected(full_path, request, headers, kind, status_code)
        packed = full_path + ".gz"
        packed_stat = _regular(packed) if accepts_gzip(request) else None
        # An older .gz is from before the file last changed (edited by hand, copied without
        # times): the plain file is the truth then.
        if packed_stat is not None and packed_stat.st_mtime_ns >= found.st_mtime_ns:
            full_path, found = packed, packed_stat
            headers["Content-Encoding"] = "gzip"
        headers["ETag"] = self._etag(full_path, found)
        response: Response
        if _small(found, scope, request):
            # Read here, in the thread this answer is made in: FileResponse would read it in
            # more hops to worker threads, each costing more than the read (a lesson page was
            # ~400 answers a second on 2 cores that way).
            with open(full_path, "rb") as file:
                body = file.read()
            response = Response(body, status_code, headers=headers, media_type=kind)
        else:
            response = FileResponse(
                full_path, status_code, headers=headers, media_type=kind, stat_result=found
            )
            for name in DROPPED_HEADERS:
                del response.headers[name]
        if status_code == 200 and self.is_not_modified(response.headers, request):
            return NotModifiedResponse(response.headers)
        return response

    def _injected(
        self, full_path: str, request: Headers, headers: dict[str, str], kind: str, status: int
    ) -> Response:
        """A page with the preview's script in it: read, changed and sent plain."""
        assert self.inject is not None
        body = Path(full_path).read_bytes().replace(b"</body>", self.inject + b"</body>", 1)
        headers["ETag"] = '"' + hashlib.blake2s(body, digest_size=12).hexdigest() + '"'
        response = Response(body, status, headers=headers, media_type=kind)
        if status == 200 and self.is_not_modified(response.headers, request):
            return NotModifiedResponse(response.headers)
        return response

    def _etag(self, full_path: str, found: os.stat_result) -> str:
        """A hash of the file's bytes, remembered until its time or size changes."""
        known = self._tags.get(full_path)
        if known is not None and known[:2] == (found.st_mtime_ns, found.st_size):
            return known[2]
        with open(full_path, "rb") as file:
            digest = hashlib.file_digest(file, lambda: hashlib.blake2s(digest_size=12))
        tag = '"' + digest.hexdigest() + '"'
        self._tags[full_path] = (found.st_mtime_ns, found.st_size, tag)
        return tag
