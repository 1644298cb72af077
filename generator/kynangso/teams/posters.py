"""A4 posters for the Wi-Fi points: one page per topic with a QR code to its lesson list, the
site's address and the class-join address (and a QR code to it), legible from 2 m.

Without the site's address (no `--site-url`, no `site_url` in mkdocs.yml) every QR code's place
is a box to write the class's address in: a poster never carries a code that leads nowhere. The
poster of one running class (its address, code and Wi-Fi) comes from the coach dashboard."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from kynangso.sources.validate import Project
from kynangso.teams.plan import join_url, topic_url
from kynangso.teams.printing import environment
from kynangso.teams.strings import TEAMS_UI


@dataclass(frozen=True)
class Poster:
    topic: str
    title: str
    summary: str
    url: str | None
    lessons: tuple[str, ...]
    icon: str | None


def posters(project: Project, lang: str, site_url: str | None) -> list[Poster]:
    made = []
    for key, topic in project.topics.items():
        icon = None
        if topic.icon and (project.media_dir / topic.icon).suffix == ".svg":
            data = (project.media_dir / topic.icon).read_bytes()
            icon = "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
        made.append(
            Poster(
                topic=key,
                title=topic.title.get(lang),
                summary=topic.summary.get(lang),
                url=topic_url(site_url, lang, key) if site_url else None,
                lessons=tuple(lesson.title.get(lang) for lesson in project.lessons_in(key)),
                icon=icon,
            )
        )
    return made


def posters_html(project: Project, lang: str, site_url: str | None) -> str:
    """Every topic's poster in `lang`, one A4 page each, as one HTML document."""
    return (
        environment()
        .get_template("posters.html.j2")
        .render(
            lang=lang,
            t=TEAMS_UI[lang],
            posters=posters(project, lang, site_url),
            site_url=site_url,
            join_url=join_url(site_url, lang) if site_url else None,
        )
    )
