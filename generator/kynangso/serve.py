"""Serve a built site over HTTP for a quick look on this machine or the local Wi-Fi."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".svg": "image/svg+xml",
        ".json": "application/json",
        ".webmanifest": "application/manifest+json",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


def make_server(site_dir: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """A threaded static-file server for `site_dir` (port 0 picks a free port)."""
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(f"{site_dir} has no index.html: run 'kynangso build' first")
    handler = functools.partial(_SiteHandler, directory=str(site_dir))
    return http.server.ThreadingHTTPServer((host, port), handler)
