"""The site address the posters' and handouts' QR codes point at."""

from __future__ import annotations

import re

from kynangso.sources.validate import Project

# Where the posters' and handouts' QR codes point when neither the caller nor mkdocs.yml says:
# the facilitator's laptop on the class Wi-Fi, found by name (mDNS) as `kynangso.local`.
DEFAULT_SITE_URL = "http://kynangso.local:8000/"
SITE_URL_LINE = re.compile(r"^site_url:\s*['\"]?(https?://[^'\"\s#]+)", re.MULTILINE)


def resolve_site_url(project: Project, site_url: str | None) -> str:
    """The site's address for QR codes: the argument, else mkdocs.yml's `site_url`, else the
    class laptop's default name; always ending in '/'."""
    if not site_url:
        config = project.root / "mkdocs.yml"
        match = (
            SITE_URL_LINE.search(config.read_text(encoding="utf-8")) if config.is_file() else None
        )
        site_url = match.group(1) if match else DEFAULT_SITE_URL
    return site_url if site_url.endswith("/") else site_url + "/"
