"""QR codes and printed addresses, shared by the team materials and the class poster.

Both print an address a phone must open: as a QR code, and as text that wraps only between
its parts. It sits at the top because `classroom` may not import `teams`; it imports nothing
of ours. segno comes with both the `serve` and the `teams` extras.
"""

from __future__ import annotations

import io
import re

import markupsafe
import segno


def qr_svg(url: str) -> markupsafe.Markup:
    """A QR code as inline SVG that scales to its box (size set in CSS)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", border=2, omitsize=True, xmldecl=False, svgns=True, nl=False, title=url
    )
    return markupsafe.Markup(out.getvalue().decode("utf-8"))


def address_text(url: str) -> markupsafe.Markup:
    """An address as printed text that may wrap only after a '/' or a '.': each piece stays
    whole (`nowrap`), so no word of it is ever split across two lines."""
    pieces = re.findall(r"[^/.]*[/.]+|[^/.]+", url)
    return markupsafe.Markup("<wbr>").join(
        markupsafe.Markup('<span class="nobr">{}</span>').format(piece) for piece in pieces
    )
