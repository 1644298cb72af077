"""The site address the posters' and handouts' QR codes point at, and the addresses refused."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from kynangso.errors import BuildError
from kynangso.sources.validate import Project

SITE_URL_LINE = re.compile(r"^site_url:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


def resolve_site_url(project: Project, site_url: str | None) -> str | None:
    """The site's address for QR codes, always ending in '/': the argument, else mkdocs.yml's
    `site_url`, else None (the materials then carry a box for the class's address). An address
    no phone could open (`.local`, `localhost`, loopback) is a BuildError, never a printed code."""
    where = "--site-url"
    if not site_url:
        config = project.root / "mkdocs.yml"
        text = config.read_text(encoding="utf-8") if config.is_file() else ""
        match = SITE_URL_LINE.search(text)
        if match is None:
            return None
        site_url = match.group(1)
        where = f"mkdocs.yml:{text.count(chr(10), 0, match.start()) + 1}: site_url"
    problem = site_url_problem(site_url)
    if problem is not None:
        raise BuildError(
            f"{where}: {site_url!r} {problem}; give the address phones open"
            " (e.g. http://192.168.1.10:8000/ or https://kynangso.example.vn/), or none at all"
            " to print a box for the class address"
        )
    return site_url if site_url.endswith("/") else site_url + "/"


# Names phones cannot look up: many Android phones resolve no mDNS (`.local`) name at all.
UNREACHABLE_SUFFIXES = (".local", ".localhost", ".local.", ".localhost.")


def site_url_problem(url: str) -> str | None:
    """Why a QR code to `url` would lead a phone nowhere, or None when it can be printed."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "is not an http:// or https:// address"
    host = parsed.hostname.lower()
    if host in ("localhost", "localhost.") or host.endswith(UNREACHABLE_SUFFIXES):
        return "is a name only this computer (or no Android phone) can look up"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if ip.is_loopback or ip.is_unspecified or ip.is_link_local:
        return "is an address of this computer alone, which no phone can open"
    return None
