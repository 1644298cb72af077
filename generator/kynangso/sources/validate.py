"""`kynangso validate`'s entry points, kept at their old address.

The work is split by job: `project.py` (the `Project` and `load_project`), `collect.py` (loading
one file into its model), `messages.py` (pydantic errors in plain words) and `rules.py` (the
cross-file rules). Code outside the package imports `load_project`, `Project` and `topic_names`
from here.
"""

from __future__ import annotations

from kynangso.sources.collect import PLACEHOLDER, placeholders
from kynangso.sources.project import PAGES, Project, load_project, topic_names
from kynangso.sources.rules import MEDIA_SUFFIXES

__all__ = [
    "MEDIA_SUFFIXES",
    "PAGES",
    "PLACEHOLDER",
    "Project",
    "load_project",
    "placeholders",
    "topic_names",
]
