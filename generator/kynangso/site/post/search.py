"""Search: accent-insensitive, and loaded only when a resident searches.

Material's search worker indexes every field named in the index's `config.fields`, so a
`folded` field lets "dinh danh" match "định danh" while results still show the accents.
Pages start our stand-in worker instead of Material's; it fetches the index and Material's
worker on the first query (overrides/main.html, overrides/assets/javascripts/workers/).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from kynangso.errors import BuildError

FOLDED_FIELD = "folded"
TAG = re.compile(r"<[^>]+>")


def fold(text: str) -> str:
    """Strip Vietnamese accent marks: "Định danh điện tử" -> "Dinh danh dien tu"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def add_folded_field(index_file: Path) -> int:
    """Rewrite one search_index.json with a folded field per entry; return the entry count."""
    index = json.loads(index_file.read_text(encoding="utf-8"))
    fields = index.setdefault("config", {}).setdefault("fields", {})
    fields[FOLDED_FIELD] = {"boost": 1}
    for doc in index.get("docs", []):
        plain = TAG.sub(" ", f"{doc.get('title', '')} {doc.get('text', '')}")
        folded = fold(plain)
        if folded != plain:  # English entries need no second copy
            doc[FOLDED_FIELD] = folded
    index_file.write_text(
        json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return len(index.get("docs", []))


WORKERS = "assets/javascripts/workers"
STAND_IN = "kns-search.js"
MARKER = "__KNS_MATERIAL_WORKER__"


def link_search_worker(site: Path) -> str:
    """Write the name of Material's search worker into our stand-in (see overrides/main.html),
    which loads it with the index on the first query; return that name."""
    folder = site / WORKERS
    material = sorted(p.name for p in folder.glob("search.*.min.js"))
    if len(material) != 1:
        raise BuildError(
            f"expected one Material search worker in {folder}, found {material or 'none'}"
        )
    stand_in = folder / STAND_IN
    text = stand_in.read_text(encoding="utf-8")
    if MARKER not in text:
        raise BuildError(f"{stand_in} has no {MARKER} to replace")
    stand_in.write_text(text.replace(MARKER, material[0]), encoding="utf-8")
    return material[0]
