"""`<file>.gz` beside every text file of the built site, so the server never compresses.

Class mode serves one laptop's site to a room of phones: compressing once here, at the highest
level gzip has, costs the build a moment and saves every phone bytes and the laptop the work.
The files are deterministic (no name, mtime 0 in the header), so the same build gives the same
bytes and the same ETags. A `.gz` is written only when it saves more than the
`Content-Encoding` header it makes the server send.
"""

from __future__ import annotations

import gzip
from pathlib import Path

COMPRESSIBLE = frozenset({".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".webmanifest"})
# What a gzip answer costs on the wire beyond its body: its one extra header line.
HEADER_COST = len(b"content-encoding: gzip\r\n")


def precompress_site(site: Path) -> int:
    """Write `<file>.gz` beside every compressible file under `site` for which gzip pays;
    return how many were written."""
    written = 0
    for path in sorted(site.rglob("*")):
        if path.suffix in COMPRESSIBLE and path.is_file() and not path.is_symlink():
            written += write_gzip(path)
    return written


def write_gzip(path: Path) -> bool:
    """Write `path` + ".gz" when it is smaller by more than its header; say whether it was."""
    raw = path.read_bytes()
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    if len(packed) + HEADER_COST >= len(raw):
        return False
    path.with_name(path.name + ".gz").write_bytes(packed)
    return True
