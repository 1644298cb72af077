"""Words of the facilitators' materials (lesson plans, slides, handouts, posters), read from the
catalogues in `kynangso/words/` (sections `teams` and `safety_rules`).

The safety rules repeat what the team guide (`content/pages/teams.yaml`) and the fact sheet say;
they are printed on every handout, so they stay short and never name a number or an account.
"""

from __future__ import annotations

from kynangso import words
from kynangso.sources.schema import LANGUAGES

TEAMS_UI: dict[str, dict[str, str]] = {
    lang: words.load(lang).section("teams") for lang in LANGUAGES
}

# Printed on every handout and slide deck after the lesson's own warnings.
SAFETY_RULES: dict[str, tuple[str, ...]] = {
    lang: words.load(lang).texts("safety_rules") for lang in LANGUAGES
}

# Words of the class kit: paper quizzes, attendance sheets, certificates of participation.
KIT_UI: dict[str, dict[str, str]] = {lang: words.load(lang).section("kit") for lang in LANGUAGES}
