"""Materials for community teams, made from the same sources as the site, into `site/teams/`:

    notebooks/<id>.<lang>.ipynb   lesson plans (facilitator edition, with answers), + media/
    handbook/                     every lesson plan as a jupyter-book HTML book
    slides/<id>.<lang>.html       a self-contained slide deck per lesson
    print/<id>.<lang>.pdf         a one- or two-page A4 handout per lesson
    print/<id>.<lang>.quiz.pdf    the quiz on paper, its answer key alone on the last page (`kit`)
    print/<id>.<lang>.attendance.pdf  a blank attendance sheet for one session (`kit`)
    print/posters.<lang>.pdf      A4 QR posters for the Wi-Fi points, one page per topic
    materials.<lang>.html         the list of all of the above, per language

`build_teams` (`pipeline`) is one linear function of named stages; `outputs` writes each kind
of material and `siteurl` finds the address the QR codes point at. The slow outputs (slides,
PDFs, the handbook) are kept in `cache_dir` under the hash of what they are made from, so an
unchanged lesson is never rebuilt. The handbook builds in its own process while the PDFs print
in Chromium and the slides are made here: the three overlap on a 2-core machine.
"""

from __future__ import annotations

from kynangso.teams.pipeline import OUTPUTS, build_teams
from kynangso.teams.siteurl import resolve_site_url, site_url_problem

__all__ = ["OUTPUTS", "build_teams", "resolve_site_url", "site_url_problem"]
