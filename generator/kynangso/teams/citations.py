"""Legal citations moved out of a handout's text into its footnote line.

A resident reading "Theo Thông tư 17/2024/TT-NHNN, từ ngày 1/1/2025…" in large type stumbles on
the number and learns nothing from it; the facilitator, or a relative checking the claim, needs
it. So on the handout the text keeps the kind of document ("Nghị định¹", "Decree¹") or says "by
law¹", and the full citation goes to one footnote line at the bottom of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# "17/2024/TT-NHNN", "23/2025/NĐ-CP", "69/2024"
_NUMBER = r"\d{1,4}/(?:19|20)\d{2}(?:/[A-ZĐ]+(?:-[A-ZĐ]+)*)?"
_REFERENCE = (
    rf"(?P<kind>Thông tư|Nghị định|Nghị quyết|Quyết định|Circular|Decree|Resolution|Decision)"
    rf"(?: (?:No\.|số) )? (?P<number>{_NUMBER})"
    r"|(?P<law>Luật|Law on)(?: [A-ZĐ][\wÀ-ỹ]*)(?: [\wÀ-ỹ]+){0,5}? (?P<year>(?:19|20)\d{2})\b"
)
# the reference, bold or not, as a whole clause opener ("Theo …, ", "Under …, "), in brackets,
# or inside a sentence
CITATION = re.compile(
    rf"(?P<opener>\b(?:Theo|theo|Under|under) )?(?P<open>\s*\(\s*)?(?P<bold>\*\*)?(?:{_REFERENCE})(?P=bold)?"
    r"(?P<close>\s*\))?"
)
BY_LAW = {"vi": "theo quy định", "en": "by law"}


def superscript(number: int) -> str:
    return str(number).translate(SUPERSCRIPTS)


@dataclass
class Citations:
    """The citations of one handout, numbered in the order they first appear."""

    lang: str
    notes: list[str] = field(default_factory=list)

    def marker(self, citation: str) -> str:
        if citation not in self.notes:
            self.notes.append(citation)
        return superscript(self.notes.index(citation) + 1)

    def move(self, text: str) -> str:
        """`text` with each legal citation replaced by a footnote marker."""
        return CITATION.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        citation = " ".join(match.group(0).strip().strip("() *").split())
        if match.group("opener"):
            citation = citation.split(" ", 1)[1].strip("( *")
        marker = self.marker(citation)
        if match.group("open") and match.group("close"):
            # "(Nghị định 125/2025)" says nothing more than its marker
            return (match.group("opener") or "") + marker
        if match.group("opener"):
            words = BY_LAW[self.lang]
            opener = match.group("opener")
            return (words[0].upper() + words[1:] if opener[0].isupper() else words) + marker
        kind = match.group("kind") or ("Law" if match.group("law") == "Law on" else "Luật")
        bold = match.group("bold") or ""
        return f"{match.group('open') or ''}{bold}{kind}{bold}{marker}{match.group('close') or ''}"

    def line(self) -> str:
        """The footnote line: "¹ Thông tư 17/2024/TT-NHNN · ² …" (empty without citations)."""
        return " · ".join(f"{superscript(n)} {note}" for n, note in enumerate(self.notes, 1))
