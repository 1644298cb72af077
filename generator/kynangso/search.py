"""Accent-insensitive search: add a folded copy of each entry to mkdocs' search index.

Material's search worker indexes every field named in the index's `config.fields`, so a
`folded` field lets "dinh danh" match "định danh" while results still show the accents.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

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
    index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(index.get("docs", []))
