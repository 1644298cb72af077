"""Accent folding for search."""

from __future__ import annotations

import json
from pathlib import Path

from kynangso.site.post.search import add_folded_field, fold


def test_fold_removes_vietnamese_marks_and_d_stroke() -> None:
    assert fold("Định danh điện tử") == "Dinh danh dien tu"
    assert fold("thanh toán, mật khẩu, ổ, ồ, Ư") == "thanh toan, mat khau, o, o, U"


def test_folded_field_is_added_and_indexed(tmp_path: Path) -> None:
    index = tmp_path / "search_index.json"
    index.write_text(
        json.dumps(
            {
                "config": {"fields": {"title": {"boost": 1000}, "text": {"boost": 1}}},
                "docs": [{"location": "a/", "title": "Thanh toán", "text": "<p>Định danh</p>"}],
            }
        )
    )
    assert add_folded_field(index) == 1
    data = json.loads(index.read_text())
    assert data["config"]["fields"]["folded"] == {"boost": 1}
    assert data["docs"][0]["folded"] == "Thanh toan  Dinh danh "
    assert data["docs"][0]["title"] == "Thanh toán"
