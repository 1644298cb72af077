"""Kỹ năng số: YAML lessons and quizzes into a bilingual static site, team materials and class mode.

The data flows one way, and the packages follow it:

    sources/    what editors write -> validated models (a `Project`)
    site/       the residents' website from a `Project` (render, mkdocs, post/)
    teams/      the facilitators' materials from the same `Project`
    classroom/  serving a built site to a class, and the store of quiz completions

`build` (the whole pipeline: sources -> site -> team materials -> swap into `site/`) and
`preview` (the editor's rebuild-on-save loop) join the packages, so they sit above them with
`cli`; `errors` is shared by all. import-linter contracts in pyproject.toml keep the direction.
"""

from __future__ import annotations

__version__ = "0.1.0"
